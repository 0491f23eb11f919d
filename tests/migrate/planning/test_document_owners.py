"""Owners in the plan JSON: each server's owner and business unit as the inventory records them, and
each application's owner counted from its servers (the inventory records owners per server: CMDB
`assigned_to`, Azure Migrate `Business owner`, the application mapping's and generic format's `owner`)."""

from __future__ import annotations

import json
from dataclasses import replace

from migrate.planning.document import plan_document, plan_to_json, ranked
from tests.migrate.planning.test_plan import SERVERS, sample_plan


def with_owners(owners: dict[str, tuple[str | None, str | None]]):
    """The test plan with (owner, business unit) set on the named servers; the others keep none."""
    servers = tuple(replace(s, owner=owners[s.name][0], business_unit=owners[s.name][1]) if s.name in owners else s
                    for s in SERVERS)
    return sample_plan(servers=servers)


def test_a_server_carries_its_owner_and_business_unit():
    plan = with_owners({"epic-prd-db01": ("Clinical Apps - EHR", "Clinical Applications")})
    servers = plan_document(plan)["servers"]
    db = servers["epic-prd-db01"]
    assert (db["owner"], db["business_unit"]) == ("Clinical Apps - EHR", "Clinical Applications")
    # Absent in the inventory: null, never an empty string or a guess from another server.
    assert (servers["dc01"]["owner"], servers["dc01"]["business_unit"]) == (None, None)


def test_an_application_without_any_owner_says_so():
    epic = plan_document(sample_plan())["applications"]["Epic"]
    assert (epic["owner"], epic["owners"], epic["servers_without_owner"]) == (None, [], 3)
    assert (epic["business_unit"], epic["business_units"]) == (None, [])


def test_an_application_whose_servers_agree_has_that_owner():
    plan = with_owners({name: ("EHR Team", "Clinical") for name in ("epic-prd-app01", "epic-prd-db01",
                                                                      "epic-tst-app01")})
    epic = plan_document(plan)["applications"]["Epic"]
    assert epic["owner"] == "EHR Team"
    assert epic["owners"] == [{"owner": "EHR Team", "servers": 3}]
    assert epic["servers_without_owner"] == 0
    assert epic["business_units"] == [{"business_unit": "Clinical", "servers": 3}]


def test_conflicting_owners_the_most_common_wins_and_every_one_is_listed_with_its_count():
    plan = with_owners({"epic-prd-app01": ("EHR Team", "Clinical"), "epic-prd-db01": ("DBA Team", "IT"),
                        "epic-tst-app01": ("EHR Team", None)})
    epic = plan_document(plan)["applications"]["Epic"]
    assert epic["owner"] == "EHR Team"
    assert epic["owners"] == [{"owner": "EHR Team", "servers": 2}, {"owner": "DBA Team", "servers": 1}]
    assert epic["servers_without_owner"] == 0
    # Business units are ranked the same way; a server without one is not counted.
    assert epic["business_units"] == [{"business_unit": "Clinical", "servers": 1}, {"business_unit": "IT", "servers": 1}]
    assert epic["business_unit"] == "Clinical"


def test_a_tie_goes_to_the_first_name_in_case_insensitive_order_whatever_the_server_order():
    owners = {"epic-prd-app01": ("zeta ops", None), "epic-prd-db01": ("Alpha Ops", None)}
    forward = with_owners(owners)
    backward = replace(forward, servers=tuple(reversed(forward.servers)))
    for plan in (forward, backward):
        epic = plan_document(plan)["applications"]["Epic"]
        assert epic["owner"] == "Alpha Ops"
        assert [o["owner"] for o in epic["owners"]] == ["Alpha Ops", "zeta ops"]
        assert epic["servers_without_owner"] == 1
    assert plan_to_json(forward) == plan_to_json(backward)


def test_ranked_counts_non_empty_values_most_common_first():
    assert ranked(["b", "a", None, "", "b", "A", "a"]) == [("a", 2), ("b", 2), ("A", 1)]
    assert ranked([]) == []


def test_owner_text_is_data_in_the_json():
    hostile = "<script>alert(1)</script> =cmd|' /C calc'!A0"
    plan = sample_plan(servers=tuple(replace(s, owner=hostile) if s.name == "dc01" else s for s in SERVERS))
    text = plan_to_json(plan)
    assert "<script>" in text  # JSON is data: escaping belongs to the reports that print it
    assert json.loads(text)["servers"]["dc01"]["owner"] == hostile


def test_an_empty_owner_string_is_no_owner():
    plan = sample_plan(servers=tuple(replace(s, owner="", business_unit="") if s.name == "dc01" else s
                                     for s in SERVERS))
    dc01 = plan_document(plan)["servers"]["dc01"]
    assert (dc01["owner"], dc01["business_unit"]) == (None, None)
