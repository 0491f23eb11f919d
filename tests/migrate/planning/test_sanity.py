"""Plan warnings: stale or short dependency data (and idle retirements resting on it), and a plan
that runs too long, has too many waves, starts in the past or sits in blackouts."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from migrate.inventory.model import Dependency, Disk, Server
from migrate.planning.build import build_plan
from migrate.planning.document import plan_document
from migrate.planning.sanity import dependency_window, months_before, plan_shape
from migrate.planning.settings import PlanSettings, parse_settings


@pytest.mark.parametrize("day, months, expected", [
    ("2027-03-31", 1, "2027-02-28"), ("2027-01-04", 6, "2026-07-04"), ("2028-02-29", 12, "2027-02-28"),
    ("2027-01-04", -24, "2029-01-04")])
def test_months_before_counts_calendar_months(day, months, expected):
    assert months_before(datetime.date.fromisoformat(day), months).isoformat() == expected


def codes(warnings):
    return [w.code for w in warnings]


def test_dependency_window_stale_short_or_fine():
    settings = PlanSettings()  # start 2027-01-04; 6 months; 7 days
    assert codes(dependency_window("2026-06-01T00:00:00", "2026-07-01T06:00:00", settings)) == \
        ["dependency-window-stale"]
    assert codes(dependency_window("2026-12-01", "2026-12-03", settings)) == ["dependency-window-short"]
    assert codes(dependency_window("2026-11-01", "2026-12-01", settings)) == []
    assert codes(dependency_window(None, None, settings)) == []  # no dates: nothing to judge
    stale = dependency_window("2026-06-01", "2026-06-03", settings)
    assert codes(stale) == ["dependency-window-stale", "dependency-window-short"]
    assert stale[1].figures["days"] == 3 and "3 days (2026-06-01 to 2026-06-03)" in stale[1].message


def test_an_idle_proof_of_concept_retired_on_a_short_window_says_so():
    servers = [Server(name="poc01", applications=("Trial",), environment="poc", os_family="windows", cores=2,
                      memory_mb=4096, disks=(Disk("d1", 50.0),)),
               Server(name="web01", applications=("Portal",), environment="prd", os_family="windows", cores=2,
                      memory_mb=4096, disks=(Disk("d1", 50.0),))]
    outbound = [Dependency("poc01", "web01", 443, first_seen="2026-12-01T00:00:00", last_seen="2026-12-02T06:00:00",
                           destination_resolved=True)]
    plan = build_plan(servers, (), outbound, PlanSettings())
    rule = plan.assessments["poc01"].strategy.rule
    assert plan.assessments["poc01"].strategy.strategy == "retire"
    assert "the dependency window is short (2026-12-01 to 2026-12-02)" in rule
    assert codes(plan.warnings) == ["dependency-window-short"]
    long_enough = [replace(outbound[0], first_seen="2026-11-01T00:00:00")]
    plan = build_plan(servers, (), long_enough, PlanSettings())
    assert "dependency window" not in plan.assessments["poc01"].strategy.rule and plan.warnings == ()
    document = plan_document(build_plan(servers, (), outbound, PlanSettings()))
    assert document["warnings"][0]["code"] == "dependency-window-short"
    assert document["warnings"][0]["figures"]["min_days"] == 7


def test_plan_shape_horizon_waves_past_start_and_blackouts():
    settings = parse_settings({"start_date": "2027-01-04", "sanity": {"horizon_months": 12, "max_waves": 3,
                                                                      "max_blackout_share": 0.3},
                               "blackout_dates": ["2027-01-10..2027-06-30"]})
    found = plan_shape(range(6), "2028-02-05T00:00:00-06:00", settings, today=datetime.date(2027, 2, 1))
    assert codes(found) == ["horizon", "too-many-waves", "start-in-past", "blackouts"]
    assert found[1].figures == {"migration_waves": 5, "max_waves": 3}
    assert found[3].figures["blackout_days"] == 172
    assert codes(plan_shape(range(3), "2027-03-06T00:00:00-06:00", PlanSettings(), today=None)) == []
    # Without the day the plan is made, nothing depends on the clock.
    assert codes(plan_shape(range(3), "2027-03-06T00:00:00-06:00", PlanSettings(),
                            today=datetime.date(2026, 12, 1))) == []


# -- spend beyond the monthly run-rate ------------------------------------------------------------

def test_spend_adds_replication_and_test_migrations_to_the_run_rate_month_by_month():
    from migrate.planning.model import Cost, Readiness, ServerAssessment, Sizing, Strategy, WaveDates
    from migrate.planning.spend import DAYS_PER_MONTH, migration_spend

    def assessed(monthly, storage, payg):
        return ServerAssessment("x", Readiness("Ready"), Strategy("rehost", "r"), Sizing("Standard_D2s_v5"),
                                Cost(compute_payg=payg, storage=storage, monthly=monthly))

    assessments = {"a": assessed(300.0, 73.0, 730.0), "b": assessed(600.0, 0.0, 1460.0)}
    dates = [WaveDates(1, "2027-01-04", "2027-01-16T00:00:00-06:00", "2027-01-16T06:00:00-06:00"),
             WaveDates(2, "2027-01-18", "2027-02-13T00:00:00-06:00", "2027-02-13T06:00:00-06:00")]
    spend = migration_spend({"a": 1, "b": 2}, assessments, dates, PlanSettings(), 730.0,
                            {"snapshot_date": "2026-11-27", "region": "eastus2", "currency": "USD"})
    first, second = spend["waves"]
    # a: disks in Azure for 12 days before its cutover; one 8-hour test migration at 1 $/h.
    assert first["replication_days"] == 12
    assert first["replication_storage"] == round(73.0 / DAYS_PER_MONTH * 12, 2)
    assert first["test_migration_compute"] == 8.0 and second["test_migration_compute"] == 16.0
    january, february = spend["months"]
    assert [m["month"] for m in spend["months"]] == ["2027-01", "2027-02"]
    # a runs 16 January days (16th-31st) at 300 × 12 / 365 a day.
    assert january["run_rate"] == round(300 * 12 / 365 * 16, 2)
    assert february["run_rate"] == round(300 * 12 / 365 * 28 + 600 * 12 / 365 * 16, 2)
    # Dual running: a's run-rate until the last cutover (February 13th); b cut over last.
    assert february["dual_running"] == round(300 * 12 / 365 * 12, 2)
    assert february["cumulative"] == round(january["total"] + february["total"], 2)
    assert spend["one_time_total"] == round(first["one_time"] + second["one_time"], 2)
    assert spend["estimate"] is True and spend["inputs"]["test_migration_hours"] == 8.0


@pytest.mark.slow
def test_the_plan_json_carries_spend_that_ends_at_the_last_cutover():
    from tests.migrate.planning.estates import generated

    servers, applications, deps = generated(120, 3)
    document = plan_document(build_plan(servers, applications, deps, PlanSettings(), relax=True))
    spend = document["spend"]
    assert spend["months"][0]["month"] == "2027-01"
    assert spend["months"][-1]["month"] == document["metrics"]["last_cutover"][:7]
    assert [w["number"] for w in spend["waves"]] == [w["number"] for w in document["waves"]]
    assert spend["total_to_last_cutover"] == spend["months"][-1]["cumulative"] > spend["one_time_total"] > 0
