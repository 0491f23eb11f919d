"""Who talks to whom: the estate's TCP flows, and the time slots an agentless export would see them in.

Flows come from the blueprint's `LINKS` (application to database, clients to the interface
engine, DICOM from gateways to PACS and on to the VNA, ...), from shared services every server
uses (domain controllers on 53/88/389/445, monitoring, patching, backup), from devices outside
the inventory (modalities, analyzers, printers, dispensing cabinets) and from partners (reference
lab, HIE). Each flow has a pattern deciding which 6-hour slots it is seen in.
"""

from __future__ import annotations

import random
from datetime import date

from migrate.estate.blueprint import DEVICE_LINKS, EXTERNAL, LINKS, PARTNER_LINKS, ROLE_BY_KEY, SERVICE_PROCESS, Link
from migrate.estate.model import Connection, Estate, GeneratedServer
from migrate.estate.network import Addresses

MAX_TARGETS = 16


def build_connections(servers: list[GeneratedServer], rng: random.Random, addresses: Addresses  # noqa: C901 - one short block per kind of flow; split it when a kind grows
                      ) -> list[Connection]:
    """Every flow between the generated machines, and to devices and partners outside the inventory."""
    active = [s for s in servers if s.active]
    by_role: dict[str, list[GeneratedServer]] = {}
    for server in active:
        by_role.setdefault(server.role, []).append(server)
    flows: list[Connection] = []

    def flow(source: GeneratedServer | None, destination: GeneratedServer | None, port: int, pattern: str, *,
             source_ip: str = "", destination_ip: str = "") -> None:
        """A flow between two machines; an end outside the inventory (None) is its address alone."""
        if source is destination:
            return
        client = ROLE_BY_KEY[source.role].process if source and source.role in ROLE_BY_KEY else (
            "svchost.exe" if source and source.family == "windows" else "python" if source else "")
        server_process = serving_process(destination, port)
        flows.append(Connection(*endpoint(source, source_ip), *endpoint(destination, destination_ip), port, pattern,
                                client, server_process, rng.randrange(4)))

    for link in LINKS:
        link_flows(link, by_role, flow, rng)

    dcs, scoms, zabbix = by_role.get("dc", []), by_role.get("scom", []), by_role.get("zabbix", [])
    wsus, epo, kms = by_role.get("wsus", []), by_role.get("epo", []), by_role.get("kms", [])
    splunk, backup = by_role.get("splunk", []), by_role.get("backup", [])
    agents = by_role.get("mediaagent", [])
    for index, server in enumerate(active):
        windows = server.family == "windows"
        if dcs:
            primary = dcs[index % len(dcs)]
            for port in ((53, 88, 389, 445) if windows else (53,)):
                # Kerberos tickets and group policy (SYSVOL over SMB) refresh every few hours.
                flow(server, primary, port, "business" if port in (88, 445) else "constant")
            if windows and len(dcs) > 1:
                flow(server, dcs[(index + 1) % len(dcs)], 389, "daily")
            if server.os.startswith("rhel") and rng.random() < 0.5:
                flow(server, primary, 389, "constant")
        if windows and scoms:
            flow(server, scoms[index % len(scoms)], 5723, "constant")
        if not windows and zabbix and server.family == "linux":
            flow(server, zabbix[index % len(zabbix)], 10051, "constant")
        if windows and wsus:
            flow(server, wsus[0], 8530, "daily")
        if windows and epo:
            flow(server, epo[0], 8443, "daily")
        if windows and kms and rng.random() < 0.25:
            flow(server, kms[0], 1688, "daily")
        if server.family == "linux" and server.environment == "prd" and splunk:
            flow(server, splunk[index % len(splunk)], 9997, "constant")
        if server.environment in ("prd", "dr") and backup:
            flow(server, backup[0], 8400, "daily")
        if agents and server.role in ROLE_BY_KEY and ROLE_BY_KEY[server.role].database:
            flow(agents[index % len(agents)], server, 8400, "nightly")
    for jump in by_role.get("jump", []):
        for target in rng.sample(active, min(5, len(active))):
            flow(jump, target, 3389 if target.family == "windows" else 22, "business")

    for role, kind, port, pattern, inbound, per_server in DEVICE_LINKS:
        for server in by_role.get(role, []):
            for _ in range(per_server):
                device = addresses.device(kind)
                if inbound:
                    flow(None, server, port, pattern, source_ip=device)
                else:
                    flow(server, None, port, pattern, destination_ip=device)
    for role, partner, port, pattern in PARTNER_LINKS:
        for server in by_role.get(role, []):
            if server.environment == "prd":
                flow(server, None, port, pattern, destination_ip=EXTERNAL[partner])

    databases = [s for s in active if s.role in ROLE_BY_KEY and ROLE_BY_KEY[s.role].database]
    clinical_prd_db = [s for s in databases if s.environment == "prd" and s.classification == "phi"]
    for server in by_role.get("sprawl", []) + by_role.get("orphan", []):
        chance = rng.random()
        if server.role == "sprawl" and chance < 0.4:
            same_app = [d for d in databases if d.application == server.application] or by_role.get("sqlshr", [])
            if same_app:
                target = rng.choice(same_app)
                flow(server, target, 1972 if target.role == "odb" else 1521 if target.os.startswith("rhel")
                     else 1433, "business")
        elif server.role == "orphan" and chance < 0.15 and clinical_prd_db:
            # The worrying kind: a forgotten test box reading a production clinical database.
            target = rng.choice(clinical_prd_db)
            flow(server, target, 1972 if target.role == "odb" else 1521 if target.os.startswith("rhel")
                 else 1433, "nightly")
    return flows


def link_flows(link: Link, by_role, flow, rng: random.Random) -> None:
    """Flows of one blueprint link: each source to its targets (same environment, or production).

    A large estate has more instances of each system, not bigger ones: a source reaches at most
    MAX_TARGETS of the link's targets (a 400-server estate never has more).
    """
    sources, targets = by_role.get(link.source, []), by_role.get(link.target, [])
    by_environment: dict[str | None, list[GeneratedServer]] = {}
    for target in targets:
        by_environment.setdefault(target.environment, []).append(target)
    production = by_environment.get("prd", [])
    for source in sources:
        if link.same_env:
            candidates = by_environment.get(source.environment, [])
            if not candidates and source.environment == "dr":
                candidates = production
        else:
            candidates = production or targets
        limit = link.fan or MAX_TARGETS
        if len(candidates) > limit:
            candidates = sorted(rng.sample(candidates, limit), key=lambda s: s.name)
        for target in candidates:
            flow(source, target, link.port, link.pattern)


def endpoint(server: GeneratedServer | None, address: str) -> tuple[str, str]:
    """A flow's end as (name, IP): a generated machine's own, or for a device or partner outside the
    inventory no name and the address the caller gives."""
    if server is None:
        return "", address
    if server.ip is None:  # only templates have no address, and a template is never active
        raise ValueError(f"{server.name} has no IP address: flows are between active machines")
    return server.name, server.ip


def serving_process(destination: GeneratedServer | None, port: int) -> str:
    """The serving process the dependency export names for a destination and port."""
    if destination is None:
        return ""
    if port == 2575 and destination.role != "hl7" and destination.role in ROLE_BY_KEY:
        return ROLE_BY_KEY[destination.role].process
    if port == 443 and destination.family == "linux":
        return "httpd"
    return SERVICE_PROCESS.get(port, ROLE_BY_KEY[destination.role].process if destination.role in ROLE_BY_KEY
                               else "")


START = date(2025, 3, 3)
"""First day of the dependency capture (a Monday); the RVTools export is dated the Friday after."""
SLOTS_PER_DAY = 4
"""Azure Migrate aggregates agentless dependency data into 6-hour time slots."""
_PATTERN_SLOTS = {"constant": (0, 1, 2, 3), "business": (1, 2), "nightly": (0,)}
_PATTERN_PRESENCE = {"constant": 0.97, "business": 0.95, "nightly": 0.9, "daily": 1.0}


def observations(estate: Estate):
    """(slot index, connection) for every time slot a connection was seen in, slot by slot.

    Only flows with a powered-on VMware VM at one end are observed: agentless dependency analysis
    runs through vCenter, so physical and Hyper-V servers appear only as the far end, by address.
    """
    rng = random.Random(f"{estate.seed}:observations")
    servers = estate.by_name()

    def observed(name: str) -> bool:
        return bool(name) and servers[name].platform == "vmware" and servers[name].active

    connections = sorted((c for c in estate.connections if observed(c.source) or observed(c.destination)),
                         key=lambda c: (c.source, c.source_ip, c.destination, c.destination_ip, c.port))
    for slot in range(estate.days * SLOTS_PER_DAY):
        quarter = slot % SLOTS_PER_DAY
        for connection in connections:
            if connection.pattern == "daily":
                if quarter != connection.day_slot:
                    continue
            elif quarter not in _PATTERN_SLOTS[connection.pattern]:
                continue
            if rng.random() < _PATTERN_PRESENCE[connection.pattern]:
                yield slot, connection
