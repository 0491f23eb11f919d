"""Where a `carelift plan` sub-command's plan comes from: the latest plan stored in the workspace,
or a plan JSON file. Each exits 2 with a clear message when there is none or it is not a plan.

Below `plan`, `plan report` and the landing commands, which all read plans this way, so none of
them imports another to do it.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from migrate.cli.errors import fail
from migrate.cli.workspace import open_workspace


def latest(ctx: click.Context, parse: bool = True):
    with open_workspace(ctx.obj["workspace"]) as workspace:
        record = workspace.latest_plan()
    if record is None:
        fail("no plan in the workspace yet: compute one with `carelift plan [--settings FILE]`")
    return record, (json.loads(record.plan_json) if parse else None)


def read_plan_file(path: Path) -> dict:
    from infra.inputs import DATA_LIMIT, read_input_text
    from migrate.planning.document import SCHEMA

    try:
        document = json.loads(read_input_text(path, DATA_LIMIT))
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {error.strerror if isinstance(error, OSError) and error.strerror else error}")
    except json.JSONDecodeError as error:
        fail(f"{path} is not JSON: line {error.lineno}, column {error.colno}: {error.msg}")
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else type(document).__name__
        fail(f"{path} is not a carelift plan (expected \"schema\": \"{SCHEMA}\", found {found!r})")
    return document
