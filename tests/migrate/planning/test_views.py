"""Views of a plan JSON document without the CLI: timeline, explanation, diff (migrate.planning.views)."""

from __future__ import annotations

from dataclasses import dataclass

from migrate.planning.document import plan_document
from migrate.planning.views import explain, explanation, find_server, plan_diff, timeline_json
from tests.migrate.planning.test_plan import sample_plan


@dataclass(frozen=True)
class Stored:
    plan_id: int = 7
    created_at: str = "2026-11-27T09:00:00Z"
    digest: str = "ab" * 32


def test_the_timeline_names_the_stored_plan_and_each_waves_dates_groups_and_metrics():
    document = plan_document(sample_plan())
    timeline = timeline_json(document, Stored())
    assert timeline["plan"] == {"id": 7, "created_at": "2026-11-27T09:00:00Z", "digest": "ab" * 32}
    assert timeline["metrics"] is document["metrics"]
    assert [(w["number"], w["name"], w["move_groups"]) for w in timeline["waves"]] == [
        (0, "Foundation", ["foundation"]), (1, "Pilot", ["epic-tst"]), (2, "Wave 2", ["epic-prd"])]
    assert timeline["waves"][2]["cutover"] == document["waves"][2]["cutover"]
    assert timeline["waves"][2]["metrics"]["crossing_links"] == 2


def test_a_server_is_found_exactly_then_by_case_then_by_host_name():
    document = plan_document(sample_plan())
    document["servers"]["db01.corp.example"] = document["servers"]["dc01"]
    assert find_server(document, "dc01") == "dc01"
    assert find_server(document, " EPIC-PRD-DB01 ") == "epic-prd-db01"
    assert find_server(document, "DB01") == "db01.corp.example"
    assert find_server(document, "nosuch01") is None


def test_explain_says_why_the_wave_group_strategy_and_size_or_none_for_an_unknown_server():
    document = plan_document(sample_plan())
    found = explain(document, "EPIC-PRD-DB01")
    assert found == explanation(document, "epic-prd-db01")
    assert found["wave"]["number"] == 2 and "pins[0]: Epic prd → wave 2" in found["wave"]["reasons"]
    assert found["move_group"]["id"] == "epic-prd" and found["strategy"]["strategy"] == "rehost"
    assert found["cost"]["monthly_cost"] == 1234.57 and found["cost"]["pricing"]["region"] == "eastus2"
    assert [c["destination"] for c in explain(document, "epic-tst-app01")["crossing_links"]] == [
        "dc01", "epic-prd-app01"]
    retired = explain(document, "old01")
    assert retired["wave"] is None and retired["not_in_a_wave"] == "retire: R-RETIRE: test rule"
    assert explain(document, "nosuch01") is None


def test_a_plan_compared_with_itself_has_no_changes_and_zero_deltas():
    document = plan_document(sample_plan())
    same = plan_diff(document, document)
    for key in ("moved", "added", "removed", "strategy_changes", "sku_changes", "cutover_changes"):
        assert same[key] == []
    assert all(row["delta"] == 0.0 for row in same["cost_by_wave"])
    assert same["monthly_cost"]["delta"] == 0.0 and same["hybrid_exposure"]["delta"] == 0


def test_the_diff_names_moves_additions_removals_and_the_cost_per_wave():
    old = plan_document(sample_plan())
    new = plan_document(sample_plan())
    new["servers"]["epic-tst-app01"]["wave"] = 2
    new["servers"]["new01"] = {**new["servers"]["dc01"], "wave": 1}
    del new["servers"]["old01"]
    new["waves"][1]["metrics"]["monthly_cost"] -= 50
    new["waves"][1]["cutover"] = "2027-01-23T00:00:00-06:00"
    changes = plan_diff(old, new)
    assert changes["moved"] == [{"server": "epic-tst-app01", "old_wave": 1, "new_wave": 2}]
    assert changes["added"] == [{"server": "new01", "wave": 1}]
    assert changes["removed"] == [{"server": "old01", "wave": None}]
    assert changes["cost_by_wave"][1]["delta"] == -50.0
    assert changes["cutover_changes"] == [{"wave": 1, "old": old["waves"][1]["cutover"],
                                           "new": "2027-01-23T00:00:00-06:00"}]
