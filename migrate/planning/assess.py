"""Assessment of an estate: readiness → strategy → sizing → cost for every server.

    overrides = load_overrides(Path("overrides.yaml"))    # the CLI's job: the only file read here
    assessments = assess_estate(servers, applications, dependencies, settings, overrides)
    apps = assess_applications(applications, assessments, settings, overrides)

`assess_estate` is pure: the inventory model, the settings and the shipped catalogs (VM sizes,
disk tiers, the region's price snapshot) in, a dict of ServerAssessment by server name out, in
name order. Readiness is judged on `settings.start_date`. A server whose strategy needs a VM
but that no catalog size fits gets a Not ready reason saying so.

Overrides file: a YAML list (or `{overrides: [...]}`) or a CSV with a header; each entry names
exactly one `server` or `application`, a `strategy` (retire, retain, rehost, replatform,
repurchase, refactor, relocate), a `reason` (recorded in the plan as "OVERRIDE: <reason>"), and
optionally a `target` (e.g. "Azure App Service" for refactor). A server's own override beats its
application's. Refactor and relocate are only ever chosen here.

```yaml
- {server: rbh-fs03, strategy: rehost, reason: "DFS namespace root until the cut-over"}
- {application: Kronos, strategy: repurchase, target: UKG Pro, reason: "contract signed 2026-09"}
- {application: Dictation, strategy: refactor, target: Azure App Service, reason: "vendor SaaS API"}
```

Every problem (unreadable file, unknown column, bad strategy, duplicate entry, a name the
inventory does not know) is an OverridesError listing each with its file, row (the line for
YAML) and column.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Sequence

import yaml

from infra.inputs import read_input_text
from migrate.inventory.model import Application, Dependency, InputError, Problem, Server
from migrate.planning.cost import PriceSheet, files_cost, load_prices, managed_instance_cost, vm_cost
from migrate.planning.model import STRATEGIES, Cost, Readiness, ServerAssessment, Sizing, Strategy
from migrate.planning.readiness import NOT_READY, assess_readiness
from migrate.planning.settings import PlanSettings
from migrate.planning.sizing import FILES_PREMIUM, Sizer, premium_storage
from migrate.planning.strategy import (AZURE_FILES, SQL_MI, Context, application_strategy, gather_facts,
                                       server_strategy)

FIELDS = ("server", "application", "strategy", "reason", "target")
NOT_SIZED = {
    "retire": "Not sized: the server is retired, nothing runs in Azure.",
    "retain": "Not sized: the server stays on premises.",
    "repurchase": "Not sized: the application moves to a SaaS product, priced by its vendor.",
    "relocate": "Not sized: Azure VMware Solution is priced per host node in its own design, not per VM.",
}


class OverridesError(InputError):
    """Problems in the strategy overrides, each located by file, row (line for YAML) and column."""


@dataclass(frozen=True)
class Override:
    strategy: str
    reason: str
    server: str | None = None
    application: str | None = None
    target: str | None = None
    row: int | None = None
    """Where it came from: the CSV row (header = 1) or the YAML line."""

    @property
    def decision(self) -> tuple[str, str, str | None]:
        return self.strategy, self.reason, self.target


@dataclass(frozen=True)
class Overrides:
    entries: tuple[Override, ...] = ()
    source: str = "overrides"

    def for_server(self, name: str) -> Override | None:
        return self._index()[0].get(name.lower())

    def for_application(self, name: str) -> Override | None:
        return self._index()[1].get(name.lower())

    def _index(self) -> tuple[dict[str, Override], dict[str, Override]]:
        cached = self.__dict__.get("_cache")
        if cached is None:
            cached = ({e.server.lower(): e for e in self.entries if e.server},
                      {e.application.lower(): e for e in self.entries if e.application})
            object.__setattr__(self, "_cache", cached)
        return cached


# -- the overrides file -----------------------------------------------------------------------

def load_overrides(path: Path) -> Overrides:
    """Read a YAML or CSV overrides file; OverridesError lists every problem, located."""
    path = Path(path)
    source = str(path)
    try:
        text = read_input_text(path, encoding="utf-8-sig")
    except FileNotFoundError:
        raise OverridesError([Problem(source, "the overrides file does not exist")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise OverridesError([Problem(source, f"cannot read the overrides file: {error}")]) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(text, source)
    elif suffix in (".yaml", ".yml"):
        rows = _yaml_rows(text, source)
    else:
        raise OverridesError([Problem(source, f"unknown overrides format {suffix or '(no extension)'!r}: "
                                              "use .yaml, .yml or .csv")])
    return Overrides(_entries(rows, source), source)


_Row = tuple[int | None, dict[str, tuple[Any, int | None]]]
"""(row or line, {field: (value, line of the value)})."""


def _csv_rows(text: str, source: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return []
    names = [h.strip().lower() for h in header]
    problems = [Problem(source, f"unknown column (expected: {', '.join(FIELDS)})", row=1, column=h.strip())
                for h, n in zip(header, names, strict=True) if n not in FIELDS]
    missing = [f for f in ("strategy", "reason") if f not in names]
    if not {"server", "application"} & set(names):
        missing.append("server or application")
    problems += [Problem(source, f"the header has no {m} column", row=1) for m in missing]
    if problems:
        raise OverridesError(problems)
    rows: list[_Row] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        # A short row leaves its last columns unset; cells past the header are ignored.
        rows.append((number, {n: (c.strip() or None, number) for n, c in zip(names, cells, strict=False)}))
    return rows


def _yaml_rows(text: str, source: str) -> list[_Row]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise OverridesError([Problem(source, f"not valid YAML: {getattr(error, 'problem', error)}",
                                      row=mark.line + 1 if mark else None)]) from None
    if root is None:
        return []
    if isinstance(root, yaml.MappingNode) and len(root.value) == 1 and root.value[0][0].value == "overrides":
        root = root.value[0][1]
    if not isinstance(root, yaml.SequenceNode):
        raise OverridesError([Problem(source, "must be a list of overrides ({server or application, strategy, "
                                              "reason, target})", row=root.start_mark.line + 1)])
    rows: list[_Row] = []
    problems = []
    for item in root.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(source, "an override must be a mapping", row=line))
            continue
        entry = {}
        for key, value in item.value:
            if not isinstance(value, yaml.ScalarNode):
                problems.append(Problem(source, "must be a single value", row=value.start_mark.line + 1,
                                        column=str(key.value)))
                continue
            cell = None if value.tag == "tag:yaml.org,2002:null" else (value.value.strip() or None)
            entry[str(key.value).strip().lower()] = (cell, value.start_mark.line + 1)
        rows.append((line, entry))
    if problems:
        raise OverridesError(problems)
    return rows


def _entries(rows: list[_Row], source: str) -> tuple[Override, ...]:
    problems: list[Problem] = []
    entries: list[Override] = []
    seen: dict[tuple[str, str], int | None] = {}
    for row, fields in rows:
        # Defaults bind this row's fields and number (B023): the helpers never see another row's.
        def get(name: str, fields: dict = fields, row: int | None = row) -> str | None:
            return fields.get(name, (None, row))[0]

        def fail(message: str, column: str | None = None, fields: dict = fields, row: int | None = row) -> None:
            problems.append(Problem(source, message, row=fields.get(column, (None, row))[1] if column else row,
                                    column=column))

        for unknown in sorted(set(fields) - set(FIELDS)):
            fail(f"unknown field (expected: {', '.join(FIELDS)})", unknown)
        server, application = get("server"), get("application")
        if (server is None) == (application is None):
            fail("needs exactly one of server or application", "server" if server else "application")
        strategy = (get("strategy") or "").lower()
        if not strategy:
            fail("a strategy is required", "strategy")
        elif strategy not in STRATEGIES:
            fail(f"unknown strategy {get('strategy')!r} (expected one of: {', '.join(STRATEGIES)})", "strategy")
        reason = get("reason")
        if not reason:
            fail("a reason is required: the plan records why the rule was overridden", "reason")
        key = ("server", server.lower()) if server else ("application", (application or "").lower())
        if (server or application) and key in seen:
            fail(f"{key[0]} {server or application} already has an override (row {seen[key]})", key[0])
        elif server or application:
            seen[key] = row
        entries.append(Override(strategy=strategy, reason=reason or "", server=server, application=application,
                                target=get("target"), row=row))
    if problems:
        raise OverridesError(problems)
    return tuple(entries)


# -- the estate -------------------------------------------------------------------------------

def assess_estate(servers: Sequence[Server], applications: Sequence[Application],
                  dependencies: Sequence[Dependency], settings: PlanSettings,
                  overrides: Overrides | None = None) -> dict[str, ServerAssessment]:
    """Every server's readiness, strategy, sizing and cost, by name (in name order)."""
    servers = sorted(servers, key=lambda s: (s.name.lower(), s.name, s.identity))
    _refuse_duplicates(servers)
    overrides = overrides or Overrides()
    _check_override_names(overrides, servers, applications)
    prices = load_prices(settings.region)
    sizer = Sizer(settings, prices)
    on = date.fromisoformat(settings.start_date)
    facts = gather_facts(servers, dependencies)
    context = Context(settings, facts, {a.name.lower(): a.type for a in applications})
    members = _memberships(servers, applications)
    result = {}
    for server in servers:
        readiness = assess_readiness(server, on)
        applications_of = members[server.name.lower()]
        override = _override_for(server, applications_of, overrides)
        if applications_of != server.applications:  # the rules see both sides of the inventory's mapping
            server = replace(server, applications=applications_of)
        strategy = server_strategy(server, readiness, context, override.decision if override else None)
        server_facts = facts.of(server.name)
        premium = premium_storage(server, server_facts.database)
        windows = server.os_family == "windows"
        sql = server_facts.sql_evidence is not None
        sizing, cost = _size_and_cost(server, strategy, sizer, prices, settings, premium=premium, windows=windows,
                                      sql=sql)
        if sizing.rule.startswith("R-SIZE-NO-FIT"):
            readiness = Readiness(NOT_READY, readiness.reasons + (
                f"No Azure VM size fits it: {sizing.rule.split(': ', 1)[1]}",))
        result[server.name] = ServerAssessment(server.name, readiness, strategy, sizing, cost)
    return result


def assess_applications(applications: Sequence[Application], assessments: dict[str, ServerAssessment],
                        settings: PlanSettings, overrides: Overrides | None = None) -> dict[str, Strategy]:
    """Each application's strategy (override, SaaS replacement, or from its servers), by name."""
    overrides = overrides or Overrides()
    by_lower = {name.lower(): name for name in assessments}
    result = {}
    for application in sorted(applications, key=lambda a: (a.name.lower(), a.name)):
        names = sorted({by_lower[s.lower()] for s in application.servers if s.lower() in by_lower}, key=str.lower)
        override = overrides.for_application(application.name)
        result[application.name] = application_strategy(
            application, [(n, assessments[n].strategy) for n in names], settings,
            override.decision if override else None)
    return result


def _size_and_cost(server: Server, strategy: Strategy, sizer: Sizer, prices: PriceSheet, settings: PlanSettings,
                   *, premium: bool, windows: bool, sql: bool) -> tuple[Sizing, Cost]:
    if strategy.strategy in NOT_SIZED:
        return Sizing(None, mode=settings.sizing.mode, rule=NOT_SIZED[strategy.strategy]), Cost()
    note = ""
    if strategy.strategy == "replatform" and strategy.target == SQL_MI:
        sizing = sizer.sql_mi(server)
        if sizing is not None:
            return sizing, managed_instance_cost(sizing, prices, settings.pricing)
        note = "Estimated as a VM: the server is over Azure SQL Managed Instance's limits. "
    elif strategy.strategy == "replatform" and strategy.target == AZURE_FILES:
        sizing = sizer.files(server, premium)
        if sizing is not None:
            return sizing, files_cost(sizing, prices, settings.pricing, premium=sizing.sku == FILES_PREMIUM)
        note = "Estimated as a VM: the data does not fit one Azure file share. "
    elif strategy.strategy in ("refactor", "replatform"):
        note = f"Estimated as a VM until the {strategy.strategy} target is designed. "
    sizing = sizer.vm(server, premium=premium, windows=windows, sql=sql)
    if note:
        sizing = Sizing(sizing.sku, sizing.vcpu, sizing.memory_gb, sizing.mode, note + sizing.rule, sizing.disks)
    return sizing, vm_cost(sizing, prices, settings.pricing, windows=windows, sql=sql)


def _memberships(servers: Sequence[Server], applications: Sequence[Application]) -> dict[str, tuple[str, ...]]:
    """Server (lower-case name) -> the applications it belongs to, from both sides of the inventory."""
    found: dict[str, set[str]] = defaultdict(set)
    for server in servers:
        found[server.name.lower()].update(server.applications)
    for application in applications:
        for name in application.servers:
            found[name.lower()].add(application.name)
    return {name: tuple(sorted(apps, key=str.lower)) for name, apps in found.items()}


def _override_for(server: Server, applications: tuple[str, ...], overrides: Overrides) -> Override | None:
    own = overrides.for_server(server.name)
    if own is not None:
        return own
    found = [o for o in (overrides.for_application(a) for a in applications) if o is not None]
    if len({(o.strategy, o.target) for o in found}) > 1:
        listed = "; ".join(f"{o.application} says {o.strategy} (row {o.row})" for o in found)
        raise OverridesError([Problem(overrides.source, f"server {server.name} belongs to applications whose "
                                                        f"overrides disagree ({listed}): add a server override for "
                                                        "it", row=found[1].row, column="application")])
    return found[0] if found else None


def _check_override_names(overrides: Overrides, servers: Sequence[Server],
                          applications: Sequence[Application]) -> None:
    servers_known = {s.name.lower() for s in servers}
    apps_known = {a.name.lower() for a in applications} | {a.lower() for s in servers for a in s.applications}
    problems = []
    for entry in overrides.entries:
        if entry.server and entry.server.lower() not in servers_known:
            problems.append(Problem(overrides.source, f"no server named {entry.server} in the inventory",
                                    row=entry.row, column="server"))
        if entry.application and entry.application.lower() not in apps_known:
            problems.append(Problem(overrides.source, f"no application named {entry.application} in the inventory",
                                    row=entry.row, column="application"))
    if problems:
        raise OverridesError(problems)


def _refuse_duplicates(servers: Sequence[Server]) -> None:
    seen: dict[str, int] = defaultdict(int)
    for server in servers:
        seen[server.name.lower()] += 1
    duplicates = sorted(name for name, count in seen.items() if count > 1)
    if duplicates:
        raise ValueError(f"server names must be unique to be assessed: {', '.join(duplicates[:10])} "
                         f"{'appear' if len(duplicates) > 1 else 'appears'} more than once")
