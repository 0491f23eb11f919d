"""Rendering for `carelift plan`: summary, timeline, explanation, diff. Reads plan JSON documents
(schema carelift.plan/v1) and the views `migrate.planning.views` makes of them; computes nothing."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from migrate.cli.terminal import console, echo

if TYPE_CHECKING:
    from rich.console import JustifyMethod


def money(value: float | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def window(start: str | None, end: str | None, zone: bool = True) -> str:
    """'Sat 2027-01-09 00:00–06:00 UTC-06:00' from the ISO start and end of a cutover window;
    local times only (the table states the time zone once) when `zone` is False."""
    if not start:
        return ""
    begins = datetime.fromisoformat(start)
    text = f"{begins:%a %Y-%m-%d %H:%M}"
    ends = datetime.fromisoformat(end) if end else None
    if ends is not None:
        text += f"–{ends:%H:%M}" if ends.date() == begins.date() else f"–{ends:%a %H:%M}"
    if not zone:
        return text
    if ends is not None and ends.utcoffset() != begins.utcoffset():  # daylight saving time changes inside
        return f"{text} (UTC{_offset(begins)} → UTC{_offset(ends)})"
    return f"{text} UTC{_offset(begins)}"


def _offset(moment: datetime) -> str:
    return moment.isoformat()[19:] or "+00:00"


# -- carelift plan ---------------------------------------------------------------------------

def print_summary(document: dict, plan_id: int, digest: str, out: Path | str | None) -> None:
    """What `carelift plan` says: from the plan's metrics, pricing and notes."""
    m = document["metrics"]
    pricing = document.get("pricing", {})
    say = echo
    waves = f"{m['migration_waves']} waves" + (" after a foundation wave" if m["waves"] > m["migration_waves"] else "")
    say(f"plan {plan_id}: {m['servers']} servers, {m['servers_in_waves']} in {waves}, "
        f"{m['servers_excluded']} retired or retained; {m['move_groups']} move groups")
    if "hubs" in m:
        say(f"{m['extended_infrastructure']} extended-infrastructure servers in the foundation; {m['hubs']} hub servers "
            "planned like any application")
    if m.get("first_cutover"):
        say(f"cutovers {m['first_cutover'][:10]} → {m['last_cutover'][:10]}")
    say(f"hybrid exposure H = {m['hybrid_exposure']:,} over {m['crossing_links']} crossing links")
    say(f"monthly cost {money(m['monthly_cost'])} ({pricing.get('option', '?')}, region {pricing.get('region', '?')}"
        + (", Azure Hybrid Benefit" if pricing.get("hybrid_benefit") else "") + ")")
    for note in document.get("notes", []):
        say(f"note: {note}")
    for warning in document.get("warnings", []):
        say(f"warning: {warning['message']}")
    say(f"stored in the workspace (sha256 {digest[:12]}…)" + (f"; JSON written to {out}" if out else ""))


# -- show ------------------------------------------------------------------------------------

NARROW_WIDTH = 100
"""`plan show` without --wide fits this many terminal columns."""


def print_timeline(document: dict, record, wide: bool = False) -> None:
    """The waves as a table. Without `wide` it fits NARROW_WIDTH columns: the start date, vCPU and
    TB columns are dropped (the least used on a change board) and the cutover shows its start only;
    --wide shows everything."""
    from rich import box
    from rich.table import Table

    m = document["metrics"]
    zone = document.get("settings", {}).get("cutover_window", {}).get("time_zone", "")
    table = Table(title=f"plan {record.plan_id} ({record.created_at}): {m['servers_in_waves']} of {m['servers']} "
                        f"servers in {m['waves']} waves, H = {m['hybrid_exposure']:,}, "
                        f"{money(m['monthly_cost'])}/month; cutover windows in {zone}",
                  title_justify="left", box=box.SIMPLE_HEAD)
    columns: list[tuple[str, JustifyMethod, bool]] = [
        ("wave", "right", True), ("name", "left", True), ("starts", "left", wide), ("cutover", "left", True),
        ("servers", "right", True), ("groups", "right", True), ("vCPU", "right", wide), ("TB", "right", wide),
        ("tier 0", "right", True), ("PHI", "right", True), ("monthly cost", "right", True),
        ("crossing links" if wide else "crossing", "right", True)]
    for column, justify, shown in columns:
        if shown:
            table.add_column(column, justify=justify, no_wrap=column in ("cutover", "starts", "monthly cost"))
    for w in document["waves"]:
        wm = w["metrics"]
        cutover = (window(w["cutover"], w["cutover_end"], zone=False) if wide
                   else (w["cutover"] or "")[:16].replace("T", " "))
        cost = money(wm["monthly_cost"])
        cells = [str(w["number"]), w["name"], w["start"] or "", cutover, str(wm["servers"]), str(wm["move_groups"]),
                 str(wm["vcpu"]), f"{wm['replication_tb']:.1f}", str(wm["tier0_cutovers"]), str(wm["phi_servers"]),
                 cost, str(wm["crossing_links"])]
        table.add_row(*(cell for cell, (_, _, shown) in zip(cells, columns, strict=True) if shown))
    screen = console(soft_wrap=False)
    if not screen.is_terminal:  # piped or captured: no terminal width to go by
        screen.width = 160 if wide else NARROW_WIDTH
    elif not wide:
        screen.width = min(screen.width, NARROW_WIDTH)
    screen.print(table)
    for note in document.get("notes", []):
        if wide:
            echo(f"note: {note}")
        else:
            for line in textwrap.wrap(f"note: {note}", NARROW_WIDTH, subsequent_indent="  "):
                echo(line)


# -- explain ---------------------------------------------------------------------------------

def print_explanation(e: dict) -> None:
    say = echo
    context = ", ".join(p for p in (e["environment"], f"tier {e['tier']}" if e["tier"] is not None else None,
                                    ", ".join(e["applications"])) if p)
    say(f"{e['server']}" + (f" ({context})" if context else ""))
    wave = e["wave"]
    if wave is None:
        say(f"  wave: none — {e['not_in_a_wave'] or 'not planned'}")
    else:
        say(f"  wave {wave['number']} ({wave['name']}): starts {wave['start']}, cutover "
            f"{window(wave['cutover'], wave['cutover_end'])}")
        for reason in wave["reasons"] or ["no rule or link pins it: placed to keep linked groups together "
                                          "within the wave capacities"]:
            say(f"    - {reason}")
    if e["shared_service"]:
        say(f"  extended infrastructure (foundation wave 0): {e['shared_service']}")
    if e.get("hub"):
        say(f"  hub, planned like any application under every rule, its links crossing: {e['hub']}")
    group = e["move_group"]
    if group:
        others = [s for s in group["servers"] if s != e["server"]]
        say(f"  move group {group['id']}: {len(group['servers'])} server(s)"
            + (f", with {', '.join(others[:12])}" + (" …" if len(others) > 12 else "") if others else ""))
        for reason in group["reasons"]:
            say(f"    - {reason}")
    strategy = e["strategy"]
    say(f"  strategy: {strategy['strategy']}" + (f" → {strategy['target']}" if strategy["target"] else "")
        + (" (overridden by the overrides file)" if strategy["overridden"] else ""))
    if strategy["rule"]:
        say(f"    - {strategy['rule']}")
    readiness = e["readiness"]
    say(f"  readiness: {readiness['status']}")
    for reason in readiness["reasons"]:
        say(f"    - {reason}")
    size = e["size"]
    if size.get("target_sku"):
        say(f"  size: {size['target_sku']} ({size.get('vcpu', 0)} vCPU, {size.get('memory_gb', 0):g} GB, "
            f"{size.get('mode', '')})")
    else:
        say("  size: not sized")
    if size.get("rule"):
        say(f"    - {size['rule']}")
    for disk in size.get("disks", []):
        say(f"    - disk {disk['label']}: {disk['size_gb']:g} GB → {disk['tier']}")
    cost = e["cost"]
    pricing = cost.get("pricing", {})
    say(f"  monthly cost: {money(cost['monthly_cost'])} ({pricing.get('option', '?')}"
        + (", hybrid benefit" if cost.get("hybrid_benefit") else "") + f"; compute pay-as-you-go "
        f"{money(cost.get('compute_payg'))}, 1-year {money(cost.get('compute_ri1y'))}, 3-year "
        f"{money(cost.get('compute_ri3y'))}; storage {money(cost.get('storage'))})")
    links = e["crossing_links"]
    if links:
        say(f"  {len(links)} link(s) cross waves while it moves:")
        for c in links[:20]:
            say(f"    - {c['source']} (wave {c['source_wave']}) → {c['destination']} (wave {c['destination_wave']}) "
                f"port {c['port']}, weight {c['weight']}" + (f": needs {', '.join(c['needs'])}" if c["needs"] else ""))
        if len(links) > 20:
            say(f"    … and {len(links) - 20} more")


# -- diff ------------------------------------------------------------------------------------

def print_diff(d: dict, old: Path, new: Path, limit: int = 50) -> None:
    say = echo
    say(f"{old} → {new}")
    for key, title in (("moved", "moved wave"), ("added", "added"), ("removed", "removed"),
                       ("strategy_changes", "strategy changed"), ("sku_changes", "size changed"),
                       ("cutover_changes", "cutover moved")):
        items = d[key]
        say(f"{title}: {len(items)}")
        for item in items[:limit]:
            if key == "moved":
                say(f"  {item['server']}: wave {_wave(item['old_wave'])} → {_wave(item['new_wave'])}")
            elif key in ("added", "removed"):
                say(f"  {item['server']} (wave {_wave(item['wave'])})")
            elif key == "cutover_changes":
                say(f"  wave {item['wave']}: {item['old']} → {item['new']}")
            else:
                say(f"  {item['server']}: {item['old']} → {item['new']}")
        if len(items) > limit:
            say(f"  … and {len(items) - limit} more (--format json lists all)")
    say("monthly cost by wave:")
    for row in d["cost_by_wave"]:
        say(f"  wave {row['wave']}: {money(row['old'])} → {money(row['new'])} ({_signed(row['delta'])})")
    cost, h = d["monthly_cost"], d["hybrid_exposure"]
    say(f"total monthly cost: {money(cost['old'])} → {money(cost['new'])} ({_signed(cost['delta'])})")
    say(f"hybrid exposure H: {h['old']:,} → {h['new']:,} ({h['delta']:+,}); waves {d['waves']['old']} → "
        f"{d['waves']['new']}")


def _wave(number: int | None) -> str:
    return "none" if number is None else str(number)


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "−") + money(abs(value))
