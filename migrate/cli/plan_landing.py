"""`carelift plan landing | runbook` and the Azure Migrate export: the plan joined to a stack.

Options in, one service call (`migrate.landing.service`), output written; the plan is the latest
stored one or `--plan FILE`, the stack a name or a path like everywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from migrate.cli.errors import fail
from migrate.cli.infra import STACK_HELP

PLAN_HELP = "A plan JSON file (default: the latest plan stored in the workspace)."


def _plan(ctx: click.Context, plan_file: Path | None) -> dict[str, Any]:
    from migrate.cli.plan_source import latest, read_plan_file

    if plan_file is not None:
        return read_plan_file(plan_file)
    return latest(ctx)[1]


def _facts(ctx: click.Context):
    from migrate.cli.workspace import open_workspace
    from migrate.landing.service import server_facts

    with open_workspace(ctx.obj["workspace"]) as workspace:
        return server_facts(workspace.servers())


def _stack_path(stack: str) -> Path:
    from infra.config import ConfigError
    from infra.render import stack_file

    try:
        return stack_file(stack)
    except ConfigError as error:
        fail(f"{error.source}: {len(error.issues)} configuration problem(s)", map(str, error.issues))


def _config(path: Path, *, bare: bool):
    from infra.config import ConfigError
    from infra.render import load_stack_file
    from migrate.landing.service import load_bare_stack

    try:
        return load_bare_stack(path) if bare else load_stack_file(path)[2]
    except ConfigError as error:
        fail(f"{error.source}: {len(error.issues)} configuration problem(s)", map(str, error.issues))
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")


def _landed(ctx: click.Context, plan_file: Path | None, stack: str):
    """Placement and hybrid rules against the stack as deployed (its overlay included)."""
    from migrate.landing.hybrid import hybrid_rules
    from migrate.landing.placement import LandingError, place

    plan = _plan(ctx, plan_file)
    config = _config(_stack_path(stack), bare=False)
    facts = _facts(ctx)
    placement = place(plan, facts, config)
    try:
        placement.check(config.stack)
    except LandingError as error:
        fail(error.title, error.problems)
    return plan, config, facts, placement, hybrid_rules(plan, placement, facts)


@click.command("landing")
@click.option("--stack", "-s", required=True, help=STACK_HELP)
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), help=PLAN_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the landing overlay (default: Pulumi.<stack>.landing.yaml beside the stack file).")
@click.pass_context
def landing(ctx: click.Context, stack: str, plan_file: Path | None, output: Path | None) -> None:
    """Place every planned server in the stack and write the landing overlay: the spokes and subnets the
    placement needs and the stack lacks, and each wave's hybrid firewall rules and NSG allowances.

    The stack reads the overlay once it names it (carelift:landingOverlay); placement problems
    (a subnet that would overflow, a server no rule places, no free address space) exit 2, all at once.
    """
    from infra.landing_overlay import overlay_path
    from migrate.cli.files import require_output, write_output
    from migrate.cli.terminal import echo
    from migrate.landing.placement import LandingError
    from migrate.landing.service import land

    path = _stack_path(stack)
    target = output or overlay_path(path)
    require_output(target)
    plan = _plan(ctx, plan_file)
    config = _config(path, bare=True)
    if config.landing is None:
        fail(f"stack {config.stack} has no carelift:landing rules: add them (see README, 'From plan to landing')")
    try:
        result = land(plan, _facts(ctx), config)
    except LandingError as error:
        fail(error.title, error.problems)
    write_output(target, result.overlay)
    echo(_summary(result, config.stack, target), err=str(target) == "-")


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
    lines.append(f"landing overlay written to {target}; name it in the stack as "
                 f"carelift:landingOverlay to deploy and audit it")
    return "\n".join(lines)


@click.command("runbook")
@click.option("--wave", "wave", type=int, required=True, help="The wave's number.")
@click.option("--stack", "-s", default="prod", show_default=True, help=STACK_HELP)
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), help=PLAN_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the Markdown here.")
@click.pass_context
def runbook(ctx: click.Context, wave: int, stack: str, plan_file: Path | None, output: Path | None) -> None:
    """The wave's checklist in Markdown: replication start, test window, cutover, rule group, servers and
    targets, links to verify, rollback point, owners, decommissioning."""
    from migrate.cli.files import require_output, write_output
    from migrate.cli.terminal import echo_data
    from migrate.landing.runbook import runbook as build

    if output:
        require_output(output)
    plan, config, facts, placement, hybrid = _landed(ctx, plan_file, stack)
    waves = sorted(w.get("number") for w in plan.get("waves", []))
    if wave not in waves:
        fail(f"the plan has no wave {wave} (waves: {', '.join(map(str, waves))})")
    text = build(plan, wave, placement, hybrid, facts, config.stack)
    if output:
        write_output(output, text)
    else:
        echo_data(text)


def azure_migrate_csv(ctx: click.Context, plan_file: Path | None, stack: str | None, wave: int | None,
                      output: Path | None, test_vnet: str | None) -> None:
    """`plan export --format azure-migrate-csv`: one wave's input for the at-scale scripts."""
    from migrate.cli.files import require_output, write_output
    from migrate.cli.terminal import echo, echo_data
    from migrate.landing.factory import wave_csv

    if stack is None or wave is None:
        fail("--format azure-migrate-csv needs --stack and --wave")
    if output:
        require_output(output)
    plan, config, facts, placement, _ = _landed(ctx, plan_file, stack)
    if wave not in {w.get("number") for w in plan.get("waves", [])}:
        fail(f"the plan has no wave {wave}")
    project = config.landing.azure_migrate if config.landing else None
    if project is None:
        fail(f"stack {config.stack} names no Azure Migrate project: set carelift:landing.azureMigrate "
             f"(subscriptionId, resourceGroup, project[, assessment]); carelift does not invent one")
    export = wave_csv(plan, wave, placement, facts, project, config.base_tags, test_vnet)
    if output:
        write_output(output, export.text)
    else:
        echo_data(export.text, nl=False)
    note = [f"{export.rows} rehost server(s) of wave {wave} exported; OK_TO_MIGRATE is N until the change board "
            f"says go" + ("" if test_vnet else "; no --test-vnet, so test migration is off (OK_TO_TESTMIGRATE N)")]
    if export.others:
        note.append(f"not exported ({len(export.others)}): " + "; ".join(export.others))
    echo("\n".join(note), err=True)
