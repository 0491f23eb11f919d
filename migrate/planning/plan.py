"""The whole plan: every stage run in order, and its canonical JSON.

    plan = build_plan(servers, applications, dependencies, settings, overrides, relax=False)
    text = plan_to_json(plan)          # byte-identical for the same inputs and settings

Stages: assess each server (readiness, strategy, size, cost) → take retired and retained
servers out of the waves → tell extended infrastructure (foundation wave 0) from hubs (planned
like any application) → move groups → waves → calendar. The JSON shape is documented in the README ("Migration plan").
"""

from __future__ import annotations

import dataclasses
import datetime
import gc
import hashlib
import json
import operator
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from migrate.inventory.model import Application, Dependency, Server
from migrate.planning.assess import assess_applications, assess_estate
from migrate.planning.cost import pricing_assumptions
from migrate.planning.groups import NON_PRODUCTION, classify_services, move_groups
from migrate.planning.model import (CrossingLink, Infeasibility, InfeasiblePlan, MoveGroup, ServerAssessment,
                                    Strategy, WaveAssignment, WaveDates)
from migrate.planning.sanity import PlanWarning, dependency_window, plan_shape
from migrate.planning.schedule import schedule
from migrate.planning.spend import migration_spend
from migrate.planning.settings import PlanSettings
from migrate.planning.waves import plan_waves

SCHEMA = "carelift.plan/v1"
NOT_MIGRATED = ("retire", "retain")
"""Strategies whose servers stay out of the waves: switched off, or kept on-premises."""


@dataclass(frozen=True)
class Plan:
    settings: PlanSettings
    servers: tuple[Server, ...]
    applications: tuple[Application, ...]
    assessments: Mapping[str, ServerAssessment]
    shared: Mapping[str, str]
    """Extended-infrastructure server -> why it is one (these form the foundation wave 0)."""
    excluded: Mapping[str, str]
    """Server kept out of the waves -> why (its retire/retain strategy and rule)."""
    groups: tuple[MoveGroup, ...]
    assignment: WaveAssignment
    dates: tuple[WaveDates, ...]
    inputs: Mapping[str, Any]
    """Digests of what the plan was computed from: inventory, settings, overrides."""
    links: tuple[Dependency, ...] = ()
    """Dependencies between servers of the inventory (external endpoints left out), for explanations."""
    pricing: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """The pricing assumptions the costs rest on (price snapshot, region, option, hybrid benefit)."""
    application_strategies: Mapping[str, Strategy] = dataclasses.field(default_factory=dict)
    """Each application's strategy (override, SaaS replacement, or from its servers)."""
    hubs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Hub server -> why it is one: planned like any application, its links crossing."""
    warnings: tuple[PlanWarning, ...] = ()
    """About the evidence (dependency window) and the plan's shape (`sanity`)."""


def build_plan(servers: Sequence[Server], applications: Sequence[Application], dependencies: Sequence[Dependency],
               settings: PlanSettings, overrides: Any = None, *, relax: bool = False,
               inputs_digest: str | None = None, today: datetime.date | None = None) -> Plan:
    """Run every planning stage. Raises InfeasiblePlan naming each conflict and the servers in it.

    `inputs_digest` is the inventory's digest when the caller already has it; else it is
    computed here (`inventory_digest`). `today`, when given, is the day the plan is made: a
    `start_date` before it is warned about (the only input from the clock, used for nothing else).
    """
    servers, applications = tuple(servers), tuple(applications)
    _refuse_duplicate_names(servers)
    assessments = assess_estate(servers, applications, dependencies, settings, overrides)
    app_strategies = assess_applications(applications, assessments, settings, overrides)
    excluded = {name: f"{a.strategy.strategy}: {a.strategy.rule}"
                for name, a in sorted(assessments.items()) if a.strategy.strategy in NOT_MIGRATED}
    services = classify_services(servers, applications, dependencies, settings)
    shared = {name: reason for name, reason in services.infrastructure.items() if name not in excluded}
    hubs = {name: reason for name, reason in services.hubs.items() if name not in excluded}
    groups = tuple(sorted(move_groups(servers, applications, dependencies, settings, shared, excluded, hubs),
                          key=lambda g: g.id))
    assignment = plan_waves(groups, dependencies, servers, settings, relax=relax)
    assignment = dataclasses.replace(assignment, notes=services.notes + assignment.notes)
    groups = _groups_as_planned(groups, assignment)
    dates = tuple(schedule(set(assignment.waves.values()), settings))
    names = {s.name for s in servers}
    links = tuple(d for d in dependencies if d.source in names and d.destination in names and d.source != d.destination)
    first_seen = min((d.first_seen for d in dependencies if d.first_seen), default=None)
    last_seen = max((d.last_seen for d in dependencies if d.last_seen), default=None)
    warnings = tuple(dependency_window(first_seen, last_seen, settings)
                     + plan_shape(assignment.waves.values(), max((d.cutover for d in dates), default=None),
                                  settings, today))
    return Plan(settings=settings, servers=servers, applications=applications, assessments=assessments,
                shared=shared, excluded=excluded, groups=groups, assignment=assignment, dates=dates,
                inputs={"inventory": {"sha256": inputs_digest or inventory_digest(servers, applications, dependencies),
                                      "servers": len(servers), "applications": len(applications),
                                      "dependencies": len(dependencies)},
                        "settings": {"sha256": _sha256(canonical_json(settings_document(settings)))},
                        "overrides": None if overrides is None else {"sha256": _sha256(canonical_json(overrides))}},
                links=links, pricing=pricing_assumptions(settings), application_strategies=app_strategies,
                hubs=hubs, warnings=warnings)


def _refuse_duplicate_names(servers: Sequence[Server]) -> None:
    # The plan names servers; two servers with one name would make it ambiguous which one moves.
    seen: dict[str, list[Server]] = defaultdict(list)
    for server in servers:
        seen[server.name.lower()].append(server)
    problems = [Infeasibility("unique-names", f"{len(same)} servers are named {same[0].name} "
                              f"(identities {', '.join(sorted(s.identity for s in same))}): rename all but one "
                              "in the inventory so the plan can tell them apart", (same[0].name,))
                for _, same in sorted(seen.items()) if len(same) > 1]
    if problems:
        raise InfeasiblePlan(problems)


def _groups_as_planned(groups: tuple[MoveGroup, ...], assignment: WaveAssignment) -> tuple[MoveGroup, ...]:
    """The groups the waves hold: with --relax, pieces replace the oversized groups they split."""
    planned = tuple(sorted(assignment.groups, key=lambda g: g.id)) if assignment.groups else groups
    if {g.id for g in planned} != set(assignment.waves):
        missing = sorted(set(assignment.waves) ^ {g.id for g in planned})
        raise AssertionError(f"the wave assignment and the move groups disagree on group ids: {missing[:10]}")
    return planned


# -- digests --------------------------------------------------------------------------------

def inventory_digest(servers: Iterable[Server], applications: Iterable[Application],
                     dependencies: Iterable[Dependency]) -> str:
    """SHA-256 of a canonical serialisation of the inventory (order of the inputs does not matter)."""
    digest = hashlib.sha256()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=_plain).encode
    for kind, records, key in (
            ("servers", servers, lambda s: (s.name.lower(), s.identity)),
            ("applications", applications, lambda a: a.name.lower()),
            ("dependencies", dependencies, lambda d: (d.source, d.destination, d.port, d.protocol))):
        rows = sorted(records, key=key)
        names = [f.name for f in dataclasses.fields(rows[0])] if rows else []
        digest.update(encode([kind, names]).encode())
        if not rows:
            continue
        # Field values by position (tuples encode as lists; nested dataclasses such as disks go through
        # `default`), in chunks: a 500,000-edge estate stays well under a second.
        values = operator.attrgetter(*names)
        for i in range(0, len(rows), 10_000):
            digest.update(encode([values(r) for r in rows[i:i + 10_000]]).encode())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Compact, key-sorted JSON of dataclasses, mappings, sets and sequences."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def settings_document(settings: PlanSettings) -> dict[str, Any]:
    """The effective settings as JSON values (defaults filled in), plus the derived replication limit."""
    document = _plain(settings)
    document["blackout_dates"] = [first if first == last else f"{first}..{last}"
                                  for first, last in settings.blackout_dates]
    document["saas_replacements"] = dict(settings.saas_replacements)
    document["pins"] = [{k: v for k, v in pin.items() if v is not None} for pin in document["pins"]]
    document["replication_tb_per_wave"] = settings.replication_tb_per_wave
    return document


# -- the JSON document ----------------------------------------------------------------------

def wave_name(number: int, settings: PlanSettings) -> str:
    if number == 0:
        return "Foundation"
    if number == 1 and settings.pilot_wave:
        return "Pilot"
    return f"Wave {number}"


@dataclass(frozen=True)
class Records:
    """A long section of the plan (servers, waves, applications, crossing links), produced lazily so
    the JSON is written record by record instead of holding the whole document as well as its text."""

    produce: Callable[[], Iterable[Any]]
    """Yields records (a list section) or (key, record) pairs in key order (a mapping section)."""
    mapping: bool = False

    def materialise(self) -> Any:
        return dict(self.produce()) if self.mapping else list(self.produce())


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as JSON values (schema carelift.plan/v1), every section built."""
    with _quiet_gc():
        return {key: value.materialise() if isinstance(value, Records) else value
                for key, value in plan_sections(plan).items()}


def plan_to_json(plan: Plan) -> str:
    """The plan JSON: sorted keys, fixed separators, one server, wave, application or link per line.

    Whole-document indentation would run json's pure-Python encoder (seconds for 100,000
    servers); instead each record is encoded by the C encoder on its own line, which also
    keeps a diff of two plans to the records that changed.
    """
    with _quiet_gc():
        return dump_document(plan_sections(plan))


@contextmanager
def _quiet_gc():
    # Building hundreds of thousands of small dicts triggers the cyclic collector again and again,
    # each time walking the whole inventory: 2-3× slower. Nothing built here forms a cycle.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def dump_document(document: Mapping[str, Any]) -> str:
    """A plan document (built, or with lazy Records sections) as the plan's JSON text.

    ASCII only (other characters as \\u escapes): one non-Latin-1 character — a "→" in a rule —
    would make Python hold the whole text at two bytes per character; a 100,000-server plan is
    200 MB of text.
    """
    encode = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(", ", ": ")).encode
    parts = []
    for key in sorted(document):
        value = document[key]
        if isinstance(value, Records):
            mapping, items = value.mapping, value.produce()
        elif isinstance(value, Mapping) and key in RECORD_MAPPINGS:
            mapping, items = True, (pair for pair in sorted(value.items()))
        elif isinstance(value, list):
            mapping, items = False, value
        else:
            parts.append(f"  {encode(key)}: {encode(value)}")
            continue
        if mapping:
            lines = [f"    {encode(k)}: {encode(v)}" for k, v in items]
            parts.append(f"  {encode(key)}: {{\n" + ",\n".join(lines) + "\n  }" if lines else f"  {encode(key)}: {{}}")
        else:
            lines = [f"    {encode(v)}" for v in items]
            parts.append(f"  {encode(key)}: [\n" + ",\n".join(lines) + "\n  ]" if lines else f"  {encode(key)}: []")
        del lines
    return "{\n" + ",\n".join(parts) + "\n}\n"


RECORD_MAPPINGS = ("servers", "applications")
"""Mapping sections written one entry per line; other mappings (metrics, settings, ...) take one line."""


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
        "inputs": _plain(plan.inputs),
        "settings": settings_document(settings),
        "pricing": _plain(plan.pricing),
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


# -- why a group is in its wave -------------------------------------------------------------

class WaveReasons:
    """Sentences saying which rules and links put a move group in its wave."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.settings = plan.settings
        self.wave_of_group = plan.assignment.waves
        self.group_of = {server: g.id for g in plan.groups for server in g.servers}
        self.app_env_waves: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for g in plan.groups:
            for app in g.applications:
                self.app_env_waves[app][g.environment or ""].add(self.wave_of_group[g.id])
        # Heaviest links from each group to other groups: what pulls it towards its neighbours.
        self.peers: dict[str, Counter] = defaultdict(Counter)
        for d in plan.links:
            a, b = self.group_of.get(d.source), self.group_of.get(d.destination)
            if a and b and a != b:
                self.peers[a][b] += d.weight
                self.peers[b][a] += d.weight

    def of(self, group: MoveGroup, wave: int) -> list[str]:
        s, out = self.settings, []
        shared = [f"{name} ({self.plan.shared[name]})" for name in group.servers if name in self.plan.shared]
        if shared:
            out.append(f"foundation: extended infrastructure {', '.join(shared)}")
        hubs = [name for name in group.servers if name in self.plan.hubs]
        if hubs:
            out.append(f"hub {', '.join(hubs)} ({self.plan.hubs[hubs[0]]}): planned like any application under "
                       "every rule, placed by the optimiser; its links count in H while they cross")
        for i, pin in enumerate(s.pins):
            if self._pinned(pin, group):
                target = f"wave {pin.wave}" if pin.wave is not None else f"after application {pin.after}"
                who = pin.server or (pin.application + (f" {pin.environment}" if pin.environment else ""))
                out.append(f"pins[{i}]: {who} → {target}")
        if wave == 1 and s.pilot_wave and not group.tier0 and not group.phi:
            out.append("pilot wave (pilot_wave): low-risk systems, no PHI and no tier-0/1 server, move first")
        if group.tier0:
            out.append(f"tier-0 clinical system: not before wave {s.tier0_not_before_wave}, "
                       f"at most {s.wave.max_tier0_cutovers} tier-0 cutover(s) per wave")
        if group.environment == "prd":
            for app in group.applications:
                earlier = sorted({w for env, waves in self.app_env_waves[app].items() if env in NON_PRODUCTION
                                  for w in waves})
                if earlier:
                    out.append(f"production of {app} after its non-production environments "
                               f"(wave{'s' if len(earlier) > 1 else ''} {', '.join(map(str, earlier))})")
        for peer, weight in sorted(self.peers[group.id].items(), key=lambda kv: (-kv[1], kv[0]))[:3]:
            peer_wave = self.wave_of_group[peer]
            where = "same wave" if peer_wave == wave else f"wave {peer_wave}"
            out.append(f"linked to {peer} ({where}) with weight {weight}")
        return out

    def _pinned(self, pin, group: MoveGroup) -> bool:
        if pin.server is not None:
            return any(pin.server.lower() == name.lower() for name in group.servers)
        return any(pin.application.lower() == app.lower() for app in group.applications) and \
            (pin.environment is None or pin.environment == group.environment)
