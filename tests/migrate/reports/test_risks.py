"""The risk register: each category selects plan content, nothing else."""

from __future__ import annotations

from migrate.reports import risks


def by_category(plan):
    found = {}
    for risk in risks.register(plan):
        found.setdefault(risk.category, []).append(risk)
    return found


def test_servers_not_ready_but_planned_are_listed_exactly(plan):
    expected = {n for n, s in plan["servers"].items() if s["wave"] is not None and s["readiness"] in ("Not ready",
                                                                                                         "Unknown")}
    assert expected  # the sample plans two Not ready VNA storage servers
    assert {r.subject for r in by_category(plan)["Not ready but planned"]} == expected


def test_end_of_life_follows_the_planners_lifecycle_reasons():
    past = {"readiness_reasons": ["Windows Server 2008 / 2008 R2 left support on 2020-01-14 and its extended "
                                  "security updates ended on 2024-01-09: upgrade it."]}
    extended = {"readiness_reasons": ["Red Hat Enterprise Linux 7 left regular support on 2024-06-30; extended "
                                      "security updates run until 2028-06-30: enrol it."]}
    fine = {"readiness_reasons": ["demo01 was powered off when the inventory was taken."]}
    assert risks.end_of_life_reason(past)[0] == risks.HIGH
    assert risks.end_of_life_reason(extended)[0] == risks.MEDIUM
    assert risks.end_of_life_reason(fine) is None


def test_tier0_and_phi_cutovers_are_one_entry_per_wave_with_the_plans_counts(plan):
    found = by_category(plan)
    tier0 = {r.wave: r for r in found["Tier-0 cutover"]}
    assert set(tier0) == {w["number"] for w in plan["waves"] if w["metrics"]["tier0_cutovers"]}
    for wave in plan["waves"]:
        if wave["number"] in tier0:
            assert tier0[wave["number"]].detail.startswith(f"{wave['metrics']['tier0_cutovers']} tier-0")
    assert {r.wave for r in found["PHI cutover"]} == {w["number"] for w in plan["waves"] if w["metrics"]["phi_servers"]}


def test_hubs_are_the_plans_own_when_it_names_them(plan):
    for server in plan["servers"].values():
        server.pop("hub", None)  # a plan that names no hub: the servers at the end of most crossing links
    counted = risks.hubs(plan)
    assert counted and counted == sorted(counted, key=lambda h: -h["links"])
    name = sorted(plan["servers"])[0]
    plan["servers"][name]["hub"] = "serves HL7 to 30 servers"
    assert [h["server"] for h in risks.hubs(plan)] == [name]


def test_missing_dependency_data_is_a_high_risk(plan):
    plan["inputs"]["inventory"]["dependencies"] = 0
    assert by_category(plan)["Dependency data"][0].severity == risks.HIGH


def test_plan_warnings_come_first(plan):
    plan["warnings"] = [{"code": "start-in-past", "message": "start date 2020-01-01 is in the past", "figures": {}}]
    first = risks.sorted_register(risks.register(plan))[0]
    assert (first.category, first.subject, first.detail) == ("Plan warning", "start-in-past",
                                                             "start date 2020-01-01 is in the past")


def test_the_planners_dependency_window_warnings_are_the_dependency_risks(plan):
    plan["warnings"] = [{"code": "dependency-window-short", "message": "the dependency data covers 3 days",
                         "figures": {"days": 3}},
                        {"code": "horizon", "message": "the plan runs past 24 months", "figures": {}}]
    found = by_category(plan)
    assert [(r.severity, r.subject, r.detail) for r in found["Dependency data"]] == [
        (risks.HIGH, "dependency-window-short", "the dependency data covers 3 days")]
    assert [(r.subject, r.detail) for r in found["Plan warning"]] == [("horizon", "the plan runs past 24 months")]
    plan["warnings"] = []
    assert by_category(plan)["Dependency data"][0].severity == risks.LOW
