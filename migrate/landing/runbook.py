"""A wave's runbook: the checklist the migration team follows, in Markdown, from the plan and the landing.

Every figure comes from the plan (dates, data to replicate, servers, crossing links) or the stack's
landing (targets, the wave's firewall rule group); replication time is estimated from the plan's
bandwidth setting and says so.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Mapping, Sequence

from infra.config import SteadyStateWave
from migrate.landing.hybrid import HybridPlan
from migrate.landing.placement import Placement, ServerFacts
from migrate.landing.retained import is_permanent

TEST_MIGRATION_DAYS = 7
"""Test migrations finish a week before cutover, leaving time to fix what they find."""


def replication_days(tb: float, bandwidth_mbps: float, utilization: float) -> int:
    """Days to seed `tb` terabytes at `bandwidth_mbps` used at `utilization` (at least one)."""
    if tb <= 0 or bandwidth_mbps <= 0:
        return 1
    seconds = tb * 8e6 / (bandwidth_mbps * max(utilization, 0.05))
    return max(1, math.ceil(seconds / 86400))


def _md(text: Any) -> str:
    """Inventory text is hostile: no table breaks, no markup injection."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("\n", " ")


def runbook(plan: Mapping[str, Any], wave_number: int, placement: Placement, hybrid: HybridPlan,
            facts: Mapping[str, ServerFacts], stack: str, kept: SteadyStateWave | None = None) -> str:
    """``kept`` is the stack's ``steadyStateWaves`` entry of the wave (the overlay as deployed): its
    permanent rules to servers kept on premises are listed to deploy and verify."""
    wave = next((w for w in plan.get("waves", []) if w.get("number") == wave_number), None)
    if wave is None:
        raise KeyError(wave_number)
    settings = plan.get("settings", {})
    metrics = wave.get("metrics", {})
    cutover = datetime.datetime.fromisoformat(wave["cutover"])
    cutover_end = datetime.datetime.fromisoformat(wave["cutover_end"])
    tb = float(metrics.get("replication_tb") or 0)
    bandwidth = float(settings.get("bandwidth_mbps") or 0)
    utilization = float(settings.get("replication_utilization") or 0.5)
    days = replication_days(tb, bandwidth, utilization)
    test_end = cutover.date() - datetime.timedelta(days=TEST_MIGRATION_DAYS)
    replicate_by = test_end - datetime.timedelta(days=days)
    servers = sorted(wave.get("servers", []))
    rules = next((w for w in hybrid.waves if w["wave"] == wave_number), None)
    zone = (settings.get("cutover_window") or {}).get("time_zone", "local time")
    lines = [
        f"# {wave.get('name', f'Wave {wave_number}')} runbook (stack {stack})",
        "",
        f"Cutover window: **{cutover:%A %Y-%m-%d %H:%M} to {cutover_end:%H:%M} ({zone}, UTC{cutover:%z})**. "
        f"{len(servers)} server(s), {metrics.get('tier0_cutovers', 0)} tier-0, {metrics.get('phi_servers', 0)} "
        f"holding PHI; {tb:,.3f} TB to replicate.",
        "",
        "## Dates",
        "",
        "| Step | When | How it was set |",
        "|---|---|---|",
        f"| Start replication | by {replicate_by.isoformat()} | {tb:,.3f} TB at {bandwidth:,.0f} Mbit/s used at "
        f"{utilization:.0%}: about {days} day(s) (estimate), before the test window |",
        f"| Test migration | {(test_end - datetime.timedelta(days=TEST_MIGRATION_DAYS)).isoformat()} to "
        f"{test_end.isoformat()} | into the test VNet; clean up each test after sign-off |",
        f"| Change board go/no-go | before {test_end.isoformat()} | set OK_TO_MIGRATE=Y in the wave's CSV only "
        f"after approval |",
        f"| Cutover | {cutover:%Y-%m-%d %H:%M} to {cutover_end:%H:%M} {zone} | the plan's cutover window |",
        "",
        "## Before cutover",
        "",
        f"- [ ] Replication healthy for every server (`AzMigrate_UpdateReplicationStatus.ps1` on "
        f"`carelift plan export --format azure-migrate-csv --wave {wave_number} --stack {stack}`).",
    ]
    if rules and rules["rules"]:
        lines.append(f"- [ ] Firewall rule collection group `rcg-migration-wave-{wave_number:02d}` deployed "
                     f"({len(rules['rules'])} rule(s); `pulumi up` with the landing overlay), and the NSG "
                     f"allowances of the landing subnets ({len(rules['allowances'])}).")
    elif wave_number in hybrid.ended:
        lines.append(f"- [ ] No hybrid firewall rules to deploy: the hybrid period of this wave is over "
                     f"(`carelift:landing.completedWave`), so `rcg-migration-wave-{wave_number:02d}` and its NSG "
                     f"allowances are out of the stack.")
    else:
        lines.append("- [ ] No hybrid firewall rules: no dependency of this wave stays split across the link.")
    lines += _permanent(kept, wave_number)
    lines += ["- [ ] Notify the owners below of the window; confirm the rollback point with each.", "",
              "## Servers and where they land", "", "| Server | Strategy | Target | Owner |", "|---|---|---|---|"]
    for name in servers:
        server = plan["servers"].get(name, {})
        target = placement.targets.get(name)
        where = (f"{target.resource_group} / {target.vnet} / {target.subnet}" if target
                 else placement.not_placed.get(name, "no target"))
        owner = facts[name].owner if name in facts and facts[name].owner else "not recorded"
        lines.append(f"| {_md(name)} | {_md(server.get('strategy', ''))} | {_md(where)} | {_md(owner)} |")
    links = [link for link in plan.get("crossing_links", [])
             if wave_number in (link.get("source_wave"), link.get("destination_wave"))]
    lines += ["", "## After cutover: verify the split dependencies", ""]
    if links:
        lines += ["| From | To | Port | Other end moves in wave |", "|---|---|---|---|"]
        for link in sorted(links, key=lambda lk: (-int(lk.get("weight") or 0), lk["source"], lk["destination"]))[:50]:
            other = link["destination_wave"] if link["source_wave"] == wave_number else link["source_wave"]
            lines.append(f"| {_md(link['source'])} | {_md(link['destination'])} | {link.get('port')} | {other} |")
        if len(links) > 50:
            lines.append(f"| … | {len(links) - 50} more link(s) in the plan | | |")
    else:
        lines.append("No link of this wave crosses the hybrid connection.")
    remove_after = rules["removeAfterWave"] if rules else wave_number
    lines += [
        "",
        "## Rollback point",
        "",
        "Until the wave is signed off, the source VMs stay powered off but intact on premises: rollback is "
        "powering them on and undoing the DNS changes; after sign-off, stop replication "
        "(`OK_TO_CLEANUP`) and rollback becomes a restore.",
        "",
        "## Decommission",
        "",
        _end_of_hybrid(wave_number, remove_after, stack, bool(rules and rules["rules"])),
        "- After the hybrid period and the retention the change board sets: decommission the on-premises sources "
        "of this wave's servers.",
        "",
    ]
    return "\n".join(lines)


def _end_of_hybrid(wave_number: int, remove_after: int, stack: str, split: bool) -> str:
    """How the wave's hybrid rules go: the stack drops a wave's group and its NSG allowances together once
    the stack says the wave they wait for is signed off (never by hand in the portal: the next deploy would
    put them back)."""
    if not split:
        return f"- No hybrid rules of this wave to remove (`rcg-migration-wave-{wave_number:02d}` is not deployed)."
    return (f"- After wave {remove_after} is signed off (both ends of every split link have moved): set "
            f"`carelift:landing.completedWave: {remove_after}` (or later) in the stack, run `carelift plan landing "
            f"--stack {_md(stack)}` and deploy: `rcg-migration-wave-{wave_number:02d}` and this wave's NSG allowances "
            f"(`allow-w{wave_number:02d}-...`) go together.")


SHOWN_ADDRESSES = 5
"""Addresses a runbook line names before counting the rest: a rule of grouped devices holds hundreds."""


def _addresses(addresses: Sequence[str]) -> str:
    """A rule's side: every address when few, else the first few and how many in all (the overlay holds the list)."""
    if len(addresses) <= SHOWN_ADDRESSES:
        return ", ".join(addresses)
    return f"{', '.join(addresses[:SHOWN_ADDRESSES])} and {len(addresses) - SHOWN_ADDRESSES} more ({len(addresses)} addresses)"


def _permanent(kept: SteadyStateWave | None, wave_number: int) -> list[str]:
    """The wave's permanent rules to what stays on premises for good (retained servers: p..; devices and
    addresses outside the inventory: e..): deployed with the wave, kept after it (never in the
    decommission list), each verified once its landed server runs in Azure."""
    rules = [r for r in kept.rules if is_permanent(r.name)] if kept else []
    if not rules:
        return []
    allowances = [a for a in kept.allowances if is_permanent(a.name)] if kept else []
    lines = [f"- [ ] Permanent rules to what stays on premises (servers kept there, devices and addresses outside "
             f"the inventory) deployed in `rcg-steady-wave-{wave_number:02d}` ({len(rules)} rule(s), "
             f"{len(allowances)} NSG allowance(s); never deleted): after cutover, verify each:"]
    for rule in rules[:30]:
        why = rule.description.split(". ", 1)[0].removesuffix(".")
        lines.append(f"  - `{rule.name}` {rule.protocol} {_addresses(rule.sources)} -> {_addresses(rule.destinations)} "
                     f"port(s) {', '.join(rule.ports)}: {_md(why)}.")
    if len(rules) > 30:
        lines.append(f"  - … {len(rules) - 30} more rule(s) in the landing overlay")
    return lines
