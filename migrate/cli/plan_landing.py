"""`carelift plan landing | runbook` and the Azure Migrate export: the plan joined to a stack.

Options in, one service call (`migrate.workflows.landing`), output written; the plan is the latest
stored one or `--plan FILE`, the stack a name or a path like everywhere else.
"""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli.errors import fail
from migrate.cli.options import allow_drift_option, output_option, plan_file_option, stack_option


@click.command("landing")
@stack_option(default=None, required=True)
@plan_file_option()
@output_option("Where to write the landing overlay (default: Pulumi.<stack>.landing.yaml beside the stack file).")
@allow_drift_option("the overlay", "its dependencies are not the plan's")
@click.pass_context
def landing(ctx: click.Context, stack: str, plan_file: Path | None, output: Path | None, allow_drift: bool) -> None:
    """Place every planned server in the stack and write the landing overlay: the spokes and subnets the
    placement needs and the stack lacks, each wave's hybrid firewall rules and NSG allowances, and the
    rules the links between two landed servers keep after the migration, and the permanent ones of links to
    servers kept on premises and to addresses outside the inventory (devices), from the workspace's dependencies.

    The stack reads the overlay once it names it (carelift:landingOverlay); placement problems
    (a subnet that would overflow, a server no rule places, no free address space) and rules beyond
    Azure's firewall and NSG limits exit 2, all at once. So does an inventory that changed since the plan
    was computed (the plan's recorded digest and the workspace's differ), unless --allow-drift.
    """
    from migrate.cli.files import require_output, write_output
    from migrate.cli.terminal import echo
    from migrate.workflows.landing import land_plan, overlay_destination

    default = overlay_destination(stack)  # a stack that cannot be found is said first, whatever -o says
    target = output or default
    require_output(target)
    result = land_plan(ctx.obj["workspace"], stack, plan_file, allow_drift=allow_drift)
    for line in result.warnings:
        echo(f"warning: {line}", err=True)
    write_output(target, result.landing.overlay)
    echo(_summary(result.landing, result.stack, target), err=str(target) == "-")


def _summary(result, stack: str, target: Path) -> str:
    placement, hybrid = result.placement, result.hybrid
    lines = [f"{len(placement.targets)} server(s) placed in stack {stack}; {len(placement.not_placed)} land on no "
             f"VM subnet (their strategy)."]
    for use in placement.uses:
        lines.append(f"  {use.spoke}/{use.subnet} {use.address_prefix}: {len(use.servers)} of "
                     f"{use.capacity(placement.headroom_percent)} with headroom")
    for spoke in result.proposal.spokes:
        lines.append(f"proposed spoke {spoke['name']} {spoke['addressSpace']} from network.spokeAddressPool")
    for subnet in result.proposal.subnets:
        lines.append(f"proposed subnet {subnet['spoke']}/{subnet['name']} {subnet['addressPrefix']}")
    rules = sum(len(w["rules"]) for w in hybrid.waves)
    allowances = sum(len(w["allowances"]) for w in hybrid.waves)
    lines.append(f"{rules} firewall rule(s) and {allowances} NSG allowance(s) in {len(hybrid.waves)} wave group(s); "
                 f"{len(hybrid.skipped)} crossing link(s) without an exact rule")
    for skipped in hybrid.skipped[:10]:
        lines.append(f"  skipped {skipped.link}: {skipped.reason}")
    steady = result.steady
    lines.append(f"{steady.links} link(s) with both ends in Azure: {sum(len(w['rules']) for w in steady.waves)} "
                 f"spoke-to-spoke firewall rule(s) and {sum(len(w['allowances']) for w in steady.waves)} NSG "
                 f"allowance(s) in {len(steady.waves)} wave(s), kept after the migration; {len(steady.skipped)} "
                 f"link(s) without an exact rule")
    for skipped in steady.skipped[:10]:
        lines.append(f"  skipped {skipped.link}: {skipped.reason}")
    kept = result.retained
    lines.append(f"{kept.links} link(s) to {kept.servers} server(s) kept on premises for good: "
                 f"{_permanent_rules(kept)}, servers with the same wave, direction, subnet, protocol and ports in "
                 f"one rule; "
                 f"{len(kept.skipped)} link(s) without an exact rule; {kept.retired} link(s) to retired servers "
                 f"dropped (nothing answers there after the migration)")
    for skipped in kept.skipped[:10]:
        lines.append(f"  skipped {skipped.link}: {skipped.reason}")
    outside = result.external
    reasons = "; ".join(f"{kind}: {count}" for kind, count in outside.by_reason())
    lines.append(f"{outside.links} link(s) to {outside.addresses} on-premises address(es) outside the inventory "
                 f"(devices, unlisted servers): {_permanent_rules(outside)}, addresses with the same "
                 f"wave, direction, subnet, protocol and ports in one rule; {len(outside.skipped)} link(s) without a "
                 f"rule" + (f" ({reasons})" if reasons else ""))
    for skipped in outside.skipped[:10]:
        lines.append(f"  skipped {skipped.link}: {skipped.reason}")
    if len(outside.skipped) > 10:
        lines.append(f"  ... and {len(outside.skipped) - 10} more link(s) without a rule")
    lines.append(f"landing overlay written to {target}; name it in the stack as "
                 f"carelift:landingOverlay to deploy and audit it")
    return "\n".join(lines)


def _permanent_rules(kind) -> str:
    """What a kind of permanent rules (retained servers, addresses outside the inventory) holds, as counted."""
    rules, allowances = kind.held()
    return (f"{sum(len(w['rules']) for w in kind.waves)} permanent firewall rule(s) holding {rules} address(es) and "
            f"{sum(len(w['allowances']) for w in kind.waves)} NSG allowance(s) holding {allowances} in "
            f"{len(kind.waves)} wave(s)")


@click.command("runbook")
@click.option("--wave", "wave", type=int, required=True, help="The wave's number.")
@stack_option()
@plan_file_option()
@output_option("Write the Markdown here.")
@allow_drift_option("the runbook")
@click.pass_context
def runbook(ctx: click.Context, wave: int, stack: str, plan_file: Path | None, output: Path | None,
            allow_drift: bool) -> None:
    """The wave's checklist in Markdown: replication start, test window, cutover, rule group, servers and
    targets, links to verify, rollback point, owners, decommissioning.

    The servers' targets, addresses and owners come from the workspace's inventory: one that changed since
    the plan was computed exits 2, unless --allow-drift."""
    from migrate.cli.files import require_output, write_output
    from migrate.cli.terminal import echo, echo_data
    from migrate.workflows.landing import runbook as wave_runbook

    if output:
        require_output(output)
    result = wave_runbook(ctx.obj["workspace"], wave, stack, plan_file, allow_drift=allow_drift)
    for line in result.warnings:
        echo(f"warning: {line}", err=True)
    if output:
        write_output(output, result.text)
    else:
        echo_data(result.text)


def azure_migrate_csv(ctx: click.Context, plan_file: Path | None, stack: str | None, wave: int | None,
                      output: Path | None, test_vnet: str | None, allow_drift: bool = False) -> None:
    """`plan export --format azure-migrate-csv`: one wave's input for the at-scale scripts."""
    from migrate.cli.files import require_output, write_output
    from migrate.cli.terminal import echo, echo_data
    from migrate.workflows.landing import azure_migrate_csv as wave_csv

    if stack is None or wave is None:
        fail("--format azure-migrate-csv needs --stack and --wave")
    if output:
        require_output(output)
    result = wave_csv(ctx.obj["workspace"], wave, stack, plan_file, test_vnet, allow_drift=allow_drift)
    for line in result.warnings:
        echo(f"warning: {line}", err=True)
    export = result.export
    if output:
        write_output(output, export.text)
    else:
        echo_data(export.text, nl=False)
    note = [f"{export.rows} rehost server(s) of wave {wave} exported; OK_TO_MIGRATE is N until the change board "
            f"says go" + ("" if test_vnet else "; no --test-vnet, so test migration is off (OK_TO_TESTMIGRATE N)")]
    if export.others:
        note.append(f"not exported ({len(export.others)}): " + "; ".join(export.others))
    echo("\n".join(note), err=True)
