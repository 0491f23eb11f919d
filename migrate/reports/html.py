"""The plan as one self-contained HTML page for IT leadership.

No network request of any kind: inline CSS, a few lines of inline script (search, print), inline
SVG charts made here (`svg`), system fonts only. It opens from an e-mail attachment or a file
share on an air-gapped network. Jinja2 autoescapes every value; the SVG builder escapes its own
text. Large plans stay small and usable: per-wave server tables are collapsed, crossing links
are listed per wave up to LINKS_PER_WAVE (all of them are in the Excel workbook), and the
search box filters every server row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from migrate.reports import document as doc
from migrate.reports import risks as risk_register
from migrate.reports import svg

TEMPLATES = Path(__file__).resolve().parent / "templates"
LINKS_PER_WAVE = 25
APPLICATIONS_CHARTED = 20
RISKS_PER_CATEGORY = 40


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["usd"] = lambda v: "—" if v is None else f"${v:,.2f}"
    env.filters["usd0"] = lambda v: "—" if v is None else f"${v:,.0f}"
    env.filters["num"] = lambda v: ("—" if v is None else f"{v:,}" if isinstance(v, int)
                                    else f"{v:,.3f}".rstrip("0").rstrip("."))
    env.filters["when"] = lambda v: "—" if not v else v[:16].replace("T", " ")
    env.filters["colour"] = svg.wave_colour
    env.filters["capfirst"] = lambda v: str(v)[:1].upper() + str(v)[1:]
    return env


def _waves(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    servers = document["servers"]
    links_by_wave: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for link in document.get("crossing_links", []):
        for wave in {link.get("source_wave"), link.get("destination_wave")} - {None}:
            links_by_wave[wave].append(link)
    out = []
    for wave in document["waves"]:
        groups = wave.get("move_groups", [])
        group_of = {name: g for g in groups for name in g.get("servers", [])}
        rows = []
        for name in wave.get("servers", []):
            server = servers.get(name, {})
            group = group_of.get(name, {})
            rows.append({"name": name, "server": server, "group": server.get("move_group"),
                         "phi": bool(group.get("phi")), "tier0": bool(group.get("tier0")),
                         "search": " ".join([name, server.get("move_group") or "", *server.get("applications", []),
                                             server.get("readiness") or "", server.get("strategy") or "",
                                             server.get("target_sku") or "", server.get("owner") or "",
                                             f"wave {wave['number']}"]).lower()})
        links = sorted(links_by_wave.get(wave["number"], []),
                       key=lambda l: (-(l.get("weight") or 0), l["source"], l["destination"], l.get("port") or 0))
        applications = sorted({a for g in groups for a in g.get("applications", [])})
        needs = sorted({need for link in links for need in link.get("needs", [])})
        out.append({"wave": wave, "metrics": wave.get("metrics", {}), "rows": rows, "groups": groups,
                    "tier0": [g for g in groups if g.get("tier0")], "phi": [g for g in groups if g.get("phi")],
                    "applications": applications, "links": links[:LINKS_PER_WAVE], "links_total": len(links),
                    "needs": needs, "owners": doc.owners_of(document, wave.get("servers", []))})
    return out


def _caveats(document: Mapping[str, Any]) -> list[str]:
    """Data-quality caveats: what the plan's inputs did not record, counted from the plan."""
    servers = document["servers"].values()
    planned = [s for s in servers if s.get("wave") is not None]
    out = []
    unknown = document["metrics"].get("by_readiness", {}).get("Unknown", 0)
    if unknown:
        out.append(f"{unknown} server(s) have readiness Unknown: their OS, cores, memory or disks are not recorded.")
    orphans = sum(1 for s in planned if not s.get("applications"))
    if orphans:
        out.append(f"{orphans} planned server(s) belong to no application in the inventory: they move as "
                   "single-server groups unless a link ties them to others.")
    no_tier = sum(1 for s in planned if s.get("tier") is None)
    if no_tier:
        out.append(f"{no_tier} planned server(s) have no recorded tier: tier-0 limits cannot see them.")
    no_env = sum(1 for s in planned if not s.get("environment"))
    if no_env:
        out.append(f"{no_env} planned server(s) have no recorded environment.")
    if not doc.owners_recorded(document):
        out.append("This plan predates server owners in the plan JSON: plan again to fill the Owner columns.")
    elif not any(s.get("owner") for s in servers):
        out.append("The inventory records no server owners: the Owner columns are empty.")
    else:
        no_owner = sum(1 for s in planned if not s.get("owner"))
        if no_owner:
            out.append(f"{no_owner} planned server(s) have no recorded owner: nobody is named to notify for them.")
    out += [r.detail for r in risk_register.dependency_risks(document)]
    return out


def html_report(document: Mapping[str, Any]) -> str:
    metrics = document["metrics"]
    group_of = doc.server_move_group(document)
    waves = _waves(document)
    register = risk_register.sorted_register(risk_register.register(document))
    by_category: dict[str, list[risk_register.Risk]] = {}
    for risk in register:
        by_category.setdefault(risk.category, []).append(risk)
    applications = sorted(((name, a) for name, a in document.get("applications", {}).items()),
                          key=lambda kv: (-(kv[1].get("monthly_cost") or 0), kv[0]))
    wave_cost = [(f"{w['number']} · {w.get('name', '')}", float(w["metrics"].get("monthly_cost", 0)), w["number"])
                 for w in document["waves"]]
    app_cost = [(name, float(a.get("monthly_cost") or 0), (a.get("waves") or [None])[0])
                for name, a in applications[:APPLICATIONS_CHARTED] if (a.get("monthly_cost") or 0) > 0]
    spend = doc.spend(document)
    context = {
        "plan": document, "metrics": metrics, "pricing": document["pricing"], "settings": document["settings"],
        "warnings": doc.warnings(document), "estimates": [(label, doc.flatten(value)) for label, value
                                                          in doc.estimates(document)],
        "run_rates": doc.run_rates(document), "applications_in_waves": doc.applications_in_waves(document),
        "top_risks": risk_register.top_risks(document), "register": by_category,
        "register_total": len(register), "risks_per_category": RISKS_PER_CATEGORY,
        "waves": waves, "wave_columns": doc.wave_metric_columns(document),
        "timeline": svg.timeline(document["waves"], document["settings"]),
        "wave_cost_chart": svg.bars("wave-cost", "Monthly run-rate added by each wave (USD)", wave_cost),
        "app_cost_chart": svg.bars("app-cost", f"Monthly cost of the {len(app_cost)} most expensive applications "
                                               "(USD)", app_cost) if app_cost else "",
        "application_rows": [(name, a, *doc.application_owners(a)) for name, a in applications],
        "diagram": svg.move_group_diagram(document["waves"], document.get("crossing_links", []), group_of),
        "spend": spend, "spend_chart": svg.bars(
            "spend", "Cumulative Azure spend by month (USD, estimate)",
            [(str(m.get("month")), float(m.get("cumulative") or 0), None) for m in spend.get("months", [])])
        if spend and spend.get("months") else "",
        "caveats": _caveats(document), "assumptions": doc.assumptions(document),
        "notes": document.get("notes", []),
    }
    return _environment().get_template("report.html.j2").render(**context)
