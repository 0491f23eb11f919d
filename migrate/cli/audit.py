"""`carelift audit`: evaluate the compliance catalog before deployment and after it.

Sources: the offline render of a stack (`--stack`), an ARM document set (`--arm`: a
template, `az group export` output, or an `az resource list` / Resource Graph list) or a live
subscription (`--subscription`, read-only). Exit codes: 0 when everything passed, was waived
or is left to manual review; 1 when a finding failed or is an error (a resource that could not
be read, a check that raised), or a waiver matched nothing under --strict-waivers; 2 for usage
and input errors: a file that cannot be used at all, or nothing to audit (unless --allow-empty).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migrate.cli.errors import fail
from migrate.cli.files import require_output, write_output
from migrate.cli.options import format_option, output_option, stack_option
from migrate.cli.terminal import console, echo, echo_data

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from infra.compliance.engine import AuditResult
    from infra.compliance.model import Control

FORMATS = ("table", "json", "sarif", "junit", "html", "oscal")
EXIT_FAILURES = 1


@click.group(invoke_without_command=True)
@stack_option(default=None, help="Audit the offline render of a stack.")
@click.option("--arm", "arm_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Audit an ARM template, `az group export` output or an `az resource list` JSON file.")
@click.option("--subscription", help="Audit a live subscription (read-only; Azure's credential chain).")
@click.option("--resource-group", help="With --subscription: only this resource group.")
@click.option("--waivers", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file of waivers (control, resource pattern, justification, approver, category, expires).")
@click.option("--ai-register", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file holding the AI use-case register (useCases:) for --arm and --subscription audits; "
                   "--stack uses the stack's openai.useCases.")
@format_option(*FORMATS)
@output_option(help="Write the report to this file instead of standard output.")
@click.option("--evidence", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the evaluated documents, results, reports and a SHA-256 manifest here.")
@click.option("--parameters", "parameters_file", type=click.Path(dir_okay=False, path_type=Path),
              help="With --arm: an ARM parameters file (parameters.json) for the template; defaults fill the rest.")
@click.option("--location", help="With --arm: the region resourceGroup().location and deployment().location stand "
                                 "for (otherwise they are unknown and controls that need them are manual).")
@click.option("--allow-empty", is_flag=True, help="Exit 0 instead of 2 when the input holds no resource to audit.")
@click.option("--strict-waivers", is_flag=True, help="Exit 1 when a waiver matches no finding.")
@click.option("--max-waiver-days", type=click.IntRange(min=1), default=365, show_default=True,
              help="Warn about waivers that expire further ahead than this many days.")
@click.pass_context
def audit(ctx: click.Context, stack: str | None, arm_file: Path | None, subscription: str | None,
          resource_group: str | None, waivers: Path | None, ai_register: Path | None, fmt: str, output: Path | None,
          evidence: Path | None, parameters_file: Path | None = None, location: str | None = None,
          allow_empty: bool = False, strict_waivers: bool = False, max_waiver_days: int = 365) -> None:
    """Check the HIPAA baseline on a stack, an ARM file or a live subscription."""
    if ctx.invoked_subcommand is not None:
        return
    _check_sources(stack, arm_file, subscription, resource_group, parameters_file, location)
    if output:
        require_output(output)
    if evidence:
        _check_evidence_directory(evidence)

    if ai_register and stack:
        fail("--ai-register applies to --arm and --subscription; --stack audits the stack's own openai.useCases")
    from migrate.cli.progress import status

    from infra import api

    # User mistakes (an unreadable source, invalid waivers, nothing to audit) go to the CLI's one handler.
    with status("reading the resources to audit"):
        loaded = api.audit_input(stack=stack, arm_file=arm_file, subscription=subscription,
                                 resource_group=resource_group, parameters_file=parameters_file, location=location)
    for note in loaded.notes:
        echo(f"note: {note}", err=True)
    for gap in loaded.gaps:
        echo(f"not audited: {gap.location}: {gap.reason}", err=True)
    for warning in loaded.warnings:
        echo(f"warning: {warning}", err=True)
    run = api.run_audit(loaded, ai_register=ai_register, waivers=waivers, max_waiver_days=max_waiver_days,
                        allow_empty=allow_empty, warn=lambda warning: echo(f"warning: {warning}", err=True),
                        stage=status)
    for unused in run.result.unused_waivers:
        echo(f"warning: {waivers}: the waiver for {unused.control} on {unused.resource} matches no finding",
             err=True)
    meta = _meta(run.source)
    _write_report(fmt, run.result, run.controls, meta, run.source, output)
    if evidence:  # an EvidenceError (nothing left at the path) is reported by the CLI's one handler
        api.write_evidence(evidence, run, meta, api.evidence_inputs(stack=stack, arm_file=arm_file, waivers=waivers,
                                                                   parameters_file=parameters_file))
    failing = run.result.failed or run.result.errors or (strict_waivers and run.result.unused_waivers)
    ctx.exit(EXIT_FAILURES if failing else 0)


def _check_sources(stack: str | None, arm_file: Path | None, subscription: str | None, resource_group: str | None,
                   parameters_file: Path | None, location: str | None) -> None:
    """Exactly one source, and only the options that apply to it (exit 2 otherwise)."""
    sources = [name for name, value in (("--stack", stack), ("--arm", arm_file), ("--subscription", subscription))
               if value]
    if len(sources) != 1:
        fail("give exactly one of --stack, --arm or --subscription"
             + (f" (got {', '.join(sources)})" if sources else ""))
    if resource_group and not subscription:
        fail("--resource-group only applies with --subscription")
    if (parameters_file or location) and not arm_file:
        fail("--parameters and --location only apply with --arm")


def _write_report(fmt: str, result, controls, meta, source: str, output: Path | None) -> None:
    """The report in `fmt` to `output`, or to the terminal (the table) or standard output."""
    if fmt == "table":
        # To a file: plain text 160 columns wide, and nothing on the terminal.
        plain = io.StringIO()
        screen = console(file=plain, width=160) if output else console()
        render_table(screen, result, controls, source)
        if output:
            write_output(output, plain.getvalue())
    else:
        text = report_text(fmt, result, controls, meta)
        if output:
            write_output(output, text)
        else:
            echo_data(text, nl=not text.endswith("\n"))


def _check_evidence_directory(directory: Path) -> None:
    """Refuse a link or a non-empty directory before the audit runs, not after."""
    from infra.compliance.outputs.evidence import check_evidence_directory

    check_evidence_directory(directory)  # an EvidenceError goes to the CLI's one handler


def _meta(source: str):
    from infra.compliance.outputs import AuditMeta
    from migrate import __version__

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return AuditMeta(source=source, generated_at=now.isoformat().replace("+00:00", "Z"), tool_version=__version__)


def report_text(fmt: str, result: AuditResult, controls: tuple[Control, ...], meta) -> str:
    from infra.compliance import outputs

    return outputs.render(fmt, result, controls, meta)


def render_table(screen, result: AuditResult, controls: tuple[Control, ...], source: str) -> None:
    """The summary and findings tables; every value is data (no markup), styles come from Text."""
    from rich.table import Table

    from migrate.cli.terminal import assemble, styled

    summary = result.summary()
    by_control: dict[str, dict[str, int]] = {}
    for finding in result.findings:
        counts = by_control.setdefault(finding.control, {"pass": 0, "fail": 0, "waived": 0, "manual": 0,
                                                         "error": 0})
        counts[finding.status.value] += 1

    table = Table(title=f"HIPAA baseline — {source}", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("control", "left"), ("severity", "left"), ("title", "left"), ("pass", "right"), ("fail", "right"),
        ("waived", "right"), ("manual", "right"), ("error", "right"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for control in result.controls:
        if control.id not in by_control:
            continue
        counts = by_control[control.id]
        fail_cell = styled(counts["fail"], "bold red") if counts["fail"] else "0"
        error_cell = styled(counts["error"], "bold red") if counts["error"] else "0"
        table.add_row(control.id, control.severity.value, control.title, str(counts["pass"]),
                      fail_cell, str(counts["waived"]), str(counts["manual"]), error_cell)
    screen.print(table)

    problems = [f for f in result.findings if f.status.value != "pass"]
    if problems:
        detail = Table(title="Findings that did not pass", title_justify="left", show_lines=False)
        for column in ("status", "control", "severity", "message"):
            detail.add_column(column)
        order = {"error": 0, "fail": 1, "manual": 2, "waived": 3}
        labels = {"error": ("ERROR", "bold red"), "fail": ("FAIL", "bold red"), "manual": ("manual", "cyan"),
                  "waived": ("waived", "yellow")}
        for finding in sorted(problems, key=lambda f: (order[f.status.value], f.severity.rank, f.control)):
            status = styled(*labels[finding.status.value])
            message = finding.message
            if finding.waiver:
                message += f" (waived by {finding.waiver.approver} until {finding.waiver.expires}: {finding.waiver.justification})"
            detail.add_row(status, finding.control, finding.severity.value, message)
        screen.print(detail)
    if result.not_audited:
        gaps = Table(title="Not audited", title_justify="left")
        for column in ("where", "why", "hides"):
            gaps.add_column(column)
        for gap in result.not_audited:
            gaps.add_row(gap.location, gap.reason, ", ".join(gap.hides))
        screen.print(gaps)
    not_applicable = len([c for c in result.controls if c.id not in by_control])
    screen.print(assemble(
        f"{summary['controls']} controls ({not_applicable} with no resource of their types), "
        f"{summary['resources']} resources: ", (f"{summary['passed']} passed", "green"), ", ",
        (f"{summary['failed']} failed", "red"), ", ", (f"{summary['waived']} waived", "yellow"), ", ",
        (f"{summary['manual']} manual", "cyan"), ", ", (f"{summary['errors']} errors", "red"),
        f", {summary['notAudited']} part(s) not audited" if summary["notAudited"] else ""))


@audit.command("controls")
@format_option("table", "json", "csv")
@output_option(help="Write the list to this file instead of standard output (the table as plain text).")
def controls_command(fmt: str, output: Path | None) -> None:
    """List the control catalog with HIPAA citations, Azure Policy and Checkov ids."""
    from infra.compliance.catalog import all_controls

    if output:
        require_output(output)
    controls = all_controls()
    if fmt == "json":
        text = json.dumps({"controls": [c.to_json() for c in controls]}, indent=2) + "\n"
    elif fmt == "csv":
        from migrate.reports.cells import csv_cell

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["id", "title", "severity", "citations", "safeguards", "resource_types",
                         "azure_policy_ids", "checkov_ids", "remediation"])
        for c in controls:
            writer.writerow([csv_cell(value) for value in (
                c.id, c.title, c.severity.value, "; ".join(c.citations), "; ".join(c.safeguards),
                "; ".join(c.resource_types), "; ".join(c.azure_policy_ids), "; ".join(c.checkov_ids), c.remediation)])
        text = buffer.getvalue()
    else:
        from rich.table import Table

        table = Table(title=f"carelift control catalog ({len(controls)} controls)", title_justify="left")
        table.add_column("id", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("title", ratio=3)
        table.add_column("45 CFR", no_wrap=True)
        table.add_column("Checkov", no_wrap=True)
        for c in controls:
            table.add_row(c.id, c.severity.value, c.title,
                          "\n".join(x.replace("45 CFR ", "") for x in c.citations), "\n".join(c.checkov_ids) or "—")
        if not output:
            console().print(table)
            return
        plain = io.StringIO()
        console(width=160, file=plain).print(table)  # plain text, not the terminal
        text = plain.getvalue()
    if output:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
