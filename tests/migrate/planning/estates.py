"""Estates for planner tests: a generated estate as the inventory would hold it, without the files.

`inventory(estate)` is what `carelift estate generate` + `inventory import` + `deps import`
produce, built in memory: mapped servers carry their application, environment, tier and
classification; dependency weights count the 6-hour slots a flow was observed in; endpoints
outside the inventory stay addresses. It takes milliseconds, so property tests can afford many.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from migrate.estate.flows import observations
from migrate.estate.generator import generate
from migrate.estate.model import Estate
from migrate.inventory.model import Application, Dependency, Disk, Server


def inventory(estate: Estate) -> tuple[tuple[Server, ...], tuple[Application, ...], tuple[Dependency, ...]]:
    servers = []
    members: dict[str, list] = defaultdict(list)
    for s in estate.servers:
        if s.template:
            continue
        mapped = s.mapped and s.application is not None
        servers.append(Server(
            name=s.name, ips=(s.ip,) if s.ip else (), os_family=s.family, cores=s.cpus, memory_mb=s.memory_gb * 1024,
            disks=tuple(Disk(d.label, float(d.size_gb), float(d.used_gb), d.shared) for d in s.disks),
            power_state="on" if s.powered_on else "off", hypervisor=s.platform,
            applications=(s.application,) if mapped else (), environment=s.environment if mapped else None,
            tier=s.tier if mapped else None, data_classification=s.classification if mapped else None))
        if mapped:
            members[s.application].append(s)
    applications = tuple(Application(name=app, type=group[0].app_type or "other",
                                      criticality=min((s.tier for s in group if s.tier is not None), default=None),
                                      servers=tuple(sorted(s.name for s in group)))
                         for app, group in sorted(members.items()))
    weights: dict[tuple[str, str, int], int] = defaultdict(int)
    resolved: dict[tuple[str, str, int], bool] = {}
    for _, c in observations(estate):
        key = (c.source or c.source_ip, c.destination or c.destination_ip, c.port)
        weights[key] += 1
        resolved[key] = bool(c.destination)
    dependencies = tuple(Dependency(source=s, destination=d, port=port, weight=w, destination_resolved=resolved[(s, d, port)])
                         for (s, d, port), w in sorted(weights.items()))
    return tuple(sorted(servers, key=lambda s: s.name.lower())), applications, dependencies


@lru_cache(maxsize=16)
def generated(servers: int, seed: int):
    """`inventory(generate(servers, seed))`, cached: estates are immutable."""
    return inventory(generate(servers, seed=seed))


ENGINE = "HL7 Interface Engine"
ENGINE_WEIGHT = 28
"""Observation slots of a constant MLLP feed over a week: above `strong_link.min_weight`, so only
the hub rule keeps the engine's links from gluing every clinical system into one move group."""


def with_interface_engine(inventory):
    """The inventory with an interface engine reached by most clinical systems.

    Every server of every application that is neither infrastructure (by type or name) nor the
    engine itself sends HL7 on MLLP 2575 to the engine's servers of its own environment (its
    production when the engine has no such environment), weight ENGINE_WEIGHT. The generated
    estate's engine is tier 0 in production: the rules bite on it.
    """
    from migrate.planning.groups import shared_service_kind

    servers, applications, dependencies = inventory
    engine = {s.name: s.environment for s in servers if ENGINE in s.applications}
    assert any(env == "prd" for env in engine.values()), "the generated estate has no production interface engine"
    infrastructure = {a.name for a in applications if a.type == "identity" or shared_service_kind(a.name)}
    by_env: dict = defaultdict(list)
    for name, env in sorted(engine.items()):
        by_env[env].append(name)
    added: dict[tuple[str, str, int], int] = {}
    for s in servers:
        if not s.applications or ENGINE in s.applications or set(s.applications) & infrastructure:
            continue
        targets = by_env.get(s.environment) or by_env["prd"]
        added[(s.name, targets[hash_index(s.name, len(targets))], 2575)] = ENGINE_WEIGHT
    merged = {(d.source, d.destination, d.port): d for d in dependencies}
    for (source, destination, port), weight in added.items():
        merged[(source, destination, port)] = Dependency(source=source, destination=destination, port=port,
                                                         weight=weight, destination_resolved=True)
    return servers, applications, tuple(merged[k] for k in sorted(merged))


def hash_index(name: str, size: int) -> int:
    """A stable spread of clients over the engine's nodes (Python's hash() is salted per process)."""
    return sum(name.encode()) % size
