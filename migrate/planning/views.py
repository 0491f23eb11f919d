"""Views of a plan: the timeline, one server's explanation, the difference of two plans.

Each reads plan JSON documents (schema carelift.plan/v1) only, so a stored plan and a plan file
give the same view, and returns JSON values: `carelift plan show|explain|diff` print them (as a
table or as JSON), and a report, a notebook or a test can use them as they are.
"""

from __future__ import annotations

from typing import Any, Protocol


class StoredPlanInfo(Protocol):
    """What a view says about a stored plan (the workspace's PlanRecord has these)."""

    @property
    def plan_id(self) -> int: ...

    @property
    def created_at(self) -> str: ...

    @property
    def digest(self) -> str: ...


# -- show ------------------------------------------------------------------------------------

def timeline_json(document: dict, record: StoredPlanInfo) -> dict:
    """`plan show --format json`: the stored plan's id, time and digest, its metrics and each wave's dates,
    move groups and metrics."""
    return {
        "plan": {"id": record.plan_id, "created_at": record.created_at, "digest": record.digest},
        "metrics": document["metrics"],
        "waves": [{"number": w["number"], "name": w["name"], "start": w["start"], "cutover": w["cutover"],
                   "cutover_end": w["cutover_end"], "move_groups": [g["id"] for g in w["move_groups"]],
                   "metrics": w["metrics"]} for w in document["waves"]],
    }


# -- explain ---------------------------------------------------------------------------------

def find_server(document: dict, name: str) -> str | None:
    """The plan's name for `name`: exact, else the first (sorted) matching case-insensitively or by host name."""
    servers = document["servers"]
    if name in servers:
        return name
    wanted = name.strip().lower()
    return next((s for s in sorted(servers) if s.lower() == wanted or s.lower().split(".")[0] == wanted), None)


def explanation(document: dict, name: str) -> dict[str, Any]:
    """Why server `name` (as the plan spells it) is in its wave and move group, with that size, strategy and cost."""
    s = document["servers"][name]
    wave = next((w for w in document["waves"] if w["number"] == s["wave"]), None) if s["wave"] is not None else None
    group = next((g for g in wave["move_groups"] if g["id"] == s["move_group"]), None) if wave else None
    return {
        "server": name,
        "environment": s.get("environment"),
        "tier": s.get("tier"),
        "applications": s.get("applications", []),
        "wave": None if wave is None else {
            "number": wave["number"], "name": wave["name"], "start": wave["start"], "cutover": wave["cutover"],
            "cutover_end": wave["cutover_end"], "reasons": group["wave_reasons"] if group else []},
        "not_in_a_wave": s.get("excluded"),
        "shared_service": s.get("shared_service"),
        "hub": s.get("hub"),
        "move_group": None if group is None else {
            "id": group["id"], "servers": group["servers"], "applications": group["applications"],
            "environment": group["environment"], "reasons": group["reasons"]},
        "strategy": {"strategy": s["strategy"], "rule": s.get("strategy_rule"), "target": s.get("strategy_target"),
                     "overridden": s.get("strategy_overridden", False)},
        "readiness": {"status": s["readiness"], "reasons": s.get("readiness_reasons", [])},
        "size": {"target_sku": s["target_sku"], **s.get("sizing", {})},
        "cost": {"monthly_cost": s["monthly_cost"], **s.get("cost", {}), "pricing": document.get("pricing", {})},
        "crossing_links": [c for c in document.get("crossing_links", []) if name in (c["source"], c["destination"])],
    }


def explain(document: dict, name: str) -> dict[str, Any] | None:
    """`explanation` of the server `name` finds (`find_server`), or None when the plan has no such server."""
    found = find_server(document, name)
    return None if found is None else explanation(document, found)


# -- diff ------------------------------------------------------------------------------------

def plan_diff(old: dict, new: dict) -> dict[str, Any]:
    """What changed from plan `old` to plan `new`: servers moved, added or removed, strategy, size and cutover
    changes, cost per wave and in all, hybrid exposure, waves and the inputs each rests on."""
    a, b = old["servers"], new["servers"]
    common = sorted(set(a) & set(b), key=str.lower)

    def changed(field: str) -> list[dict]:
        return [{"server": s, "old": a[s][field], "new": b[s][field]} for s in common if a[s][field] != b[s][field]]

    old_waves = {w["number"]: w for w in old["waves"]}
    new_waves = {w["number"]: w for w in new["waves"]}
    by_wave = []
    for number in sorted(set(old_waves) | set(new_waves)):
        before = old_waves[number]["metrics"]["monthly_cost"] if number in old_waves else 0.0
        after = new_waves[number]["metrics"]["monthly_cost"] if number in new_waves else 0.0
        by_wave.append({"wave": number, "old": before, "new": after, "delta": round(after - before, 2) + 0.0})
    cutovers = [{"wave": n, "old": old_waves[n]["cutover"], "new": new_waves[n]["cutover"]}
                for n in sorted(set(old_waves) & set(new_waves)) if old_waves[n]["cutover"] != new_waves[n]["cutover"]]

    def total(document: dict, key: str):
        return document["metrics"][key]

    return {
        "moved": [{"server": c["server"], "old_wave": c["old"], "new_wave": c["new"]} for c in changed("wave")],
        "added": [{"server": s, "wave": b[s]["wave"]} for s in sorted(set(b) - set(a), key=str.lower)],
        "removed": [{"server": s, "wave": a[s]["wave"]} for s in sorted(set(a) - set(b), key=str.lower)],
        "strategy_changes": changed("strategy"),
        "sku_changes": changed("target_sku"),
        "cutover_changes": cutovers,
        "cost_by_wave": by_wave,
        "monthly_cost": {"old": total(old, "monthly_cost"), "new": total(new, "monthly_cost"),
                         "delta": round(total(new, "monthly_cost") - total(old, "monthly_cost"), 2) + 0.0},
        "hybrid_exposure": {"old": total(old, "hybrid_exposure"), "new": total(new, "hybrid_exposure"),
                            "delta": total(new, "hybrid_exposure") - total(old, "hybrid_exposure")},
        "waves": {"old": total(old, "waves"), "new": total(new, "waves")},
        "inputs": {"old": old.get("inputs"), "new": new.get("inputs")},
    }
