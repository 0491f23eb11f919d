"""7R strategy per server and per application, each with the rule that chose it.

    facts = gather_facts(servers, dependencies)        # what the dependency data says of each server
    strategy = server_strategy(server, readiness, facts[server.name], settings, override=None)

Server rules, first match wins (an override from the user's file beats them all, recorded as
"OVERRIDE: <reason>" with overridden=True):

| rule | strategy |
|---|---|
| R-RETIRE-TEMPLATE: a VM template, not a workload | retire |
| R-RETIRE-POWERED-OFF: powered off when the inventory was taken | retire |
| R-RETIRE-DECOMMISSION: tagged for decommission (a decommission date within a year of the start, or a retired status) | retire |
| R-RETIRE-IDLE-POC: a poc server the dependency data saw but nobody connected to (management ports aside) | retire |
| R-REPURCHASE-SAAS: every application on it has a SaaS replacement in settings.saas_replacements | repurchase |
| R-RETAIN-UNSUPPORTED-PLATFORM: an OS or architecture Azure cannot run (readiness.unsupported_platform) | retain |
| R-RETAIN-APPLIANCE: a vendor appliance image (VMware Photon OS, "Other Linux", tagged appliance) | retain |
| R-RETAIN-DEVICE-GATEWAY: DICOM traffic from devices outside the inventory; or, outside non-production, a modality/DICOM gateway or another medical-device integration (nurse call, patient monitoring) by name | retain |
| R-REPLATFORM-SQL-MI: Windows running SQL Server, standalone, within Managed Instance limits | replatform → Azure SQL Managed Instance |
| R-REPLATFORM-AZURE-FILES: a Windows file server (application type file, or named so) with ≤ 100 TiB of data | replatform → Azure Files |
| R-REHOST-SQL-VM: SQL Server that cannot go to Managed Instance (clustered on shared disks, Linux, too large) | rehost |
| R-REHOST-DEFAULT: everything else | rehost |

Decisions: a SQL Server failover-cluster instance on shared disks is rehosted as SQL Server on
Azure VMs, not replatformed: such consolidated instances hold many vendors' databases, each of
which must certify Managed Instance first. Print servers are not file servers (Azure Files does
not print). Refactor and relocate (Azure VMware Solution) come only from overrides: nothing in
an inventory shows that code will be rewritten or that a VMware estate moves as is.

Application strategy (`application_strategy`): its override; else repurchase when it has a SaaS
replacement; else retire when every server retires; else the strategy of the most servers
(ties by 7R order), with the counts in the rule.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping, Sequence

from migrate.inventory.model import Application, Dependency, Server
from migrate.planning.model import STRATEGIES, Readiness, Strategy
from migrate.planning.readiness import is_appliance, unsupported_platform
from migrate.planning.sanity import window_caveat
from migrate.planning.settings import PlanSettings
from migrate.planning.sizing import FILES_HEADROOM, FILES_MAX_GIB, NON_PRODUCTION, data_gb, mi_fits

SQL_MI = "Azure SQL Managed Instance"
AZURE_FILES = "Azure Files"
SQL_PORTS = (1433, 1434)
DATABASE_PORTS = (1433, 1434, 1521, 1972, 3306, 5432, 50000, 27017)
"""SQL Server, Oracle, InterSystems IRIS/Caché, MySQL, PostgreSQL, Db2, MongoDB."""
DICOM_PORTS = (104, 11112, 4242)
MANAGEMENT_PORTS = (22, 3389, 5985, 5986, 8400, 161)
"""Administration, remote management and backup: connections that do not show a server is used."""
_SQL_TEXT = re.compile(r"\bsql\s*server\b|\bmssql", re.IGNORECASE)
_FILE_APP = re.compile(r"\bfile\s*(services?|servers?|shares?)\b", re.IGNORECASE)
_PRINT = re.compile(r"\bprint", re.IGNORECASE)
_FILE_HOST_TOKENS = ("fs", "filer", "fileserver", "files", "nas")
_DEVICE_APP = re.compile(r"modality|dicom|nurse\s*call|patient\s*monitor|telemetry|medical\s*device", re.IGNORECASE)
_IMAGING_APP = re.compile(r"pacs|\bvna\b|imaging|radiology|cardiology", re.IGNORECASE)
_GATEWAY_TOKENS = ("gw", "gateway", "dicom", "router", "mwl", "modality")
_DECOMMISSION_KEYS = ("decommission-date", "decommission_date", "decommissiondate", "decommission")
_STATUS_KEYS = ("status", "lifecycle", "lifecycle-status", "install_status", "operational_status")
_RETIRED_VALUES = ("decommission", "decommissioned", "retire", "retired", "pending retirement", "to be retired")
DECOMMISSION_HORIZON_DAYS = 365


@dataclass(frozen=True)
class ServerFacts:
    """What the dependency data (and tags) say about one server."""

    sql_evidence: str | None = None
    """Why we believe it runs SQL Server, as a phrase; None when nothing says so."""
    database: bool = False
    """It answers on a database port (SQL Server, Oracle, IRIS, ...)."""
    dicom_devices: int = 0
    """Endpoints outside the inventory that send it DICOM (modalities)."""
    observed: bool = False
    """It appears in the dependency data at all (so silence means something)."""
    inbound_peers: int = 0
    """Distinct endpoints connecting to it on other than management ports."""


@dataclass(frozen=True)
class EstateFacts:
    servers: Mapping[str, ServerFacts]
    first_seen: str | None = None
    last_seen: str | None = None

    def of(self, name: str) -> ServerFacts:
        return self.servers.get(name.lower(), _NO_FACTS)


_NO_FACTS = ServerFacts()


def gather_facts(servers: Sequence[Server], dependencies: Iterable[Dependency]) -> EstateFacts:
    """One pass over the dependency edges (and the servers' tags) → facts per server (keyed by lower-case name)."""
    names = {s.name.lower() for s in servers}
    observed: set[str] = set()
    inbound: dict[str, set[str]] = defaultdict(set)
    sql_clients: dict[str, set[str]] = defaultdict(set)
    sql_process: set[str] = set()
    database: set[str] = set()
    dicom: dict[str, set[str]] = defaultdict(set)
    first, last = None, None
    for edge in dependencies:
        source, target = edge.source.lower(), edge.destination.lower()
        observed.add(source)
        observed.add(target)
        if edge.first_seen and (first is None or edge.first_seen < first):
            first = edge.first_seen
        if edge.last_seen and (last is None or edge.last_seen > last):
            last = edge.last_seen
        if target not in names or source == target:
            continue
        if edge.port not in MANAGEMENT_PORTS:
            inbound[target].add(source)
        process = (edge.process or "").lower()
        if edge.port in SQL_PORTS or process in ("sqlservr.exe", "sqlservr"):
            sql_clients[target].add(source)
            if process in ("sqlservr.exe", "sqlservr"):
                sql_process.add(target)
        if edge.port in DATABASE_PORTS:
            database.add(target)
        if edge.port in DICOM_PORTS and source not in names:
            dicom[target].add(source)
    facts = {}
    for server in servers:
        key = server.name.lower()
        evidence = None
        if sql_clients.get(key):
            count = len(sql_clients[key])
            how = "sqlservr.exe answers" if key in sql_process else "it answers on port 1433"
            evidence = f"{how} to {count} client{'s' if count != 1 else ''}"
        elif any(_SQL_TEXT.search(value) for k, value in server.tags if k.lower() in ("software", "applications")):
            evidence = "its installed software lists SQL Server"
        elif "sql" in _tokens(server.name) or any(_SQL_TEXT.search(a) for a in server.applications):
            evidence = "its name says SQL"
        facts[key] = ServerFacts(sql_evidence=evidence, database=key in database or evidence is not None,
                                 dicom_devices=len(dicom.get(key, ())), observed=key in observed,
                                 inbound_peers=len(inbound.get(key, ())))
    return EstateFacts(facts, first[:10] if first else None, last[:10] if last else None)


def _tokens(name: str) -> set[str]:
    return {t for t in re.split(r"[^a-z]+", name.lower()) if t}


# -- servers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """What the server rules need beyond the server itself."""

    settings: PlanSettings
    facts: EstateFacts
    app_types: Mapping[str, str]
    """Application name (lower case) -> its type (ehr, pacs, file, ...)."""


def server_strategy(server: Server, readiness: Readiness, context: Context,
                    override: tuple[str, str, str | None] | None = None) -> Strategy:
    """The server's strategy; `override` is (strategy, reason, target) from the user's file."""
    facts = context.facts.of(server.name)
    if override is not None:
        strategy, reason, target = override
        return Strategy(strategy, f"OVERRIDE: {reason}", target or _default_target(strategy, server, facts, context),
                        overridden=True)
    for rule in (_retire, _repurchase, _retain, _replatform):
        found = rule(server, readiness, facts, context)
        if found is not None:
            return found
    if facts.sql_evidence:
        return Strategy("rehost", f"R-REHOST-SQL-VM: runs SQL Server ({facts.sql_evidence}) but "
                                  f"{_why_not_mi(server, context.settings)}: rehost it as SQL Server on an Azure VM.")
    return Strategy("rehost", "R-REHOST-DEFAULT: no rule moves it elsewhere: lift and shift it to an Azure VM "
                              "with Azure Migrate.")


def _retire(server: Server, readiness: Readiness, facts: ServerFacts, context: Context) -> Strategy | None:
    if server.template:
        return Strategy("retire", "R-RETIRE-TEMPLATE: a VM template, not a workload: rebuild it as an image in "
                                  "Azure Compute Gallery if it is still needed.")
    if server.power_state == "off":
        return Strategy("retire", "R-RETIRE-POWERED-OFF: powered off when the inventory was taken: confirm with "
                                  "its owner, then decommission it instead of migrating it.")
    decommission = _decommission(server, date.fromisoformat(context.settings.start_date))
    if decommission:
        return Strategy("retire", f"R-RETIRE-DECOMMISSION: {decommission}: retire it rather than migrate it.")
    if server.environment == "poc" and facts.observed and facts.inbound_peers == 0:
        window = (f" between {context.facts.first_seen} and {context.facts.last_seen}"
                  if context.facts.first_seen and context.facts.last_seen else "")
        caveat = window_caveat(context.facts.first_seen, context.facts.last_seen, context.settings)
        if caveat:  # idleness seen on stale or too short data is weak evidence: the rule says so
            return Strategy("retire", f"R-RETIRE-IDLE-POC: a proof-of-concept server nothing connected to{window} "
                                      f"(management ports aside) — but {caveat} before retiring it.")
        return Strategy("retire", f"R-RETIRE-IDLE-POC: a proof-of-concept server nothing connected to{window} "
                                  "(management ports aside): retire it instead of migrating it.")
    return None


def _decommission(server: Server, start: date) -> str | None:
    horizon = start + timedelta(days=DECOMMISSION_HORIZON_DAYS)
    for key, value in server.tags:
        key_l, value_l = key.lower().strip(), value.lower().strip()
        if key_l in _DECOMMISSION_KEYS:
            try:
                when = date.fromisoformat(value.strip()[:10])
            except ValueError:
                return f"tagged {key}={value}"
            if when <= horizon:
                return f"scheduled for decommission on {when.isoformat()}, within a year of the migration start"
        elif key_l in _STATUS_KEYS and value_l in _RETIRED_VALUES:
            return f"its {key} is {value}"
    return None


def _repurchase(server: Server, readiness: Readiness, facts: ServerFacts, context: Context) -> Strategy | None:
    replacements = {app.lower(): (app, product) for app, product in context.settings.saas_replacements}
    if not server.applications or not all(a.lower() in replacements for a in server.applications):
        return None
    found = sorted({replacements[a.lower()] for a in server.applications})
    products = sorted({product for _, product in found})
    apps = ", ".join(f"{app} → {product}" for app, product in found)
    return Strategy("repurchase", f"R-REPURCHASE-SAAS: its application is replaced by SaaS ({apps}): retire the "
                                  "server once the data is migrated to the service.", "; ".join(products))


def _retain(server: Server, readiness: Readiness, facts: ServerFacts, context: Context) -> Strategy | None:
    platform = unsupported_platform(server)
    if platform:
        return Strategy("retain", f"R-RETAIN-UNSUPPORTED-PLATFORM: {platform} cannot run on Azure: keep it on "
                                  "premises until the workload is re-platformed or replaced.")
    if is_appliance(server):
        return Strategy("retain", f"R-RETAIN-APPLIANCE: a vendor appliance ({server.os_name or 'tagged appliance'}): "
                                  "keep it on premises until the vendor offers an Azure edition.")
    device = _device_gateway(server, facts, context)
    if device:
        return Strategy("retain", f"R-RETAIN-DEVICE-GATEWAY: {device}: it must stay next to the devices it "
                                  "serves (latency-sensitive DICOM/HL7 links); keep it on premises.")
    return None


def _device_gateway(server: Server, facts: ServerFacts, context: Context) -> str | None:
    if facts.dicom_devices:
        return (f"{facts.dicom_devices} device{'s' if facts.dicom_devices != 1 else ''} outside the inventory send "
                "it DICOM (modalities)")
    if server.environment in NON_PRODUCTION:
        return None  # a test copy talks to no live device: it moves like any other test server
    for app in server.applications:
        if _DEVICE_APP.search(app):
            return f"it runs {app}, a medical-device integration"
    tokens = _tokens(server.name)
    imaging = [a for a in server.applications
               if context.app_types.get(a.lower()) == "pacs" or _IMAGING_APP.search(a)]
    if imaging and tokens & set(_GATEWAY_TOKENS):
        return f"a modality gateway of {imaging[0]} (by its name)"
    return None


def _replatform(server: Server, readiness: Readiness, facts: ServerFacts, context: Context) -> Strategy | None:
    if facts.sql_evidence and server.os_family == "windows" and not any(d.shared for d in server.disks):
        fits, _ = mi_fits(server, context.settings)
        if fits:
            return Strategy("replatform", f"R-REPLATFORM-SQL-MI: Windows running SQL Server ({facts.sql_evidence}), "
                                          f"standalone and within Managed Instance limits ({data_gb(server):,.0f} GB "
                                          "of data): an Azure SQL Managed Instance candidate; confirm the "
                                          "application vendor supports it.", SQL_MI)
    if _file_server(server, context):
        data = data_gb(server)
        if 0 < data * FILES_HEADROOM <= FILES_MAX_GIB:
            return Strategy("replatform", f"R-REPLATFORM-AZURE-FILES: a Windows file server with {data:,.0f} GB of "
                                          "data: move the shares to Azure Files (SMB, private endpoint) and retire "
                                          "the VM.", AZURE_FILES)
    return None


def _file_server(server: Server, context: Context) -> bool:
    if server.os_family != "windows":
        return False
    if any(_PRINT.search(a) for a in server.applications) or "prt" in _tokens(server.name):
        return False
    if any(context.app_types.get(a.lower()) == "file" or _FILE_APP.search(a) for a in server.applications):
        return True
    return bool(_tokens(server.name) & set(_FILE_HOST_TOKENS))


def _why_not_mi(server: Server, settings: PlanSettings) -> str:
    if server.os_family != "windows":
        return f"on {server.os_name or 'a non-Windows system'}"
    if any(d.shared for d in server.disks):
        return "as a failover-cluster instance on shared disks"
    fits, why = mi_fits(server, settings)
    return why if not fits else "it is not a Managed Instance candidate"


def _default_target(strategy: str, server: Server, facts: ServerFacts, context: Context) -> str | None:
    """The target an override implies when it names none (replatform: the rule's target)."""
    if strategy == "replatform":
        if facts.sql_evidence:
            return SQL_MI
        if _file_server(server, context):
            return AZURE_FILES
    if strategy == "relocate":
        return "Azure VMware Solution"
    return None


# -- applications ---------------------------------------------------------------------------

def application_strategy(application: Application, members: Sequence[tuple[str, Strategy]],
                         settings: PlanSettings, override: tuple[str, str, str | None] | None = None) -> Strategy:
    """The application's strategy from its override, its SaaS replacement, or its servers' strategies."""
    if override is not None:
        strategy, reason, target = override
        return Strategy(strategy, f"OVERRIDE: {reason}", target, overridden=True)
    replacements = {app.lower(): product for app, product in settings.saas_replacements}
    if application.name.lower() in replacements:
        product = replacements[application.name.lower()]
        return Strategy("repurchase", f"R-APP-REPURCHASE-SAAS: replaced by {product} (settings.saas_replacements).",
                        product)
    if not members:
        return Strategy("rehost", "R-APP-NO-SERVERS: no server of the inventory belongs to it; rehost is assumed.")
    counts = Counter(s.strategy for _, s in members)
    summary = ", ".join(f"{counts[s]} {s}" for s in STRATEGIES if counts[s])
    if counts["retire"] == len(members):
        return Strategy("retire", f"R-APP-ALL-RETIRED: all {len(members)} of its servers retire.")
    active = Counter({s: n for s, n in counts.items() if s != "retire"})
    leading = min(active, key=lambda s: (-active[s], STRATEGIES.index(s)))
    targets = sorted({s.target for _, s in members if s.strategy == leading and s.target})
    target = targets[0] if len(targets) == 1 else None
    if len(active) == 1:
        return Strategy(leading, f"R-APP-UNIFORM: every server that is not retired is {leading} ({summary}).",
                        target)
    return Strategy(leading, f"R-APP-MIXED: its servers are {summary}; the application is {leading}-led, "
                             "see each server for the rest.", target)
