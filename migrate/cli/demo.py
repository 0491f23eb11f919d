"""`carelift demo`: the whole product on the shipped sample estate, in one command.

In a temporary workspace: import the sample's inventory, application mapping and dependencies;
plan with the shipped demo settings (`migrate/data/demo-settings.yaml`); write the reports; render
and audit the prod landing zone; put seven files in DIR. Each step calls the functions the
matching command uses (the inventory service, the planning workflow, the reports, the renderer
and the audit engine); nothing is shelled out. Progress goes to standard error, and only when it is
a terminal; the closing table goes to standard output.
"""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from migrate.cli.errors import fail
from migrate.cli.options import output_option
from migrate.cli.terminal import console

DEMO_SETTINGS = Path(__file__).resolve().parent.parent / "data" / "demo-settings.yaml"


@dataclass(frozen=True)
class DemoFile:
    name: str
    purpose: str
    reader: str


FILES = (
    DemoFile("report.html", "the migration plan: summary, timeline, risks, waves, cost (opens offline)",
             "IT leadership, migration lead"),
    DemoFile("plan.xlsx", "every server, wave, move group and crossing link, filterable",
             "migration office, application owners"),
    DemoFile("plan.md", "a short summary with the wave table and risks", "change board, pull request reviewers"),
    DemoFile("plan.json", "the plan as data (carelift.plan/v1) for `plan diff` and `plan report`",
             "engineers, automation"),
    DemoFile("audit.html", "HIPAA baseline audit of the prod landing zone, by safeguard",
             "compliance officer, auditors"),
    DemoFile("audit.sarif", "the same findings for code scanning", "platform engineers, CI"),
    DemoFile("landing-zone.arm.json", "the prod landing zone as an ARM template for third-party scanners",
             "security engineers"),
)


@click.command()
@output_option("Directory for the seven files (created if missing).", directory=True,
               default=Path("carelift-demo"), show_default=True)
@click.option("--force", is_flag=True, help="Write into DIR even if it is not empty (files of the same names are "
                                            "replaced).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
def demo(output: Path, force: bool, quiet: bool) -> None:
    """Plan, report and audit the shipped 400-server sample estate: seven files in --output."""
    prepare_directory(output, force)
    from migrate.cli.progress import shown

    steps = Steps(show=not quiet and shown())
    with steps, tempfile.TemporaryDirectory(prefix="carelift-demo-") as scratch:
        outputs = run(Path(scratch) / "workspace", steps)
    from migrate.cli.files import write_output

    for item in FILES:
        write_output(output / item.name, outputs[item.name])
    print_table(output)


def prepare_directory(directory: Path, force: bool) -> None:
    if directory.is_symlink():
        fail(f"refusing to write into {directory}: it is a symbolic link; give the directory itself")
    if directory.exists() and not directory.is_dir():
        fail(f"cannot write into {directory}: it is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        fail(f"{directory} is not empty: choose another --output or add --force to replace the demo's files in it")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"cannot create {directory}: {error.strerror or error}")


class Steps:
    """A rich progress display on standard error when it is a terminal; silent otherwise."""

    def __init__(self, show: bool):
        self.progress = None
        if show:
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                                     console=console(stderr=True), transient=False)
            self.task = self.progress.add_task("carelift demo", total=len(STEPS))

    def __enter__(self):
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress:
            if exc[0] is None:
                self.progress.update(self.task, description="done")
            self.progress.stop()

    def step(self, description: str) -> None:
        if self.progress:
            self.progress.update(self.task, description=description)

    def done(self) -> None:
        if self.progress:
            self.progress.advance(self.task)


STEPS = ("import the inventory", "import the application mapping", "import the dependencies", "plan the waves",
         "write the reports", "render the prod landing zone", "audit the prod landing zone")


def run(workspace: Path, steps: Steps) -> dict[str, str | bytes]:
    """Every demo file's content, from the sample estate imported into `workspace`."""
    from migrate.estate import sample_estate

    sample = Path(sample_estate())
    actions: list[Callable[[], None]] = []
    outputs: dict[str, str | bytes] = {}
    actions.append(lambda: import_files(workspace, [sample / "rvtools-export.xlsx",
                                                    sample / "azure-migrate-import.csv"], "inventory"))
    actions.append(lambda: import_files(workspace, [sample / "application-mapping.csv"], "inventory"))
    actions.append(lambda: import_files(workspace, [sample / "azure-migrate-dependencies.csv"], "dependencies"))
    actions.append(lambda: outputs.update({"plan.json": plan_sample(workspace)}))
    actions.append(lambda: outputs.update(reports(outputs["plan.json"])))
    rendered: list = []
    actions.append(lambda: outputs.update(landing_zone(rendered)))
    actions.append(lambda: outputs.update(audit(rendered[0])))
    for description, action in zip(STEPS, actions, strict=True):
        steps.step(description)
        action()
        steps.done()
    return outputs


def import_files(workspace: Path, paths: list[Path], kind: str) -> None:
    """What `carelift inventory import` / `deps import` do: parse every file, import them in one batch."""
    from migrate.inventory import service

    if kind == "dependencies":
        service.import_dependencies(workspace, paths)
    else:
        service.import_inventory(workspace, paths)


def plan_sample(workspace: Path) -> str:
    """What `carelift plan --settings demo-settings.yaml` does: plan, store in the workspace, the JSON."""
    from migrate.workflows.plan import plan_workspace

    # The demo's files must not depend on the day it runs: the earliest date as "today" means the
    # planner never warns that the demo settings' start date has passed (it was never told the date).
    return plan_workspace(workspace, settings_path=DEMO_SETTINGS, today=datetime.date.min).text


def reports(plan_text: str | bytes) -> dict[str, str | bytes]:
    from migrate.reports.render import report

    document = json.loads(plan_text)
    return {"report.html": report(document, "html"), "plan.xlsx": report(document, "xlsx"),
            "plan.md": report(document, "md")}


def prod_stack_file() -> Path:
    """The prod stack of the project in the current directory or above, else the one beside the package."""
    from infra.render import find_project_dir

    project = find_project_dir() or Path(__file__).resolve().parents[2]
    return project / "stacks" / "Pulumi.prod.yaml"


def landing_zone(rendered: list) -> dict[str, str]:
    """What `carelift infra export-arm --stack prod` does; keeps the render for the audit."""
    from infra import api

    # A ConfigError goes to the CLI's one handler. The AI register's warnings are not printed over the
    # progress bar: the audit's AI governance controls report the same facts in audit.html.
    rendered.append(api.render(str(prod_stack_file())))
    return {"landing-zone.arm.json": api.exported(rendered[0]).text()}


def audit(rendered) -> dict[str, str]:
    """What `carelift audit --stack prod --format html|sarif` does, on the stack just rendered."""
    from infra import api
    from infra.compliance import outputs
    from infra.compliance.outputs import AuditMeta
    from migrate import __version__

    run = api.run_audit(api.stack_input(rendered.rendering))
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    meta = AuditMeta(source=run.source, generated_at=now, tool_version=__version__)
    return {"audit.html": outputs.render("html", run.result, run.controls, meta),
            "audit.sarif": outputs.render("sarif", run.result, run.controls, meta)}


def print_table(directory: Path) -> None:
    from rich.table import Table
    from rich.text import Text

    from migrate.cli.terminal import styled

    table = Table(title=styled(f"carelift demo: {len(FILES)} files in {directory}"), title_justify="left")
    for column in ("file", "what it is for", "who reads it"):
        table.add_column(column)
    for item in FILES:
        table.add_row(Text(item.name), Text(item.purpose), Text(item.reader))
    screen = console()  # --output is a path someone typed: shown as text, control codes escaped
    screen.print(table)
    screen.print(styled(f"Open {directory / 'report.html'} in a browser: it needs no network."))
