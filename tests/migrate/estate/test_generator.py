"""The generated estate: size, determinism, and the hospital it is supposed to look like."""

from __future__ import annotations

import ipaddress
from collections import Counter

import pytest

from migrate.estate.flows import endpoint, observations
from migrate.estate.generator import generate, minimum_size


@pytest.fixture(scope="module")
def estate():
    return generate()


def test_same_seed_same_estate_other_seed_other_estate():
    assert generate(120, seed=7) == generate(120, seed=7)
    assert generate(120, seed=7) != generate(120, seed=8)


@pytest.mark.parametrize("size", [minimum_size(), 57, 400, 1234])
def test_exactly_the_requested_number_of_servers_templates_on_top(size):
    generated = generate(size, seed=1)
    assert sum(not s.template for s in generated.servers) == size
    assert any(s.template for s in generated.servers)
    assert len({s.name.lower() for s in generated.servers}) == len(generated.servers)


def test_too_small_or_too_many_days_is_refused():
    with pytest.raises(ValueError, match="servers must be"):
        generate(minimum_size() - 1)
    with pytest.raises(ValueError, match="days"):
        generate(days=31)


def test_ehr_has_every_environment_and_reporting_databases(estate):
    ehr = [s for s in estate.servers if s.application == "EHR" and s.role != "sprawl"]
    assert {s.environment for s in ehr} == {"prd", "tst", "dev", "trn", "rel", "poc", "dr"}
    assert {s.datacenter for s in ehr if s.environment == "dr"} == {"RBH-DR"}
    reporting = {s.role for s in estate.servers if s.application == "EHR Reporting"}
    assert {"clarity", "caboodle"} <= reporting


def test_most_clinical_systems_talk_to_the_interface_engine_on_2575(estate):
    servers = estate.by_name()
    engine = {s.name for s in estate.servers if s.role == "hl7"}
    partners = {servers[name].application
                for c in estate.connections if c.port == 2575
                for name in (c.source, c.destination) if name and name not in engine}
    clinical = {s.application for s in estate.servers
                if s.business_unit == "Clinical Applications" and s.role not in ("sprawl",)}
    assert len(partners & clinical) >= 0.6 * len(clinical)


def test_dicom_from_modalities_to_gateways_and_on_to_pacs_and_vna(estate):
    servers = estate.by_name()
    dicom = [c for c in estate.connections if c.port in (104, 11112)]
    assert any(c.source == "" and ipaddress.ip_address(c.source_ip) in ipaddress.ip_network("172.20.0.0/16")
               and servers[c.destination].role == "dicomgw" for c in dicom)
    assert any(servers[c.source].role == "dicomgw" and servers[c.destination].role == "pacs"
               for c in dicom if c.source)
    assert any(c.port == 11112 and servers[c.destination].role == "vna" for c in dicom if c.destination)


def test_identity_services_on_their_ports(estate):
    dcs = {s.name for s in estate.servers if s.role == "dc"}
    assert {c.port for c in estate.connections if c.destination in dcs} >= {53, 88, 389, 445}
    assert {s.ip for s in estate.servers if s.role == "dc"} >= {"10.1.0.10", "10.1.0.11"}


def test_a_realistic_mix_of_platforms_power_states_and_end_of_life_systems(estate):
    servers = [s for s in estate.servers if not s.template]
    os_counts = Counter(s.os for s in servers)
    assert {"w2008r2", "w2012r2", "rhel6", "centos7"} <= set(os_counts)
    assert os_counts["w2016"] + os_counts["w2019"] > os_counts["w2008r2"]
    platforms = Counter(s.platform for s in servers)
    assert platforms["vmware"] > 0.9 * len(servers) and platforms["physical"] and platforms["hyperv"]
    assert 0.05 < sum(not s.powered_on for s in servers) / len(servers) < 0.25
    shared = {s.role for s in servers if any(d.shared for d in s.disks)}
    assert shared and all(role in ("sqlshr", "clarity", "pacsdb", "lisdb") for role in shared)


def test_addresses_stay_in_the_on_premises_ranges_of_the_stacks(estate):
    servers = ipaddress.ip_network("10.0.0.0/12")
    devices = ipaddress.ip_network("172.20.0.0/16")
    for server in estate.servers:
        if server.ip:
            assert ipaddress.ip_address(server.ip) in servers, server.name
    for connection in estate.connections:
        for name, address in ((connection.source, connection.source_ip),
                              (connection.destination, connection.destination_ip)):
            if not name:
                ip = ipaddress.ip_address(address)
                assert ip in devices or ip.is_private is False or ip in ipaddress.ip_network("203.0.113.0/24") \
                    or ip in ipaddress.ip_network("198.51.100.0/24")


def test_sprawl_includes_unowned_unmapped_servers_and_one_duplicate_ip(estate):
    orphans = [s for s in estate.servers if s.role == "orphan"]
    assert orphans and not any(s.owner or s.mapped for s in orphans)
    ips = Counter(s.ip for s in estate.servers if s.ip)
    assert sorted(ips.values())[-1] == 2


def test_only_flows_with_a_running_vmware_vm_at_one_end_are_observed(estate):
    servers = estate.by_name()
    seen = set()
    for _, connection in observations(estate):
        ends = [servers[n] for n in (connection.source, connection.destination) if n]
        assert any(s.platform == "vmware" and s.active for s in ends)
        seen.add(connection)
    assert 0.9 * len(estate.connections) < len(seen) <= len(estate.connections)


def test_a_flow_end_is_a_machine_s_name_and_ip_or_an_outside_address(estate):
    machine = next(s for s in estate.servers if s.active)
    assert endpoint(machine, "ignored") == (machine.name, machine.ip)
    assert endpoint(None, "10.250.1.7") == ("", "10.250.1.7")
    template = next(s for s in estate.servers if s.template)
    assert template.ip is None  # templates have no address, so they can be no flow's end
    with pytest.raises(ValueError, match=template.name):
        endpoint(template, "")
