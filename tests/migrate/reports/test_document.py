"""What the reports take from the plan: figures as stated, run-rates, fields a newer plan adds."""

from __future__ import annotations

import json

import pytest

from migrate.reports import document as doc


def test_the_plans_option_is_its_own_total_and_the_others_sum_its_per_server_figures(plan):
    rates = {r.option: r for r in doc.run_rates(plan)}
    chosen = plan["pricing"]["option"]
    assert rates[chosen].stated and rates[chosen].monthly == plan["metrics"]["monthly_cost"]
    planned = [s for s in plan["servers"].values() if s["wave"] is not None]
    for option in set(rates) - {chosen}:
        expected = sum(s["cost"][f"compute_{option}"] + s["cost"]["storage"] for s in planned)
        assert not rates[option].stated and rates[option].monthly == pytest.approx(expected, abs=0.01)
    assert rates["ri3y"].monthly < rates["ri1y"].monthly < rates["payg"].monthly


def test_fields_a_newer_planner_adds_are_shown_never_computed(plan):
    plan.pop("warnings", None)
    assert doc.warnings(plan) == [] and doc.estimates(plan) == []
    plan["warnings"] = [{"code": "horizon", "message": "the plan runs past the 24-month horizon", "figures": {}}]
    plan["metrics"]["one_time_cost"] = {"replication": 1200.5, "test_migration": 300.25}
    plan["dual_running"] = 4500.0
    assert doc.warnings(plan) == ["the plan runs past the 24-month horizon [horizon]"]
    assert doc.estimates(plan) == [("One time cost", {"replication": 1200.5, "test_migration": 300.25}),
                                   ("Dual running", 4500.0)]
    plan["waves"][0]["metrics"]["dual_running_cost"] = 99.0
    assert ("dual_running_cost", "Dual running cost") in doc.wave_metric_columns(plan)


def test_a_file_that_is_not_a_plan_is_refused_naming_it(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"schema": "other"}))
    with pytest.raises(doc.ReportError, match="x.json is not a carelift plan"):
        doc.read_plan(path)
    path.write_text("{")
    with pytest.raises(doc.ReportError, match="x.json is not JSON: line 1"):
        doc.read_plan(path)
    with pytest.raises(doc.ReportError, match="cannot read"):
        doc.read_plan(tmp_path / "missing.json")


def test_assumptions_quote_the_price_snapshot_and_every_setting(plan):
    rows = dict(doc.assumptions(plan))
    assert plan["pricing"]["snapshot_date"] in rows["Price snapshot"]
    assert rows["Setting start_date"] == plan["settings"]["start_date"]
    assert rows["Setting wave.max_servers"] == str(plan["settings"]["wave"]["max_servers"])


def test_the_os_lifecycle_table_date_is_quoted_or_said_to_be_missing(plan):
    rows = dict(doc.assumptions(plan))
    if "lifecycle_date" not in plan["pricing"] and "lifecycle_date" not in plan["inputs"]:
        assert rows["OS lifecycle table date"].startswith("not recorded in this plan")
    plan["inputs"]["lifecycle_date"] = "2026-11-27"
    assert dict(doc.assumptions(plan))["OS lifecycle table date"] == "2026-11-27"
