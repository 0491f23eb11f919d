"""Services and move groups: what the foundation wave builds, which hubs there are, what moves together.

`classify_services` tells two kinds apart. Extended infrastructure — what every other system
leans on and a landing zone builds anew on both sides (directory, DNS, NTP, monitoring, backup,
patching, antivirus) — moves first, in the foundation wave 0. Hubs — one system many others reach
(an interface engine, a shared SQL cluster), found by fan-in or named in `hubs` — cannot be on
both sides: they are planned like any application, under every rule. Links to either kind do not
glue the estate together — otherwise every server would land in one giant group.

`move_groups` then joins the remaining planned servers with a union-find (near-linear):
- everything of one application and environment (a server of two applications joins both);
- servers on both ends of a strong link: weight ≥ `strong_link.min_weight`, or a port in
  `strong_link.ports` (databases, file shares: latency-sensitive whatever their volume);
- the user's `affinities` (server or application names).
Links between a hub and a server that is not one, links to extended infrastructure, to external
endpoints and to excluded (retired/retained) servers never join anything. Extended
infrastructure gets its own groups by the same rules, marked `foundation`; hubs get theirs,
marked `hub`.

Conventions the waves rely on (documented in the README's plan section):
- vCPU is the on-premises core count (unknown counts 0); replicated data is each disk's used
  space when the inventory knows it, else its size, in decimal TB (GB / 1000);
- a group is tier-0 if it holds a server of tier 0, PHI if it holds a server classified phi.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from migrate.inventory.model import Application, Dependency, Server
from migrate.planning.model import MoveGroup
from migrate.planning.names import NameResolver
from migrate.planning.settings import PlanSettings

SERVICE_PORTS: dict[int, str] = {
    # Directory and time: every domain member uses them.
    53: "DNS", 88: "Kerberos", 123: "NTP", 389: "LDAP", 464: "Kerberos password change", 636: "LDAPS",
    3268: "global catalog", 3269: "global catalog over TLS",
    # Monitoring and log collection agents reporting in.
    514: "syslog", 6514: "syslog over TLS", 5723: "SCOM agent", 10051: "Zabbix active agent", 9997: "Splunk forwarder",
    # Patching and licensing.
    8530: "WSUS", 8531: "WSUS over TLS", 1688: "KMS activation",
    # Backup agents reporting to their server.
    8400: "Commvault CommServe", 9392: "Veeam backup server", 1556: "NetBackup PBX", 13724: "NetBackup vnetd",
    # Antivirus management.
    8014: "Symantec Endpoint Protection Manager",
}
"""Ports only infrastructure services listen on; a server answering one of them to at least
SERVICE_PORT_MIN_CLIENTS servers is a shared service."""
SERVICE_PORT_MIN_CLIENTS = 3
"""One or two clients may be a test or a misconfiguration; three is a service others rely on."""
FAN_IN_MIN_APPLICATIONS = 3
"""Fan-in counts only when the clients come from this many other applications: the web tier every
Citrix session reaches is one application's front end, a service many applications use is shared."""

_NAME_RULES: tuple[tuple[str, str], ...] = (
    (r"\bactive directory\b|\bdomain controllers?\b|\bldap\b|\bdns\b|\bntp\b|\btime (sync|service)\b",
     "a directory, name or time service"),
    (r"\bmonitoring\b|\bscom\b|\boperations manager\b|\bzabbix\b|\bnagios\b|\bsolarwinds\b|\bsplunk\b|\bsiem\b|"
     r"\bsyslog\b|\bsecurity logging\b|\blog (collection|management)\b", "a monitoring or log-collection service"),
    (r"\bbackups?\b|\bcommvault\b|\bveeam\b|\bnetbackup\b", "a backup service"),
    (r"\bpatch(ing| management)?\b|\bwsus\b|\bsccm\b|\bconfiguration manager\b|\bbigfix\b", "a patching service"),
    (r"\banti-?virus\b|\bendpoint (protection|security)\b|\bepo\b|\bedr\b", "an antivirus service"),
)
_CLINICAL = re.compile(r"\b(patient|fetal|cardiac|telemetry|clinical|bedside|vital|nurse|medical|ehr)\b", re.I)
"""Clinical words veto a name match: "Patient Monitoring Gateway" is a clinical system, not IT monitoring."""
_NAME_PATTERNS = tuple((re.compile(pattern, re.I), what) for pattern, what in _NAME_RULES)

NON_PRODUCTION = ("tst", "dev", "trn", "rel", "poc")


def shared_service_kind(application: str) -> str | None:
    """What kind of shared service an application's name says it is, or None."""
    if _CLINICAL.search(application):
        return None
    for pattern, what in _NAME_PATTERNS:
        if pattern.search(application):
            return what
    return None


def applications_of(servers: Sequence[Server], applications: Iterable[Application]) -> dict[str, tuple[str, ...]]:
    """Server name -> its applications, from the server's own list and the applications' member lists."""
    apps: dict[str, set[str]] = {s.name: set(s.applications) for s in servers}
    for application in applications:
        for name in application.servers:
            if name in apps:
                apps[name].add(application.name)
    return {name: tuple(sorted(found, key=lambda a: (a.lower(), a))) for name, found in apps.items()}


@dataclass(frozen=True)
class Services:
    """The two kinds of service the planner tells apart (README, "Migration plan")."""

    infrastructure: dict[str, str]
    """Extended infrastructure, server -> why: directory/DNS/NTP, monitoring and log collection,
    backup, patching, antivirus. Built anew on both sides: foundation wave 0, and with
    `shared_services.links: local` their links never cross."""
    hubs: dict[str, str]
    """Hubs, server -> why: one system many others reach (an interface engine, a shared SQL
    cluster). Planned like any application under every rule and placed by the optimiser; links to
    a hub join no move group (or its clients would all become one) and count in H while they cross."""
    notes: tuple[str, ...] = ()
    """Names in settings that match nothing, and explicit choices that overrode each other."""


def shared_services(servers: Sequence[Server], applications: Sequence[Application],
                    dependencies: Sequence[Dependency], settings: PlanSettings) -> dict[str, str]:
    """The extended infrastructure of `classify_services` (server -> why)."""
    return classify_services(servers, applications, dependencies, settings).infrastructure


def classify_services(servers: Sequence[Server], applications: Sequence[Application],
                      dependencies: Sequence[Dependency], settings: PlanSettings) -> Services:
    """Extended infrastructure and hubs, each server -> why, sorted by name. Evidence, in order:

    Extended infrastructure:
    1. named in `shared_services.servers` (a server, or an application: all its servers), or a
       server of an application in `shared_services.applications`;
    2. a server of an application of type `identity`, or whose name says directory/DNS/NTP,
       monitoring/logging, backup, patching or antivirus (`shared_service_kind`);
    3. it answers an infrastructure port (`SERVICE_PORTS`) to ≥ SERVICE_PORT_MIN_CLIENTS servers.
    Hubs:
    4. fan-in: ≥ `shared_services.min_fan_in` servers of ≥ FAN_IN_MIN_APPLICATIONS other
       applications reach it on one port — and it is not extended infrastructure;
    5. named in `hubs` (beats 1-4: an explicit hub is never put in the foundation).
    Evidence 3 and 4 is judged per application: it marks all of its servers, in every environment
    (a server without an application is judged alone). `shared_services.exclude` wins over all of
    them. Every name list accepts server and application names, case-insensitively.

    Each rule is one function below, run in this order; a server's reasons keep the order they were
    found in.
    """
    estate = _Estate.of(servers, applications, settings)
    found = _Found(notes=_unknown_names(estate))
    _listed_servers(estate, found)  # 1
    _application_evidence(estate, found)  # 1 (listed applications) and 2, first match per application
    links = _UnitLinks.of(estate, dependencies)
    inferred = _service_port_evidence(estate, links)  # 3
    _mark_units(links, inferred, found.infrastructure)
    _mark_fan_in(links, _fan_in_evidence(estate, links, inferred), found.hubs)  # 4
    _listed_hubs(estate, found)  # 5
    return _exclude_and_decide(estate, found)  # exclude wins; an explicit hub beats 1-4


@dataclass(frozen=True)
class _Estate:
    """What every evidence rule reads: the servers, their applications and the settings' names."""

    servers: Sequence[Server]
    apps: dict[str, tuple[str, ...]]
    """Server name -> its applications (`applications_of`)."""
    resolver: NameResolver
    app_by_lower: dict[str, Application]
    listed: frozenset[str]
    """`shared_services.applications`, lower case."""
    settings: PlanSettings

    @classmethod
    def of(cls, servers: Sequence[Server], applications: Sequence[Application], settings: PlanSettings) -> _Estate:
        apps = applications_of(servers, applications)
        return cls(servers, apps, NameResolver(apps, apps), {a.name.lower(): a for a in applications},
                   frozenset(a.lower() for a in settings.shared_services.applications), settings)


@dataclass
class _Found:
    """The evidence found so far, server -> reasons in the order found."""

    notes: list[str]
    infrastructure: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    hubs: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _unknown_names(estate: _Estate) -> list[str]:
    """A note per name in the settings' lists that matches no server or application."""
    config, settings = estate.settings.shared_services, estate.settings
    return [f"{key}: {name} matches no server or application in the inventory"
            for key, names in (("shared_services.servers", config.servers),
                               ("shared_services.applications", config.applications),
                               ("shared_services.exclude", config.exclude),
                               ("hubs", settings.hubs), ("allow_in_foundation", settings.allow_in_foundation))
            for name in estate.resolver.unknown(names)]


def _listed_servers(estate: _Estate, found: _Found) -> None:
    """Rule 1, by name: `shared_services.servers` (a server, or all servers of an application), and
    a server's own name in `shared_services.applications` (it means that server)."""
    resolver = estate.resolver
    for name in estate.settings.shared_services.servers:
        for server in resolver.resolve(name):
            found.infrastructure[server].append(
                "listed in shared_services.servers" if server.lower() == name.strip().lower()
                else f"application {name} is listed in shared_services.servers")
    for name in estate.settings.shared_services.applications:
        if name.strip().lower() in resolver.by_server:
            found.infrastructure[resolver.by_server[name.strip().lower()]].append(
                "listed in shared_services.applications")


def _listed_application(estate: _Estate, app: str) -> str | None:
    """Rule 1, by application: the application is in `shared_services.applications`."""
    return f"application {app} is listed in shared_services.applications" if app.lower() in estate.listed else None


def _identity_application(estate: _Estate, app: str) -> str | None:
    """Rule 2, by type: the application is of type `identity`."""
    known = estate.app_by_lower.get(app.lower())
    return f"application {app} is an identity service" if known is not None and known.type == "identity" else None


def _named_service(estate: _Estate, app: str) -> str | None:
    """Rule 2, by name: the application's name says what shared service it is (`shared_service_kind`)."""
    kind = shared_service_kind(app)
    return f"application {app} is {kind}" if kind is not None else None


_APPLICATION_RULES = (_listed_application, _identity_application, _named_service)


def _application_evidence(estate: _Estate, found: _Found) -> None:
    """Rules 1 and 2 on each server's applications, in name order: the first rule an application meets."""
    for server in estate.servers:
        for app in estate.apps[server.name]:
            why = next((r for rule in _APPLICATION_RULES if (r := rule(estate, app)) is not None), None)
            if why is not None:
                found.infrastructure[server.name].append(why)


@dataclass(frozen=True)
class _UnitLinks:
    """The links into each unit, the thing evidence from links is judged on.

    A unit is an application (a server without one is a unit of its own): an application's servers
    move together, so they are marked together — every environment — and a service spread over many
    nodes (a shared SQL cluster, an interface-engine pool) shows its fan-in only as a whole.
    """

    units: dict[str, list[str]]
    """unit -> its servers."""
    unit_of: dict[str, list[str]]
    """server -> its units."""
    clients: dict[tuple[str, int], set[str]]
    """(server, port) -> the other inventory servers that reach it there."""
    unit_clients: dict[tuple[str, int], set[str]]
    """(unit, port) -> the servers that reach any of its servers there."""

    @classmethod
    def of(cls, estate: _Estate, dependencies: Sequence[Dependency]) -> _UnitLinks:
        apps = estate.apps
        units: dict[str, list[str]] = defaultdict(list)
        for server in estate.servers:
            for app in apps[server.name] or (server.name,):
                units[app].append(server.name)
        unit_of: dict[str, list[str]] = defaultdict(list)
        for unit, names in units.items():
            for name in names:
                unit_of[name].append(unit)
        clients, unit_clients = _clients(apps, unit_of, dependencies)
        return cls(units, unit_of, clients, unit_clients)


def _clients(apps: Mapping[str, tuple[str, ...]], unit_of: Mapping[str, list[str]],
             dependencies: Sequence[Dependency]) -> tuple[dict[tuple[str, int], set[str]],
                                                         dict[tuple[str, int], set[str]]]:
    """Who reaches whom on which port, per server and per unit; only links between two inventory servers."""
    clients: dict[tuple[str, int], set[str]] = defaultdict(set)
    for d in dependencies:
        if d.source != d.destination and d.source in apps and d.destination in apps:
            clients[(d.destination, d.port)].add(d.source)
    unit_clients: dict[tuple[str, int], set[str]] = defaultdict(set)
    for (destination, port), sources in clients.items():
        for unit in unit_of[destination]:
            unit_clients[(unit, port)].update(sources)
    return clients, unit_clients


def _service_port_evidence(estate: _Estate, links: _UnitLinks) -> dict[str, tuple[str | None, str]]:
    """Rule 3: unit -> (the server that showed it; what it showed) for units with a server that answers
    an infrastructure port to ≥ SERVICE_PORT_MIN_CLIENTS servers (the first such server and port)."""
    inferred: dict[str, tuple[str | None, str]] = {}
    for (destination, port), sources in sorted(links.clients.items()):
        if port in SERVICE_PORTS and len(sources) >= SERVICE_PORT_MIN_CLIENTS:
            for unit in links.unit_of[destination]:
                inferred.setdefault(unit, (destination, f"serves {SERVICE_PORTS[port]} (port {port}) "
                                                        f"to {len(sources)} servers"))
    return inferred


def _mark_units(links: _UnitLinks, inferred: dict[str, tuple[str | None, str]],
                reasons: dict[str, list[str]]) -> None:
    """Rule 3's evidence on every server of its unit, naming the server that showed it when it is another."""
    for unit, (shown_by, why) in sorted(inferred.items()):
        members = links.units[unit]
        for name in members:
            if unit == name or shown_by == name and len(members) == 1:
                reasons[name].append(why)
            else:
                reasons[name].append(f"application {unit}: {shown_by} {why}")


def _fan_in_evidence(estate: _Estate, links: _UnitLinks, inferred: Mapping[str, object]) -> dict[str, str]:
    """Rule 4: unit -> why, for units (not already infrastructure by rule 3) that ≥ `min_fan_in` servers
    of ≥ FAN_IN_MIN_APPLICATIONS other applications reach on one port (the first such port)."""
    min_fan_in = estate.settings.shared_services.min_fan_in
    apps = estate.apps
    fan_in: dict[str, str] = {}
    for (unit, port), sources in sorted(links.unit_clients.items()):
        if unit in inferred or unit in fan_in or len(sources) < min_fan_in:
            continue
        others = [s for s in sources if unit not in apps[s] and s != unit]
        spread = {other for s in others for other in apps[s]}
        if len(others) >= min_fan_in and len(spread) >= FAN_IN_MIN_APPLICATIONS:
            fan_in[unit] = (f"{len(others)} servers of {len(spread)} other applications connect to it on "
                            f"port {port} (fan-in ≥ shared_services.min_fan_in {min_fan_in})")
    return fan_in


def _mark_fan_in(links: _UnitLinks, fan_in: dict[str, str], hubs: dict[str, list[str]]) -> None:
    """Rule 4's evidence on every server of its unit."""
    for unit, why in sorted(fan_in.items()):
        for name in links.units[unit]:
            hubs[name].append(why if unit == name else f"application {unit}: {why}")


def _listed_hubs(estate: _Estate, found: _Found) -> None:
    """Rule 5: named in `hubs` (a server, or all servers of an application)."""
    for name in estate.settings.hubs:
        for server in estate.resolver.resolve(name):
            found.hubs[server].append("listed in hubs" if server.lower() == name.strip().lower()
                                      else f"application {name} is listed in hubs")


def _exclude_and_decide(estate: _Estate, found: _Found) -> Services:
    """`shared_services.exclude` wins over every rule; an explicit hub is never infrastructure (with a
    note when it was also listed as infrastructure); a server that is infrastructure is no hub."""
    resolver, config = estate.resolver, estate.settings.shared_services
    excluded = resolver.servers(config.exclude)
    explicit_hubs = resolver.servers(estate.settings.hubs)
    explicit_infra = resolver.servers(config.servers) | {
        s.name for s in estate.servers if any(a.lower() in estate.listed for a in estate.apps[s.name])}
    both = sorted(explicit_hubs & explicit_infra - excluded, key=lambda s: (s.lower(), s))
    notes = list(found.notes)
    if both:
        notes.append(f"hubs wins over shared_services.servers/applications for {', '.join(both[:20])}"
                     + (f" and {len(both) - 20} more" if len(both) > 20 else "") + ": planned as hubs")
    infrastructure = {name: "; ".join(dict.fromkeys(reasons)) for name, reasons in sorted(found.infrastructure.items())
                      if name not in excluded and name not in explicit_hubs}
    hubs = {name: "; ".join(dict.fromkeys(reasons)) for name, reasons in sorted(found.hubs.items())
            if name not in excluded and name not in infrastructure}
    return Services(infrastructure=infrastructure, hubs=hubs, notes=tuple(notes))


# -- move groups -------------------------------------------------------------------------------

class _UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))
        self.size = [1] * size

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    def union(self, a: int, b: int) -> bool:
        """Join the sets of a and b; False when they already were one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True


def server_vcpu(server: Server) -> int:
    return server.cores or 0


def server_replication_tb(server: Server) -> float:
    """Data to replicate: used space when known (replication skips unallocated blocks), else disk size."""
    return sum(d.used_gb if d.used_gb is not None else d.size_gb for d in server.disks) / 1000


def is_strong(dependency: Dependency, settings: PlanSettings) -> bool:
    return dependency.weight >= settings.strong_link.min_weight or dependency.port in settings.strong_link.ports


def move_groups(servers: Sequence[Server], applications: Sequence[Application], dependencies: Sequence[Dependency],
                settings: PlanSettings, shared: Mapping[str, str], excluded: Iterable[str],
                hubs: Mapping[str, str] | None = None) -> list[MoveGroup]:
    """Move groups of every planned server (all but `excluded`), foundation groups first, then by id.

    `shared` is the extended infrastructure (`classify_services`, minus what the caller
    excluded): it forms foundation groups among itself. `hubs` (server -> why) form groups of
    their own that strong links from other servers do not join. Each group's reasons say why its
    servers are together: application+environment, the strong links and affinities that joined them.
    """
    excluded = set(excluded)
    planned = sorted((s for s in servers if s.name not in excluded), key=lambda s: (s.name.lower(), s.name))
    index = {s.name: i for i, s in enumerate(planned)}
    foundation = [s.name in shared for s in planned]
    hubs = hubs or {}
    apps = applications_of(planned, applications)
    # What a strong link may join: the foundation among itself, a hub only within its own
    # application (two hubs linked stay two systems), everything else among itself.
    kind = ["foundation" if foundation[i] else f"hub:{(apps[s.name] or (s.name,))[0]}" if s.name in hubs else ""
            for i, s in enumerate(planned)]
    resolver = NameResolver(apps, apps)
    joins = _UnionFind(len(planned))
    why: list[tuple[int, str]] = []

    first_of: dict[tuple[bool, str, str | None], int] = {}
    for i, server in enumerate(planned):
        for app in apps[server.name]:
            key = (foundation[i], app, server.environment)
            if key in first_of:
                joins.union(first_of[key], i)
            else:
                first_of[key] = i

    strong = [(d, index[d.source], index[d.destination]) for d in dependencies
              if d.source in index and d.destination in index and d.source != d.destination
              and kind[index[d.source]] == kind[index[d.destination]] and is_strong(d, settings)]
    strong.sort(key=lambda t: (-t[0].weight, t[0].source, t[0].destination, t[0].port, t[0].protocol))
    for d, a, b in strong:
        if joins.union(a, b):
            why.append((a, _strong_reason(d, settings)))

    for n, affinity in enumerate(settings.affinities):
        members = sorted(index[name] for name in resolver.servers(affinity))
        for side in (True, False):
            same = [i for i in members if foundation[i] == side]
            if len(same) < 2:
                continue
            joined = [joins.union(same[0], other) for other in same[1:]]
            if any(joined):
                why.append((same[0], f"affinity: {', '.join(planned[i].name for i in same)} (affinities[{n}])"))

    members_of: dict[int, list[int]] = defaultdict(list)
    for i in range(len(planned)):
        members_of[joins.find(i)].append(i)
    reasons_of: dict[int, list[str]] = defaultdict(list)
    for i, reason in why:
        reasons_of[joins.find(i)].append(reason)

    groups = [_group(root, [planned[i] for i in members], apps, reasons_of[root], foundation[root],
                     {planned[i].name: hubs[planned[i].name] for i in members if planned[i].name in hubs})
              for root, members in members_of.items()]
    return _unique_ids(groups)


def _strong_reason(d: Dependency, settings: PlanSettings) -> str:
    why = []
    if d.port in settings.strong_link.ports:
        why.append("database/file port")
    if d.weight >= settings.strong_link.min_weight:
        why.append(f"weight ≥ {settings.strong_link.min_weight}")
    return f"strong link: {d.source} → {d.destination} {d.protocol}/{d.port}, weight {d.weight} ({', '.join(why)})"


def _group(root: int, members: list[Server], apps: Mapping[str, tuple[str, ...]], joined: list[str],
           foundation: bool, hubs: Mapping[str, str]) -> MoveGroup:
    pairs: dict[tuple[str, str | None], int] = defaultdict(int)
    for server in members:
        for app in apps[server.name]:
            pairs[(app, server.environment)] += 1
    environments = sorted({s.environment for s in members}, key=lambda e: (e is None, e or ""))
    reasons = []
    if foundation:
        reasons.append("foundation: extended infrastructure (built on both sides) moves first, in wave 0")
    if hubs:
        reasons.append("hub, planned like any application under every rule (links to it join no move group and "
                       "count in H while they cross): " + "; ".join(dict.fromkeys(hubs.values())))
    for (app, env), count in sorted(pairs.items(), key=lambda kv: (kv[0][0].lower(), kv[0][0], kv[0][1] or "")):
        reasons.append(f"application+environment: {app} {env or '(no environment)'} "
                       f"({count} server{'s' if count != 1 else ''})")
    if len(environments) > 1:
        reasons.append("mixed environments: " + ", ".join(e or "none" for e in environments)
                       + " (a strong link or affinity joined them)")
    reasons.extend(joined)
    if len(members) == 1 and not pairs:
        reasons.append("no application, strong link or affinity ties it to another server: it moves alone")
    if pairs:
        (app, env), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0][0].lower(), kv[0][0], kv[0][1] or ""))
        base = _slug(app) + (f"-{_slug(env)}" if env else "")
    else:
        base = "srv-" + _slug(members[0].name)
    return MoveGroup(
        id=("foundation-" if foundation else "") + base,
        servers=tuple(s.name for s in members),
        applications=tuple(sorted({a for s in members for a in apps[s.name]}, key=lambda a: (a.lower(), a))),
        environment=environments[0] if len(environments) == 1 else None,
        reasons=tuple(reasons),
        vcpu=sum(server_vcpu(s) for s in members),
        storage_tb=round(sum(server_replication_tb(s) for s in members), 3),
        tier0=any(s.tier == 0 for s in members),
        phi=any(s.data_classification == "phi" for s in members),
        foundation=foundation,
        hub=bool(hubs) and not foundation)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "group"


def _unique_ids(groups: list[MoveGroup]) -> list[MoveGroup]:
    """Content-derived ids made unique: a clash (two names with one slug) numbers the later ones."""
    from dataclasses import replace

    groups.sort(key=lambda g: (g.id, g.servers[0].lower(), g.servers[0]))
    seen: dict[str, int] = defaultdict(int)
    taken = {g.id for g in groups}
    out = []
    for group in groups:
        seen[group.id] += 1
        if seen[group.id] > 1:
            n = seen[group.id]
            while f"{group.id}-{n}" in taken:
                n += 1
            taken.add(f"{group.id}-{n}")
            group = replace(group, id=f"{group.id}-{n}")
        out.append(group)
    return sorted(out, key=lambda g: (not g.foundation, g.id))
