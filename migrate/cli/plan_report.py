"""`carelift plan report`: the plan as HTML, Excel or Markdown for people who do not read JSON.

Options in, one call to `migrate.reports.render`, the file out. The report reads the plan
JSON only (the workspace's latest plan, or --plan FILE); every figure comes from it.
"""

from __future__ import annotations

from pathlib import Path

import click

from migrate.cli.errors import fail
from migrate.cli.options import output_option, plan_file_option


@click.command("report")
@plan_file_option("A plan JSON file (from `carelift plan -o` or `plan export`); default: the workspace's "
                  "latest plan.")
@click.option("--format", "fmt", type=click.Choice(["html", "xlsx", "md"]), required=True,
              help="html: one self-contained page for leadership (no network needed); xlsx: a workbook with a "
                   "sheet per view; md: a short summary for a pull request or change ticket.")
@output_option("File to write (- for standard output; default: standard output for html and md, "
               "required for xlsx).")
@click.pass_context
def report(ctx: click.Context, plan_file: Path | None, fmt: str, output: Path | None) -> None:
    """Write the plan as a report: summary, timeline, waves, risks, cost and assumptions."""
    from migrate.cli.files import require_output, write_output
    from migrate.reports.render import report as render_report

    if output is None and fmt == "xlsx":
        fail("--format xlsx needs -o FILE (a workbook is not printed on a terminal)")
    if output is not None:
        require_output(output)
    if plan_file is not None:
        from migrate.reports.document import read_plan

        document = read_plan(plan_file)  # a ReportError goes to the CLI's one handler
    else:
        from migrate.cli.plan_source import latest

        document = latest(ctx)
    data = render_report(document, fmt)
    if output is None:
        click.echo(data, nl=False)
    else:
        write_output(output, data)
        click.echo(f"{fmt} report written to {output}", err=True)
