"""The plan as Markdown for a pull request or a change-board ticket: summary, waves, risks.

Short by design (about 60 lines plus one per wave): the risk register is grouped by category
with the first few subjects; the full register is in the HTML and Excel reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from migrate.reports import document as doc
from migrate.reports import risks as risk_register

SUBJECTS_LISTED = 6
OWNERS_LISTED = 8


def text(value: Any) -> str:
    """A table cell: pipes and line breaks from inventory text cannot break the table or add markup."""
    s = "—" if value is None else str(value)
    s = s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    for char in "*_`[]<>#":
        s = s.replace(char, "\\" + char)
    return s


def short(value: str, limit: int = 140) -> str:
    return value if len(value) <= limit else value[:limit - 1].rstrip() + "…"


def _when(value: str | None) -> str | None:
    """An ISO cutover time as 'YYYY-MM-DD HH:MM' (the wall-clock time of the cutover window's zone)."""
    return value[:16].replace("T", " ") if value else None


def money(value: Any) -> str:
    return f"${value:,.2f}" if isinstance(value, (int, float)) else text(value)


def markdown_report(document: Mapping[str, Any]) -> str:
    metrics, pricing = document["metrics"], document["pricing"]
    lines = ["# Migration plan", ""]
    lines.append(f"{metrics['servers']} servers: {metrics['servers_in_waves']} move in "
                 f"{metrics['migration_waves']} waves after a foundation wave, {metrics['servers_excluded']} are "
                 f"retired or retained; {doc.applications_in_waves(document)} applications, "
                 f"{metrics['move_groups']} move groups.")
    zone = document["settings"].get("cutover_window", {}).get("time_zone", "local time")
    lines.append(f"Cutovers {text(_when(metrics.get('first_cutover')))} → {text(_when(metrics.get('last_cutover')))} "
                 f"({text(zone)}).")
    lines.append("")
    warnings = doc.warnings(document)
    if warnings:
        lines += ["## Plan warnings", ""] + [f"- {text(w)}" for w in warnings] + [""]
    lines += ["## Cost (estimates)", "", "| Pricing option | Monthly run-rate (USD) | Source |", "|---|---:|---|"]
    for rate in doc.run_rates(document):
        source = "plan total" if rate.stated else "sum of the plan's per-server figures"
        lines.append(f"| {rate.label} | {money(rate.monthly)} | {source} |")
    lines.append("")
    lines.append(f"Price snapshot {text(pricing.get('snapshot_date'))}, region {text(pricing.get('region'))}, "
                 f"Azure Hybrid Benefit {'on' if pricing.get('hybrid_benefit') else 'off'}. "
                 f"{text(pricing.get('note', ''))}")
    spend = doc.spend(document)
    if spend is not None:
        lines.append("")
        lines.append(f"One-time migration cost {money(spend.get('one_time_total'))} (replication storage and test "
                     f"migrations); Azure spend to the last cutover {money(spend.get('total_to_last_cutover'))} — "
                     "estimates from the plan's `spend` section; on-premises costs not included.")
    for label, value in doc.estimates(document):
        lines.append("")
        lines.append(f"**{text(label)}** (estimate, from the plan):")
        lines += [f"- {text(k or label)}: {money(v) if isinstance(v, float) else text(v)}" for k, v in
                  doc.flatten(value)[:12]]
    lines += ["", "## Waves", ""]
    lines.append("| Wave | Name | Start | Cutover | Servers | Groups | vCPU | TB | Tier-0 | PHI | Crossing | "
                 "Monthly (USD) |")
    lines.append("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for wave in document["waves"]:
        m = wave["metrics"]
        lines.append(f"| {wave['number']} | {text(wave.get('name'))} | {text(wave.get('start'))} | "
                     f"{text((wave.get('cutover') or '')[:16].replace('T', ' '))} | {m.get('servers')} | "
                     f"{m.get('move_groups')} | {m.get('vcpu')} | {m.get('replication_tb')} | "
                     f"{m.get('tier0_cutovers')} | {m.get('phi_servers')} | {m.get('crossing_links')} | "
                     f"{money(m.get('monthly_cost'))} |")
    if doc.owners_recorded(document):
        lines += ["", "## Owners to notify", "",
                  "Each wave's server owners as the inventory records them, with how many of the wave's servers "
                  f"each owns (the first {OWNERS_LISTED}; the HTML and Excel reports list all)."]
        lines.append("")
        for wave in document["waves"]:
            owners = doc.owners_of(document, wave.get("servers", []))
            name = wave.get("name")
            label = f"Wave {wave['number']}" + (f" ({text(name)})" if name and name != f"Wave {wave['number']}" else "")
            lines.append(f"- {label}: {text(owners.summary(OWNERS_LISTED))}")
    lines += ["", "## Risks", ""]
    grouped: dict[str, list[risk_register.Risk]] = defaultdict(list)
    for risk in risk_register.sorted_register(risk_register.register(document)):
        grouped[risk.category].append(risk)
    lines += ["| Category | Count | Highest | Examples |", "|---|---:|---|---|"]
    for category, items in grouped.items():
        worst = min(items, key=lambda r: risk_register.SEVERITY_ORDER[r.severity]).severity
        examples = "; ".join(f"{r.subject}: {short(r.detail)}" if len(items) <= 2 or r.subject == "plan"
                             else r.subject for r in items[:SUBJECTS_LISTED])
        more = f" … and {len(items) - SUBJECTS_LISTED} more" if len(items) > SUBJECTS_LISTED else ""
        lines.append(f"| {text(category)} | {len(items)} | {worst} | {text(examples)}{more} |")
    top = risk_register.top_risks(document)
    if top:
        lines += ["", "Top risks:", ""] + [f"- {text(line)}" for line in top]
    lines += ["", f"_Generated from plan {text(document.get('inputs', {}).get('inventory', {}).get('sha256', '')[:12])}"
                  f" by {text(document.get('generator'))}; every figure comes from the plan JSON._", ""]
    return "\n".join(lines)
