"""The plan as JSON values (schema carelift.plan/v1): its sections, and the plan JSON text.

`plan_sections` builds the top-level keys, the long sections (servers, waves, applications,
crossing links) as lazy `Records`; `plan_to_json` writes them through `encoder.dump_document`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterable, Sequence

# Hundreds of thousands of small dicts, no cycles among them: the collector would walk them again and again.
from migrate.inventory.tables.bulk import quiet_gc
from migrate.planning.build import Plan
from migrate.planning.canonical import plain, settings_document
from migrate.planning.encoder import Records, dump_document
from migrate.planning.model import CrossingLink, MoveGroup
from migrate.planning.settings import PlanSettings
from migrate.planning.spend import migration_spend
from migrate.planning.wave_reasons import WaveReasons

SCHEMA = "carelift.plan/v1"


def wave_name(number: int, settings: PlanSettings) -> str:
    if number == 0:
        return "Foundation"
    if number == 1 and settings.pilot_wave:
        return "Pilot"
    return f"Wave {number}"



def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as JSON values (schema carelift.plan/v1), every section built."""
    with quiet_gc():
        return {key: value.materialise() if isinstance(value, Records) else value
                for key, value in plan_sections(plan).items()}


def plan_to_json(plan: Plan) -> str:
    """The plan JSON: sorted keys, fixed separators, one server, wave, application or link per line.

    Whole-document indentation would run json's pure-Python encoder (seconds for 100,000
    servers); instead each record is encoded by the C encoder on its own line, which also
    keeps a diff of two plans to the records that changed.
    """
    with quiet_gc():
        return dump_document(plan_sections(plan))



def plan_sections(plan: Plan) -> dict[str, Any]:
    """Top-level keys of the plan JSON; the long sections are lazy `Records`."""
    from migrate import __version__

    settings = plan.settings
    by_name = {s.name: s for s in plan.servers}
    group_wave = plan.assignment.waves
    group_of = {server: g for g in plan.groups for server in g.servers}
    wave_of = {server: group_wave[g.id] for server, g in group_of.items()}
    money = {name: a.cost.monthly for name, a in plan.assessments.items() if name not in plan.excluded}
    dates = {d.number: d for d in plan.dates}
    links = plan.assignment.crossing_links
    by_wave: dict[int, list[MoveGroup]] = defaultdict(list)
    for g in sorted(plan.groups, key=lambda g: g.id):
        by_wave[group_wave[g.id]].append(g)
    numbers = sorted(by_wave)

    def servers():
        for server in sorted(plan.servers, key=lambda s: s.name):
            a = plan.assessments[server.name]
            group = group_of.get(server.name)
            yield server.name, {
                "wave": wave_of.get(server.name),
                "move_group": group.id if group else None,
                "readiness": a.readiness.status,
                "readiness_reasons": list(a.readiness.reasons),
                "strategy": a.strategy.strategy,
                "strategy_rule": a.strategy.rule,
                "strategy_target": a.strategy.target,
                "strategy_overridden": a.strategy.overridden,
                "target_sku": a.sizing.sku,
                "sizing": {"vcpu": a.sizing.vcpu, "memory_gb": a.sizing.memory_gb, "mode": a.sizing.mode,
                           "rule": a.sizing.rule,
                           "disks": [{"label": d.label, "size_gb": d.size_gb, "tier": d.tier}
                                     for d in a.sizing.disks]},
                "monthly_cost": _usd(money.get(server.name, 0.0)),
                "cost": {"compute_payg": _usd(a.cost.compute_payg), "compute_ri1y": _usd(a.cost.compute_ri1y),
                         "compute_ri3y": _usd(a.cost.compute_ri3y), "storage": _usd(a.cost.storage),
                         "monthly": _usd(a.cost.monthly), "hybrid_benefit": a.cost.hybrid_benefit},
                "shared_service": plan.shared.get(server.name),
                "hub": plan.hubs.get(server.name),
                "service_kind": ("extended-infrastructure" if server.name in plan.shared
                                 else "hub" if server.name in plan.hubs else None),
                "excluded": plan.excluded.get(server.name),
                "environment": server.environment,
                "tier": server.tier,
                "applications": list(server.applications),
                "owner": server.owner or None,
                "business_unit": server.business_unit or None,
            }

    def waves():
        explain = WaveReasons(plan)
        touching, hybrid_after = _link_counts(links, numbers)
        cumulative = 0.0
        for number in numbers:
            members = by_wave[number]
            names = sorted((s for g in members for s in g.servers), key=lambda s: (s.lower(), s))
            cost = sum(money.get(s, 0.0) for s in names)
            cumulative += cost
            when = dates.get(number)
            yield {
                "number": number,
                "name": wave_name(number, settings),
                "start": when.start if when else None,
                "cutover": when.cutover if when else None,
                "cutover_end": when.cutover_end if when else None,
                "servers": names,
                "move_groups": [{
                    "id": g.id, "servers": list(g.servers), "applications": list(g.applications),
                    "environment": g.environment, "reasons": list(g.reasons), "wave_reasons": explain.of(g, number),
                    "vcpu": g.vcpu, "storage_tb": round(g.storage_tb, 3), "tier0": g.tier0, "phi": g.phi,
                    "kind": "extended-infrastructure" if g.foundation else "hub" if g.hub else "application",
                    "monthly_cost": _usd(sum(money.get(s, 0.0) for s in g.servers)),
                } for g in members],
                "metrics": {
                    "servers": len(names),
                    "move_groups": len(members),
                    "vcpu": sum(g.vcpu for g in members),
                    "replication_tb": round(sum(g.storage_tb for g in members), 3),
                    "tier0_cutovers": sum(1 for g in members if g.tier0),
                    "phi_servers": sum(1 for s in names if by_name[s].data_classification == "phi"),
                    "monthly_cost": _usd(cost),
                    "monthly_cost_cumulative": _usd(cumulative),
                    "crossing_links": touching[number],
                    "hybrid_links_after_cutover": hybrid_after[number][0],
                    "hybrid_weight_after_cutover": hybrid_after[number][1],
                },
            }

    def applications():
        for app in sorted(plan.applications, key=lambda a: a.name):
            members = [s for s in app.servers if s in plan.assessments]
            strategy = plan.application_strategies.get(app.name)
            owners = ranked(by_name[s].owner for s in members)
            units = ranked(by_name[s].business_unit for s in members)
            yield app.name, {
                "type": app.type,
                "criticality": app.criticality,
                "strategy": strategy.strategy if strategy else None,
                "strategy_rule": strategy.rule if strategy else None,
                "strategy_target": strategy.target if strategy else None,
                "strategy_overridden": strategy.overridden if strategy else False,
                "servers": members,
                "strategies": dict(sorted(Counter(plan.assessments[s].strategy.strategy for s in members).items())),
                "waves": sorted({wave_of[s] for s in members if s in wave_of}),
                "monthly_cost": _usd(sum(money.get(s, 0.0) for s in members)),
                "owner": owners[0][0] if owners else None,
                "owners": [{"owner": name, "servers": count} for name, count in owners],
                "servers_without_owner": sum(1 for s in members if not by_name[s].owner),
                "business_unit": units[0][0] if units else None,
                "business_units": [{"business_unit": name, "servers": count} for name, count in units],
            }

    def crossing_links():
        for c in sorted(links, key=lambda c: (min(c.source_wave, c.destination_wave),
                                              max(c.source_wave, c.destination_wave),
                                              c.source.lower(), c.destination.lower(), c.port, c.source,
                                              c.destination, c.needs)):
            yield {"source": c.source, "destination": c.destination, "port": c.port, "weight": c.weight,
                   "source_wave": c.source_wave, "destination_wave": c.destination_wave, "needs": list(c.needs)}

    first, last = (dates.get(numbers[0]), dates.get(numbers[-1])) if numbers else (None, None)
    assessed = [plan.assessments[s.name] for s in plan.servers]
    return {
        "schema": SCHEMA,
        "generator": f"carelift {__version__}",
        "inputs": plain(plan.inputs),
        "settings": settings_document(settings),
        "pricing": plain(plan.pricing),
        "metrics": {
            "hybrid_exposure": plan.assignment.hybrid_exposure,
            "waves": len(numbers),
            "migration_waves": sum(1 for n in numbers if n > 0),
            "servers": len(plan.servers),
            "servers_in_waves": len(wave_of),
            "servers_excluded": len(plan.excluded),
            "shared_services": len(plan.shared),
            "extended_infrastructure": len(plan.shared),
            "hubs": len(plan.hubs),
            "move_groups": len(plan.groups),
            "crossing_links": len(links),
            "monthly_cost": _usd(sum(money.values())),
            "first_cutover": first.cutover if first else None,
            "last_cutover": last.cutover if last else None,
            "by_strategy": dict(sorted(Counter(a.strategy.strategy for a in assessed).items())),
            "by_readiness": dict(sorted(Counter(a.readiness.status for a in assessed).items())),
        },
        "waves": Records(waves),
        "servers": Records(servers, mapping=True),
        "applications": Records(applications, mapping=True),
        "crossing_links": Records(crossing_links),
        "notes": list(plan.assignment.notes),
        "warnings": [w.document() for w in plan.warnings],
        "spend": migration_spend(wave_of, plan.assessments, plan.dates, settings,
                                 float(plan.pricing.get("hours_per_month") or 730), plan.pricing),
    }


def ranked(values: Iterable[str | None]) -> list[tuple[str, int]]:
    """Each distinct non-empty value with the number of times it occurs, the most common first; a tie
    goes to the value first in case-insensitive order, then in code-point order (deterministic, never
    the inventory's row order). An application's `owner` is the first of its servers' owners ranked so."""
    counts = Counter(value for value in values if value)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold(), item[0]))


def _link_counts(links: Sequence[CrossingLink], numbers: Sequence[int]
                 ) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Per wave: crossing links with an end in it; and (count, weight) of the links still hybrid after
    its cutover — one end already in Azure, the other not yet (waves lo ≤ w < hi). One pass over
    the links and a running sum, not waves × links."""
    touching: dict[int, int] = defaultdict(int)
    starts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for c in links:
        lo, hi = sorted((c.source_wave, c.destination_wave))
        touching[lo] += 1
        touching[hi] += 1
        starts[lo][0] += 1
        starts[lo][1] += c.weight
        starts[hi][0] -= 1
        starts[hi][1] -= c.weight
    hybrid: dict[int, tuple[int, int]] = {}
    count = weight = 0
    for number in range(min(numbers, default=0), max(numbers, default=-1) + 1):
        count, weight = count + starts[number][0], weight + starts[number][1]
        hybrid[number] = (count, weight)
    return {n: touching[n] for n in numbers}, hybrid


def _usd(value: float) -> float:
    return round(float(value), 2) + 0.0  # + 0.0: never print -0.0

