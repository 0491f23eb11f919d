"""Plan warnings: stale or short dependency data (and idle retirements resting on it), and a plan
that runs too long, has too many waves, starts in the past or sits in blackouts."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from migrate.inventory.model import Dependency, Disk, Server
from migrate.planning.plan import build_plan, plan_document
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
