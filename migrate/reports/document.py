"""Read a plan document and name the figures every report shows.

Pure selection and labelling over the plan JSON (`carelift.plan/v1`): no figure is re-planned,
re-priced or re-sized here. Where a report shows a total the plan does not state (the monthly
run-rate under another pricing option), it is the sum of the plan's own per-server figures and
says so. Fields another version of the planner adds (sanity warnings, one-time migration cost,
dual running, hubs) are shown when present and never computed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.errors import CareliftError
from infra.inputs import DATA_LIMIT, read_input_text

SCHEMA = "carelift.plan/v1"

# Pricing options in the per-server cost block, as the plan names them.
PRICING_OPTIONS = (("payg", "Pay-as-you-go", "compute_payg"), ("ri1y", "1-year reserved", "compute_ri1y"),
                   ("ri3y", "3-year reserved", "compute_ri3y"))

# Wave metrics the reports label; any other metric a newer plan adds is shown under its own key.
WAVE_METRICS = (("servers", "Servers"), ("move_groups", "Move groups"), ("vcpu", "vCPU"),
                ("replication_tb", "TB to replicate"), ("tier0_cutovers", "Tier-0 cutovers"),
                ("phi_servers", "PHI servers"), ("crossing_links", "Crossing links"),
                ("hybrid_links_after_cutover", "Hybrid links after cutover"),
                ("hybrid_weight_after_cutover", "Hybrid weight after cutover"),
                ("monthly_cost", "Monthly cost (USD)"), ("monthly_cost_cumulative", "Cumulative monthly (USD)"))

# Plan fields a newer planner may add (issue 12): shown verbatim where present.
WARNING_KEYS = ("warnings", "sanity_warnings")
ESTIMATE_KEYS = ("one_time_cost", "one_time_migration_cost", "migration_cost", "dual_running",
                 "dual_running_cost", "cumulative_spend", "spend_by_month")


class ReportError(CareliftError):
    """A plan file the reports cannot read; the message names the file and what is wrong."""


def read_plan(path: Path) -> dict[str, Any]:
    try:
        text = read_input_text(path, DATA_LIMIT)  # a regular file within the size cap (not a FIFO, not /dev/zero)
    except (OSError, UnicodeDecodeError) as error:
        raise ReportError(f"cannot read {path}: {error}") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReportError(f"{path} is not JSON: line {error.lineno}, column {error.colno}: {error.msg}") from error
    check_plan(document, str(path))
    return document


def check_plan(document: Any, source: str) -> None:
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else type(document).__name__
        raise ReportError(f"{source} is not a carelift plan (expected \"schema\": \"{SCHEMA}\", found {found!r})")
    missing = [key for key in ("metrics", "waves", "servers", "settings", "pricing") if key not in document]
    if missing:
        raise ReportError(f"{source}: the plan lacks {', '.join(missing)}")


@dataclass(frozen=True)
class RunRate:
    option: str
    label: str
    monthly: float
    stated: bool
    """True: the plan's own total; False: the sum of the plan's per-server figures under this option."""


def run_rates(document: Mapping[str, Any]) -> list[RunRate]:
    """Monthly run-rate per pricing option: the plan's total for its option, per-server sums for the others."""
    chosen = document["pricing"].get("option")
    rates = []
    for option, label, key in PRICING_OPTIONS:
        if option == chosen:
            rates.append(RunRate(option, label, float(document["metrics"]["monthly_cost"]), True))
            continue
        total = 0.0
        for server in document["servers"].values():
            if server.get("wave") is None:
                continue
            cost = server.get("cost") or {}
            total += float(cost.get(key, 0.0)) + float(cost.get("storage", 0.0))
        rates.append(RunRate(option, label, round(total, 2), False))
    return rates


def wave_metric_columns(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Labelled wave metrics: the known ones in order, then any a newer plan adds."""
    present: dict[str, None] = {}
    for wave in document["waves"]:
        for key in wave.get("metrics", {}):
            present.setdefault(key, None)
    known = [(key, label) for key, label in WAVE_METRICS if key in present]
    extra = [(key, key.replace("_", " ").capitalize()) for key in present if key not in dict(WAVE_METRICS)]
    return known + extra


def warning_records(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's sanity warnings as `{code, message, figures}` (a plain string becomes its message)."""
    found: list[dict[str, Any]] = []
    for key in WARNING_KEYS:
        for container in (document, document.get("metrics", {})):
            value = container.get(key)
            if not isinstance(value, list):
                continue
            for item in value:
                if isinstance(item, Mapping):
                    found.append({"code": str(item.get("code", "")), "message": str(item.get("message", item)),
                                  "figures": dict(item.get("figures") or {})})
                else:
                    found.append({"code": "", "message": str(item), "figures": {}})
    return found


def warnings(document: Mapping[str, Any]) -> list[str]:
    """Each sanity warning as one line: its message, then its code in brackets."""
    return [w["message"] + (f" [{w['code']}]" if w["code"] else "") for w in warning_records(document)]


def spend(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The plan's `spend` section (one-time migration cost per wave, run-rate, dual running and
    cumulative spend by month, with its inputs), when the planner wrote one."""
    value = document.get("spend")
    return value if isinstance(value, Mapping) and (value.get("waves") or value.get("months")) else None


def estimates(document: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Cost estimates beyond the run-rate that the plan states (one-time migration, dual running…)."""
    found = []
    for key in ESTIMATE_KEYS:
        for container in (document, document.get("metrics", {})):
            if key in container and container[key] is not None:
                found.append((key.replace("_", " ").capitalize(), container[key]))
                break
    return found


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A nested estimate as (dotted label, scalar) rows, for tables."""
    if isinstance(value, Mapping):
        rows = []
        for key, item in value.items():
            rows += flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        rows = []
        for index, item in enumerate(value):
            rows += flatten(item, f"{prefix}[{index}]")
        return rows
    if isinstance(value, list):
        return [(prefix, ", ".join(map(str, value)))]
    return [(prefix, value)]


def server_move_group(document: Mapping[str, Any]) -> dict[str, str]:
    return {name: s["move_group"] for name, s in document["servers"].items() if s.get("move_group")}


def phi_tier0_by_group(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Move group id -> its record from the waves (phi, tier0, servers, wave number)."""
    groups = {}
    for wave in document["waves"]:
        for group in wave.get("move_groups", []):
            groups[group["id"]] = {**group, "wave": wave["number"]}
    return groups


@dataclass(frozen=True)
class Owners:
    """Whom to call for a set of servers: each owner the plan records for them with how many of the
    servers they own, the most first (a tie goes to the name first in case-insensitive order, as the
    planner ranks an application's owners), and how many of the servers have no recorded owner."""

    ranked: tuple[tuple[str, int], ...]
    without: int
    recorded: bool
    """False when the plan predates owners (no server record has the key): nothing can be said."""

    def summary(self, limit: int | None = None) -> str:
        """Plain text, e.g. "Clinical Apps - EHR (12 servers), Pharmacy (1 server); 2 servers without an
        owner" — data for a report to escape, never markup."""
        if not self.recorded:
            return "not recorded in this plan"
        shown = self.ranked if limit is None else self.ranked[:limit]
        parts = [f"{name} ({_servers(count)})" for name, count in shown]
        if len(self.ranked) > len(shown):
            more = len(self.ranked) - len(shown)
            parts.append(f"{more} other owner" + ("" if more == 1 else "s"))
        text = ", ".join(parts) if parts else "none recorded"
        return text + (f"; {_servers(self.without)} without an owner" if self.without and parts else "")


def _servers(count: int) -> str:
    return f"{count} server" + ("" if count == 1 else "s")


def owners_recorded(document: Mapping[str, Any]) -> bool:
    """True when the plan carries server owners (planners since owners joined the plan JSON write the
    key, null when the inventory has none)."""
    return any("owner" in server for server in document["servers"].values())


def owners_of(document: Mapping[str, Any], names: Any) -> Owners:
    """The owners of the named servers of the plan (names the plan does not hold count as without)."""
    servers = document["servers"]
    counts: dict[str, int] = {}
    without = 0
    for name in names:
        owner = (servers.get(name) or {}).get("owner")
        if owner:
            counts[str(owner)] = counts.get(str(owner), 0) + 1
        else:
            without += 1
    ranked = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold(), item[0])))
    return Owners(ranked, without, owners_recorded(document))


def application_owners(application: Mapping[str, Any]) -> tuple[str | None, str]:
    """An application's owner as the plan states it, and the others with their server counts ("" when
    there are none): the planner ranks the owners of the application's servers, most servers first."""
    others = [o for o in application.get("owners") or [] if isinstance(o, Mapping)][1:]
    return application.get("owner"), ", ".join(f"{o.get('owner')} ({_servers(int(o.get('servers') or 0))})"
                                                for o in others)


def applications_in_waves(document: Mapping[str, Any]) -> int:
    return sum(1 for a in document.get("applications", {}).values() if a.get("waves"))


def assumptions(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every assumption the plan records: pricing, catalogs' dates, settings that drive the result."""
    pricing, settings = document["pricing"], document["settings"]
    rows = [
        ("Pricing option", f"{pricing.get('option')} (Azure Hybrid Benefit: "
                           f"{'yes' if pricing.get('hybrid_benefit') else 'no'})"),
        ("Region", str(pricing.get("region"))),
        ("Price snapshot", f"{pricing.get('snapshot_date')} — {pricing.get('source', '')}"),
        ("VM size catalog date", str(pricing.get("vm_catalog_date"))),
        ("Disk tier table date", str(pricing.get("disk_tiers_date"))),
        ("Sizing", f"{pricing.get('sizing_mode')} (headroom ×{pricing.get('headroom')})"),
        ("Hours per month", str(pricing.get("hours_per_month"))),
    ]
    inputs = document.get("inputs", {})
    lifecycle = next((str(container[key]) for container in (pricing, inputs)
                      for key in ("lifecycle_date", "os_lifecycle_date", "lifecycle_table_date") if container.get(key)),
                     None)
    rows.append(("OS lifecycle table date", lifecycle or f"not recorded in this plan; readiness judges operating "
                                                        f"systems on the start date ({settings.get('start_date')})"))
    rows += [("Pricing assumption", text) for text in pricing.get("assumptions", [])]
    if pricing.get("note"):
        rows.append(("Pricing note", pricing["note"]))
    for key, value in flatten(settings):
        rows.append((f"Setting {key}", "" if value is None else str(value)))
    for key, value in flatten(inputs):
        rows.append((f"Input {key}", "" if value is None else str(value)))
    return rows
