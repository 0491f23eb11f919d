"""`carelift plan`: compute the migration plan from the workspace, then show, explain and compare plans.

Parsing options and rendering only: `migrate.planning.build` computes the plan (pure), the
workspace stores it, `plan_views` renders.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import sys
from pathlib import Path

import click

from migrate.cli import plan_views as views
from migrate.cli.errors import fail
from migrate.cli.plan_source import latest, read_plan_file
from migrate.cli.terminal import echo_data, quote
from migrate.cli.workspace import open_workspace


@click.group(invoke_without_command=True)
@click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Plan settings (YAML): wave capacities, calendar, pins, pricing… every key optional; "
                   "see README, 'Migration plan'.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the plan JSON (schema carelift.plan/v1) to this file (- for standard output; "
                   "the plan is stored only if the file was written).")
@click.option("--relax", is_flag=True,
              help="Split move groups larger than a wave along their weakest links instead of failing "
                   "(each split is reported in the plan's notes).")
@click.option("--stack", "-s", "landing_stack",
              help="Give each server its landing target in this stack (carelift:landing rules; a server no rule "
                   "places, an unknown spoke or subnet or an overflowing subnet exits 2).")
@click.pass_context
def plan(ctx: click.Context, settings_path: Path | None, out: Path | None, relax: bool,
         landing_stack: str | None) -> None:
    """Plan the migration: readiness, 7R strategy, size and cost per server, move groups, waves
    and their calendar, from the estate in the workspace.

    The plan is stored in the workspace (see `carelift plan show`) and, with --out, written as
    JSON. Same inventory and settings give byte-identical JSON. Settings, overrides or
    constraints that cannot be met exit 2 with every problem.
    """
    if ctx.invoked_subcommand is not None:
        if settings_path or out or relax or landing_stack:
            fail(f"--settings, --out, --relax and --stack belong to `carelift plan` itself, not to "
                 f"`carelift plan {ctx.invoked_subcommand}`")
        return
    compute(ctx.obj["workspace"], settings_path, out, relax, landing_stack)


def compute(directory: Path, settings_path: Path | None, out: Path | None, relax: bool,
            landing_stack: str | None = None) -> None:
    from migrate.cli.files import is_standard_output, require_output, write_output
    from migrate.cli.progress import status
    from migrate.cli.workspace import utc_now
    from migrate.planning.settings import SettingsError, load_settings

    if out is not None:  # a refused destination is said before minutes of planning, not after
        require_output(out)
    try:
        settings = load_settings(settings_path)
    except SettingsError as error:
        fail(f"{len(error.problems)} problem(s) in the plan settings {error.source}", error.problems)

    from migrate.planning.assess import OverridesError, load_overrides
    from migrate.planning.cost import CatalogError
    from migrate.planning.model import InfeasiblePlan
    from migrate.planning.build import build_plan
    from migrate.planning.document import plan_sections, plan_to_json
    overrides = None
    if settings.overrides:
        try:
            overrides = load_overrides(Path(settings.overrides))
        except OverridesError as error:
            overrides_failed(error, settings.overrides)

    with open_workspace(directory) as workspace:
        servers = workspace.servers()
        if not servers:
            fail(f"the workspace {directory} holds no servers: import an inventory first")
        applications = workspace.applications()
        dependencies = workspace.dependencies()
        try:
            # today: only to warn about a start_date already past (plans of a future start do not depend on it)
            with status(f"planning {len(servers):,} servers and {len(dependencies):,} dependencies"):
                result = build_plan(servers, applications, dependencies, settings, overrides, relax=relax,
                                    today=datetime.datetime.now(datetime.timezone.utc).date())
        except InfeasiblePlan as error:
            hint = "" if relax else " (--relax splits move groups larger than a wave)"
            fail(f"the plan is infeasible: {len(error.problems)} constraint(s) cannot be met{hint}",
                 [views.infeasibility(p) for p in error.problems])
        except OverridesError as error:  # names the inventory does not know, conflicting application overrides
            overrides_failed(error, settings.overrides)
        except CatalogError as error:  # a region without a price snapshot
            fail(f"cannot price the plan (settings region: {settings.region})", [str(error)])
        text = plan_to_json(result)
        if landing_stack:
            text = _with_targets(text, servers, landing_stack)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if out is not None:  # written first: a plan is stored only if its file was written (exit 2 otherwise)
            write_output(out, text)
        plan_id = workspace.save_plan(text, digest, utc_now())
    if is_standard_output(out):  # the JSON went to standard output: the summary goes to standard error
        with contextlib.redirect_stdout(sys.stderr):
            views.print_summary(plan_sections(result), plan_id, digest, "standard output")
    else:
        views.print_summary(plan_sections(result), plan_id, digest, out)


def _with_targets(text: str, servers, stack: str) -> str:
    """The plan JSON with each server's landing target in `stack` (exit 2 with every placement problem)."""
    from migrate.cli.plan_landing import _config, _stack_path
    from migrate.landing.placement import LandingError, place
    from migrate.landing.service import server_facts, targets_json
    from migrate.planning.encoder import dump_document

    document = json.loads(text)
    config = _config(_stack_path(stack), bare=False)
    placement = place(document, server_facts(servers), config)
    try:
        placement.check(config.stack)
    except LandingError as error:
        fail(error.title, error.problems)
    return dump_document(targets_json(document, placement))


def overrides_failed(error, path) -> None:
    fail(f"{len(error.problems)} problem(s) in the strategy overrides {path}", [str(p) for p in error.problems])


@plan.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="json: the timeline (waves with dates, counts, cost, crossing links) and the plan's metrics.")
@click.option("--wide", is_flag=True, help="Every column (start date, vCPU, TB to replicate, the whole cutover "
                                           "window); without it the table fits 100 columns.")
@click.pass_context
def show(ctx: click.Context, fmt: str, wide: bool) -> None:
    """The latest plan's timeline: waves with their dates, servers, move groups, cost and crossing links."""
    record, document = latest(ctx)
    if fmt == "json":
        echo_data(json.dumps(views.timeline_json(document, record), indent=2, ensure_ascii=False, sort_keys=True))
    else:
        views.print_timeline(document, record, wide=wide)


@plan.command()
@click.argument("server")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def explain(ctx: click.Context, server: str, fmt: str) -> None:
    """Why SERVER is in its wave and move group, and why that size and strategy (latest plan)."""
    _, document = latest(ctx)
    found = views.find_server(document, server)
    if found is None:
        fail(f"no server {quote(server)} in the latest plan (`carelift plan show` lists the waves)")
    explanation = views.explanation(document, found)
    if fmt == "json":
        echo_data(json.dumps(explanation, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        views.print_explanation(explanation)


@plan.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff(old: Path, new: Path, fmt: str) -> None:
    """Compare two plan JSON files: servers that moved wave, strategy and size changes, cost per wave."""
    before, after = read_plan_file(old), read_plan_file(new)
    changes = views.plan_diff(before, after)
    if fmt == "json":
        echo_data(json.dumps(changes, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        views.print_diff(changes, old, new)


@plan.command()
@click.option("--format", "fmt", type=click.Choice(["json", "azure-migrate-csv"]), default="json", show_default=True,
              help="json: the plan as computed; azure-migrate-csv: one wave's input for Azure Migrate's at-scale "
                   "scripts (needs --wave and --stack).")
@click.option("--wave", type=int, help="azure-migrate-csv: the wave to export.")
@click.option("--stack", "-s", help="azure-migrate-csv: the stack the wave lands in (name or stack file).")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path),
              help="azure-migrate-csv: a plan JSON file instead of the latest stored plan.")
@click.option("--test-vnet", help="azure-migrate-csv: the isolated VNet test migrations go to (enables them).")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default, or -: standard output).")
@click.pass_context
def export(ctx: click.Context, fmt: str, wave: int | None, stack: str | None, plan_file: Path | None,
           test_vnet: str | None, out: Path | None) -> None:
    """The latest stored plan's JSON, byte for byte as computed (for `carelift plan diff` and reports),
    or one wave as Azure Migrate's at-scale CSV."""
    from migrate.cli.files import is_standard_output, write_output
    from migrate.cli.terminal import echo

    if fmt == "azure-migrate-csv":
        from migrate.cli.plan_landing import azure_migrate_csv

        azure_migrate_csv(ctx, plan_file, stack, wave, out, test_vnet)
        return
    if wave is not None or stack or plan_file or test_vnet:
        fail("--wave, --stack, --plan and --test-vnet belong to --format azure-migrate-csv")

    record, _ = latest(ctx, parse=False)
    if out is None:
        echo_data(record.plan_json, nl=False)
    else:
        write_output(out, record.plan_json)
        echo(f"plan {record.plan_id} ({record.created_at}) written to {out}", err=is_standard_output(out))


# `carelift plan report` lives in its own module (reports are a separate service, migrate.reports).
from migrate.cli.plan_report import report as _report  # noqa: E402  (after `plan` exists)

plan.add_command(_report)

# `carelift plan landing` and `carelift plan runbook`: the plan joined to a stack (migrate.landing).
from migrate.cli.plan_landing import landing as _landing, runbook as _runbook  # noqa: E402

plan.add_command(_landing)
plan.add_command(_runbook)
