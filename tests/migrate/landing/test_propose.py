from __future__ import annotations

import dataclasses
import ipaddress

from migrate.landing.placement import place
from migrate.landing.propose import prefix_for, propose
from tests.migrate.landing.conftest import FACTS


def test_subnets_are_sized_for_servers_growth_and_azures_reserve():
    assert prefix_for(1, 50) == 29
    assert prefix_for(16, 50) == 27  # 24 + 5 = 29 addresses -> /27 (32)
    assert prefix_for(60, 50) == 25  # 90 + 5 = 95 -> /25 (128)


def test_missing_subnet_is_carved_from_the_spokes_free_space_and_missing_spoke_from_the_pool(plan, prod_bare):
    proposal = propose(place(plan, FACTS, prod_bare), prod_bare)
    assert proposal.problems == ()
    (subnet,) = proposal.subnets
    clinical = prod_bare.network.spoke("clinical")
    carved = ipaddress.ip_network(subnet["addressPrefix"])
    assert subnet["spoke"] == "clinical" and subnet["name"] == "snet-clinical-apps"
    assert carved.subnet_of(ipaddress.ip_network(clinical.address_space))
    assert not any(carved.overlaps(ipaddress.ip_network(s.address_prefix)) for s in clinical.subnets)
    (spoke,) = proposal.spokes
    space = ipaddress.ip_network(spoke["addressSpace"])
    assert spoke["name"] == "nonprod"
    assert any(space.subnet_of(ipaddress.ip_network(p)) for p in prod_bare.network.spoke_address_pool)
    taken = [prod_bare.network.hub.address_space, *prod_bare.network.on_premises_address_spaces,
             *(s.address_space for s in prod_bare.network.spokes)]
    assert not any(space.overlaps(ipaddress.ip_network(t)) for t in taken)


def test_without_a_pool_a_missing_spoke_is_a_problem(plan, prod_bare):
    config = dataclasses.replace(prod_bare, network=dataclasses.replace(prod_bare.network, spoke_address_pool=()))
    proposal = propose(place(plan, FACTS, config), config)
    assert proposal.problems == ("spoke nonprod needs a /29 and network.spokeAddressPool is not set",)
