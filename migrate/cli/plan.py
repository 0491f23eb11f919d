"""`carelift plan`: compute the migration plan from the workspace, then show, explain and compare plans.

Options in, one service call, rendering out: `migrate.workflows.plan` plans the workspace's estate
and stores the plan, `migrate.workflows.sources` reads stored plans, `migrate.planning.service`
compares plan files; `plan_views` renders.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import click

from migrate.cli import plan_views as views
from migrate.cli.errors import fail
from migrate.cli.options import (allow_drift_option, format_option, output_option, plan_file_option, settings_option,
                                 stack_option)
from migrate.cli.terminal import echo_data, quote


@click.group(invoke_without_command=True)
@settings_option("Plan settings (YAML): wave capacities, calendar, pins, pricing… every key optional; "
                 "see README, 'Migration plan'.")
@output_option("Also write the plan JSON (schema carelift.plan/v1) to this file (- for standard output; "
               "the plan is stored only if the file was written).")
@click.option("--relax", is_flag=True,
              help="Split move groups larger than a wave along their weakest links instead of failing "
                   "(each split is reported in the plan's notes).")
@stack_option(default=None, help="Give each server its landing target in this stack (carelift:landing rules; a "
                                 "server no rule places, an unknown spoke or subnet or an overflowing subnet exits 2).")
@click.pass_context
def plan(ctx: click.Context, settings_path: Path | None, output: Path | None, relax: bool,
         stack: str | None) -> None:
    """Plan the migration: readiness, 7R strategy, size and cost per server, move groups, waves
    and their calendar, from the estate in the workspace.

    The plan is stored in the workspace (see `carelift plan show`) and, with -o, written as
    JSON. Same inventory and settings give byte-identical JSON. Settings, overrides or
    constraints that cannot be met exit 2 with every problem.
    """
    if ctx.invoked_subcommand is not None:
        if settings_path or output or relax or stack:
            fail(f"--settings, --output, --relax and --stack belong to `carelift plan` itself, not to "
                 f"`carelift plan {ctx.invoked_subcommand}`")
        return
    compute(ctx.obj["workspace"], settings_path, output, relax, stack)


def compute(directory: Path, settings_path: Path | None, output: Path | None, relax: bool,
            stack: str | None = None) -> None:
    from migrate.cli.files import is_standard_output, require_output, write_output
    from migrate.cli.progress import status
    from migrate.workflows.plan import plan_workspace

    if output is not None:  # a refused destination is said before minutes of planning, not after
        require_output(output)
    stored = plan_workspace(directory, settings_path, relax=relax, stack=stack, progress=status,
                            write=None if output is None else lambda text: write_output(output, text))
    if is_standard_output(output):  # the JSON went to standard output: the summary goes to standard error
        with contextlib.redirect_stdout(sys.stderr):
            views.print_summary(stored.sections, stored.plan_id, stored.digest, "standard output")
    else:
        views.print_summary(stored.sections, stored.plan_id, stored.digest, output)


@plan.command()
@format_option("table", "json",
               help="json: the timeline (waves with dates, counts, cost, crossing links) and the plan's metrics.")
@click.option("--wide", is_flag=True, help="Every column (start date, vCPU, TB to replicate, the whole cutover "
                                           "window); without it the table fits 100 columns.")
@click.pass_context
def show(ctx: click.Context, fmt: str, wide: bool) -> None:
    """The latest plan's timeline: waves with their dates, servers, move groups, cost and crossing links."""
    from migrate.planning.views import timeline_json
    from migrate.workflows.sources import latest_plan

    stored = latest_plan(ctx.obj["workspace"])
    if fmt == "json":
        timeline = timeline_json(stored.document, stored.record)
        echo_data(json.dumps(timeline, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        views.print_timeline(stored.document, stored.record, wide=wide)


@plan.command()
@click.argument("server")
@format_option("table", "json")
@click.pass_context
def explain(ctx: click.Context, server: str, fmt: str) -> None:
    """Why SERVER is in its wave and move group, and why that size and strategy (latest plan)."""
    from migrate.workflows.plan import explain as explain_server

    explanation = explain_server(ctx.obj["workspace"], server).explanation
    if explanation is None:
        fail(f"no server {quote(server)} in the latest plan (`carelift plan show` lists the waves)")
    if fmt == "json":
        echo_data(json.dumps(explanation, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        views.print_explanation(explanation)


@plan.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option("table", "json")
def diff(old: Path, new: Path, fmt: str) -> None:
    """Compare two plan JSON files: servers that moved wave, strategy and size changes, cost per wave."""
    from migrate.planning.service import diff_files

    changes = diff_files(old, new)
    if fmt == "json":
        echo_data(json.dumps(changes, indent=2, ensure_ascii=False, sort_keys=True))
    else:
        views.print_diff(changes, old, new)


@plan.command()
@format_option("json", "azure-migrate-csv",
               help="json: the plan as computed; azure-migrate-csv: one wave's input for Azure Migrate's at-scale "
                    "scripts (needs --wave and --stack).")
@click.option("--wave", type=int, help="azure-migrate-csv: the wave to export.")
@stack_option(default=None, help="azure-migrate-csv: the stack the wave lands in.")
@plan_file_option("azure-migrate-csv: a plan JSON file instead of the latest stored plan.")
@click.option("--test-vnet", help="azure-migrate-csv: the isolated VNet test migrations go to (enables them).")
@allow_drift_option("the CSV", prefix="azure-migrate-csv: ")
@output_option("File to write (default, or -: standard output).")
@click.pass_context
def export(ctx: click.Context, fmt: str, wave: int | None, stack: str | None, plan_file: Path | None,
           test_vnet: str | None, allow_drift: bool, output: Path | None) -> None:
    """The latest stored plan's JSON, byte for byte as computed (for `carelift plan diff` and reports),
    or one wave as Azure Migrate's at-scale CSV (exit 2 when the workspace's inventory changed since the
    plan was computed, unless --allow-drift)."""
    from migrate.cli.files import is_standard_output, write_output
    from migrate.cli.terminal import echo

    if fmt == "azure-migrate-csv":
        from migrate.cli.plan_landing import azure_migrate_csv

        azure_migrate_csv(ctx, plan_file, stack, wave, output, test_vnet, allow_drift)
        return
    if wave is not None or stack or plan_file or test_vnet or allow_drift:
        fail("--wave, --stack, --plan, --test-vnet and --allow-drift belong to --format azure-migrate-csv")

    from migrate.workflows.sources import latest_record

    record = latest_record(ctx.obj["workspace"])
    if output is None:
        echo_data(record.plan_json, nl=False)
    else:
        write_output(output, record.plan_json)
        echo(f"plan {record.plan_id} ({record.created_at}) written to {output}", err=is_standard_output(output))


# `carelift plan report` lives in its own module (reports are a separate service, migrate.reports).
from migrate.cli.plan_report import report as _report  # noqa: E402  (after `plan` exists)

plan.add_command(_report)

# `carelift plan landing` and `carelift plan runbook`: the plan joined to a stack (migrate.landing).
from migrate.cli.plan_landing import landing as _landing, runbook as _runbook  # noqa: E402

plan.add_command(_landing)
plan.add_command(_runbook)
