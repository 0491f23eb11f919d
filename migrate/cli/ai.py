"""`carelift ai`: the AI use-case register of a stack, and CHAI Applied Model Cards for its use cases."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migrate.cli.files import require_output, write_output
from migrate.cli.options import format_option, output_option, stack_option
from migrate.cli.terminal import console

if TYPE_CHECKING:
    import datetime

    from infra.ai.views import RegisterRow
    from infra.config import StackConfig

@click.group()
def ai() -> None:
    """The AI use-case register and its CHAI Applied Model Cards."""


def _load(stack: str) -> StackConfig:
    from infra import api

    return api.stack_config(stack)  # a ConfigError goes to the CLI's one handler


@ai.command("register")
@stack_option()
@format_option("table", "json", "csv")
@output_option()
def register(stack: str, fmt: str, output: Path | None) -> None:
    """List the stack's AI use cases: status, risk, owner, quota and review date (overdue ones flagged)."""
    from infra.ai.governance import as_of
    from infra.ai.views import RegisterRow, register_rows

    if output:
        require_output(output)
    config = _load(stack)
    today = as_of()
    rows = register_rows(config, today)
    if fmt == "json":
        text = json.dumps({"asOf": today.isoformat(), "useCases": [vars(r) for r in rows]}, indent=2) + "\n"
    elif fmt == "csv":
        from migrate.reports.cells import csv_cell

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(list(RegisterRow.__dataclass_fields__))
        writer.writerows([csv_cell(v) for v in vars(r).values()] for r in rows)
        text = buffer.getvalue()
    else:
        text = _table(rows, stack, today, record=output is not None)
    if output:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
    if any(r.review == "overdue" for r in rows):
        click.echo(f"warning: {sum(r.review == 'overdue' for r in rows)} approved use case(s) are overdue for "
                   f"review as of {today.isoformat()}", err=True)


def _table(rows: list[RegisterRow], stack: str, today: datetime.date, *, record: bool) -> str:
    from rich.table import Table

    from migrate.cli.terminal import styled

    table = Table(title=f"AI use cases of stack {stack} (as of {today.isoformat()})", title_justify="left")
    for column in ("Use case", "Status", "Risk", "Data", "Owner", "Deployment", "Quota (TPM)", "Review due"):
        table.add_column(column, justify="right" if column.startswith("Quota") else "left")
    for r in rows:
        review_style = {"overdue": "bold red", "due soon": "yellow"}.get(r.review, "")
        table.add_row(styled(r.id), styled(r.status), styled(r.risk), styled(r.data), styled(r.owner),
                      styled(r.deployment), f"{r.quota:,}",
                      styled(f"{r.review_due} ({r.review})" if r.review != "-" else r.review_due, review_style))
    screen = console(record=True, width=140 if record else None)
    with screen.capture() as captured:
        screen.print(table)
    return captured.get()


@ai.command("card")
@click.argument("use_case")
@stack_option()
@format_option("xml", "html", help="xml: CHAI Applied Model Card v0.2; html: the same card as a printable page.")
@output_option()
def card(use_case: str, stack: str, fmt: str, output: Path | None) -> None:
    """Write the CHAI Applied Model Card of one registered use case."""
    from infra.ai.views import model_card

    if output:
        require_output(output)
    text = model_card(_load(stack), use_case, fmt)  # UnknownUseCase and CardError go to the CLI's one handler
    if output:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
