"""The whole plan: every planning stage run in order.

    plan = build_plan(servers, applications, dependencies, settings, overrides, relax=False)
    text = plan_to_json(plan)          # migrate.planning.document: byte-identical for the same inputs

Stages: assess each server (readiness, strategy, size, cost) → take retired and retained
servers out of the waves → tell extended infrastructure (foundation wave 0) from hubs (planned
like any application) → move groups → waves → calendar. The JSON shape is documented in the README ("Migration plan").
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from migrate.inventory.model import Application, Dependency, Server
from migrate.planning.assess import assess_applications, assess_estate
from migrate.planning.cost import pricing_assumptions
from migrate.planning.digests import inputs_section
from migrate.planning.groups import classify_services, move_groups
from migrate.planning.model import (Infeasibility, InfeasiblePlan, MoveGroup, ServerAssessment, Strategy,
                                    WaveAssignment, WaveDates)
from migrate.planning.sanity import PlanWarning, dependency_window, plan_shape
from migrate.planning.schedule import schedule
from migrate.planning.settings import PlanSettings
from migrate.planning.waves import plan_waves

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
    computed here (`digests.inventory_digest`). `today`, when given, is the day the plan is made: a
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
                inputs=inputs_section(servers, applications, dependencies, settings, overrides, inputs_digest),
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
