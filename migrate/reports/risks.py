"""The risk register every report carries, selected from the plan document.

Each entry points at plan content (a server, a wave, a move group, a link, a setting); the
register orders and labels, it does not judge anew. Categories, in the order leadership asked:
servers not ready but planned, end-of-life systems, tier-0 and PHI cutovers per wave, hubs and
their crossing links, dependency data, assumptions that drive cost, then the plan's own warnings
and notes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrate.reports import document as doc

HIGH, MEDIUM, LOW = "High", "Medium", "Low"
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

# Readiness reasons the planner writes for an operating system out of support
# (migrate/planning/readiness.py `_lifecycle`): "... left support on DATE ..." and
# "... left regular support on DATE; extended security updates run until DATE ...".
_PAST_SUPPORT = re.compile(r"\bleft support on \d{4}-\d{2}-\d{2}")
_EXTENDED_ONLY = re.compile(r"\bleft regular support on \d{4}-\d{2}-\d{2}")
HUBS_LISTED = 10
LINKS_LISTED = 5


@dataclass(frozen=True)
class Risk:
    category: str
    severity: str
    subject: str
    detail: str
    wave: int | None = None


def end_of_life_reason(server: Mapping[str, Any]) -> tuple[str, str] | None:
    """(severity, reason) when a readiness reason says the OS is out of support."""
    for reason in server.get("readiness_reasons", []):
        if _PAST_SUPPORT.search(reason):
            return HIGH, reason
        if _EXTENDED_ONLY.search(reason):
            return MEDIUM, reason
    return None


def hubs(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Hub servers with their crossing links: the plan's own hubs when it names them, else the
    servers at the end of the most crossing links (counted from the plan's link list)."""
    per_server: dict[str, dict[str, Any]] = defaultdict(lambda: {"links": 0, "weight": 0, "waves": set()})
    for link in document.get("crossing_links", []):
        for end, other in (("source", "destination_wave"), ("destination", "source_wave")):
            record = per_server[link[end]]
            record["links"] += 1
            record["weight"] += link.get("weight", 0) or 0
            if link.get(other) is not None:
                record["waves"].add(link[other])
    named = {name: s["hub"] for name, s in document["servers"].items() if s.get("hub")}
    if named:
        names = sorted(named, key=lambda n: (-per_server[n]["links"] if n in per_server else 0, n))
    else:
        names = sorted((n for n in per_server if per_server[n]["links"] >= 2),
                       key=lambda n: (-per_server[n]["links"], -per_server[n]["weight"], n))[:HUBS_LISTED]
    out = []
    for name in names:
        record = per_server.get(name, {"links": 0, "weight": 0, "waves": set()})
        server = document["servers"].get(name, {})
        out.append({"server": name, "wave": server.get("wave"), "links": record["links"], "weight": record["weight"],
                    "other_waves": sorted(record["waves"]), "why": named.get(name, "")})
    return out


def largest_links(document: Mapping[str, Any], count: int = LINKS_LISTED) -> list[dict[str, Any]]:
    links = document.get("crossing_links", [])
    return sorted(links, key=lambda l: (-(l.get("weight") or 0), l["source"], l["destination"], l.get("port") or 0)
                  )[:count]


def register(document: Mapping[str, Any]) -> list[Risk]:
    risks: list[Risk] = [Risk("Plan warning", HIGH, w["code"] or "plan", w["message"])
                         for w in doc.warning_records(document) if not w["code"].startswith("dependency-window")]
    servers = document["servers"]
    for name, server in sorted(servers.items()):
        if server.get("wave") is not None and server.get("readiness") in ("Not ready", "Unknown"):
            reasons = "; ".join(server.get("readiness_reasons", [])) or "no reason recorded"
            risks.append(Risk("Not ready but planned", HIGH if server["readiness"] == "Not ready" else MEDIUM,
                              name, f"{server['readiness']}: {reasons}", server["wave"]))
    for name, server in sorted(servers.items()):
        if server.get("excluded"):
            continue
        found = end_of_life_reason(server)
        if found:
            risks.append(Risk("End-of-life system", found[0], name, found[1], server.get("wave")))
    for wave in document["waves"]:
        metrics, groups = wave.get("metrics", {}), wave.get("move_groups", [])
        tier0 = [g["id"] for g in groups if g.get("tier0")]
        if metrics.get("tier0_cutovers"):
            risks.append(Risk("Tier-0 cutover", HIGH, f"wave {wave['number']} ({wave.get('cutover', '')[:10]})",
                              f"{metrics['tier0_cutovers']} tier-0 cutover(s): {', '.join(tier0) or 'see move groups'}",
                              wave["number"]))
        phi = [g["id"] for g in groups if g.get("phi")]
        if metrics.get("phi_servers"):
            risks.append(Risk("PHI cutover", MEDIUM, f"wave {wave['number']} ({wave.get('cutover', '')[:10]})",
                              f"{metrics['phi_servers']} PHI server(s) in {len(phi)} move group(s): "
                              f"{', '.join(phi[:8])}{' …' if len(phi) > 8 else ''}", wave["number"]))
    for hub in hubs(document):
        why = f" ({hub['why']})" if hub["why"] else ""
        risks.append(Risk("Hub", MEDIUM, hub["server"],
                          f"{hub['links']} crossing link(s), weight {hub['weight']}, to wave(s) "
                          f"{', '.join(map(str, hub['other_waves'])) or '—'}{why}", hub["wave"]))
    for link in largest_links(document):
        risks.append(Risk("Large crossing link", MEDIUM, f"{link['source']} → {link['destination']}",
                          f"port {link.get('port')}, weight {link.get('weight')}, waves {link.get('source_wave')} → "
                          f"{link.get('destination_wave')}; needs {', '.join(link.get('needs', []))}",
                          link.get("source_wave")))
    risks += dependency_risks(document)
    risks += cost_risks(document)
    risks += [Risk("Plan note", LOW, "plan", note) for note in document.get("notes", [])]
    return risks


def dependency_risks(document: Mapping[str, Any]) -> list[Risk]:
    inputs = document.get("inputs", {})
    count = (inputs.get("inventory") or {}).get("dependencies")
    if not count:
        return [Risk("Dependency data", HIGH, "dependencies",
                     "The plan was made with no dependency data: waves ignore how servers talk to each other.")]
    # The planner judges the observation window (plan warnings dependency-window-stale/-short).
    judged = [w for w in doc.warning_records(document) if w["code"].startswith("dependency-window")]
    if judged:
        return [Risk("Dependency data", HIGH, w["code"], w["message"]) for w in judged]
    if "warnings" in document:  # a planner that judges the window found nothing to say
        return [Risk("Dependency data", LOW, "dependencies", f"{count} dependency edges; the plan raises no "
                                                             "warning about their observation window.")]
    return [Risk("Dependency data", MEDIUM, "dependencies",
                 f"{count} dependency edges; the plan does not record the observation window: links seen less "
                 "often than monthly jobs (month-end, quarter-end) may be missing — confirm at least 30 days.")]


def cost_risks(document: Mapping[str, Any]) -> list[Risk]:
    pricing = document["pricing"]
    out = [Risk("Cost assumption", MEDIUM, "price snapshot",
                f"Prices from the snapshot dated {pricing.get('snapshot_date')} ({pricing.get('region')}); "
                f"{pricing.get('note', '')}".strip())]
    if pricing.get("hybrid_benefit"):
        out.append(Risk("Cost assumption", MEDIUM, "Azure Hybrid Benefit",
                        "Costs assume Windows Server and SQL Server licences with Software Assurance cover every "
                        "core moved; without them the Windows and SQL servers cost more."))
    if pricing.get("sizing_mode") == "as-on-premises":
        out.append(Risk("Cost assumption", LOW, "sizing",
                        "Servers are sized as on premises, not from measured utilisation: the run-rate may be high."))
    out.append(Risk("Cost assumption", LOW, "pricing option",
                    f"Run-rate under {pricing.get('option')}; reservations lower compute only "
                    "(see the run-rate per option)."))
    return out


def sorted_register(risks: list[Risk]) -> list[Risk]:
    """Worst severity first; within it the register's category order, then the order each category lists."""
    categories = {category: index for index, category in enumerate(dict.fromkeys(r.category for r in risks))}
    return sorted(risks, key=lambda r: (SEVERITY_ORDER[r.severity], categories[r.category]))


def top_risks(document: Mapping[str, Any]) -> list[str]:
    """The executive summary's few lines: tier-0 cutovers, end-of-life systems, hubs, largest links."""
    servers = document["servers"]
    waves = document["waves"]
    lines = []
    tier0 = [(w["number"], w["metrics"].get("tier0_cutovers", 0)) for w in waves if w["metrics"].get("tier0_cutovers")]
    if tier0:
        lines.append(f"{sum(n for _, n in tier0)} tier-0 cutover(s) in waves {', '.join(str(w) for w, _ in tier0)}")
    eol = {name: reason for name, s in servers.items() if not s.get("excluded") and (reason := end_of_life_reason(s))}
    past = [name for name, (severity, _) in eol.items() if severity == HIGH]
    if eol:
        lines.append(f"{len(eol)} migrating server(s) run an operating system out of regular support "
                     f"({len(past)} past every extended update)")
    not_ready = [n for n, s in servers.items() if s.get("wave") is not None and s.get("readiness") == "Not ready"]
    if not_ready:
        lines.append(f"{len(not_ready)} server(s) planned into a wave but Not ready: "
                     f"{', '.join(sorted(not_ready)[:5])}")
    found = hubs(document)[:3]
    if found:
        lines.append("hubs: " + ", ".join(f"{h['server']} ({h['links']} crossing links)" for h in found))
    links = largest_links(document, 3)
    if links:
        lines.append("largest crossing links: " + ", ".join(
            f"{l['source']} → {l['destination']} port {l.get('port')} (weight {l.get('weight')})" for l in links))
    return lines
