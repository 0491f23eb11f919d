"""`carelift infra`: the landing-zone program, offline.

Parsing and rendering only; the work happens in `infra.api` (validate, render, export_arm), which
imports pulumi inside the calls that need it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migrate.cli.files import require_output, write_output
from migrate.cli.options import format_option, output_option, stack_option
from migrate.cli.terminal import console, echo

if TYPE_CHECKING:
    from rich.tree import Tree

    from infra.render import Rendering


@click.group()
def infra() -> None:
    """Render, validate and export the HIPAA landing zone without Pulumi CLI or Azure."""


@infra.command()
@stack_option()
def validate(stack: str) -> None:
    """Validate a stack's configuration: every problem, with its config key."""
    from infra import api

    checked = api.validate(stack)  # a ConfigError (every problem with its key) goes to the CLI's one handler
    path, config = checked.path, checked.config
    for warning in checked.warnings:
        echo(f"warning: {warning}", err=True)
    echo(f"{path}: valid ({config.environment}, {config.location}, "
               f"{len(config.network.spokes)} spokes, "
               f"{len(config.openai.deployments) if config.openai.enabled else 0} OpenAI deployments)")


@infra.command()
@stack_option()
@format_option("tree", "json",
               help="tree: components and resources with counts per type; json: every resource with its inputs.")
@output_option()
def render(stack: str, fmt: str, output: Path | None) -> None:
    """Run the Pulumi program under Pulumi's mock engine and show what it would create."""
    if output:
        require_output(output)
    rendering = _render(stack)
    if fmt == "json":
        text = json.dumps(rendering.to_json(), indent=2, sort_keys=False) + "\n"
        if output:
            write_output(output, text)
        else:
            click.echo(text, nl=False)
        return

    # To a file: plain text 120 columns wide, and nothing on the terminal.
    plain = io.StringIO()
    screen = console(file=plain, width=120) if output else console()
    screen.print(resource_tree(rendering))
    screen.print(type_counts(rendering))
    if output:
        write_output(output, plain.getvalue())


@infra.command("export-arm")
@stack_option()
@output_option()
def export_arm(stack: str, output: Path | None) -> None:
    """Write the stack as an ARM deployment template that scanners read.

    Every resource the program would create, in the shape Azure Resource Manager returns it,
    e.g. for ``checkov -f FILE --framework arm``: the configuration Pulumi sends as the body,
    the values Azure computes under each resource's ``metadata.carelift.readOnly``.
    """
    from infra import api

    from migrate.cli.progress import status

    if output:
        require_output(output)
    exported = api.export_arm(stack, stage=status)  # a ConfigError or ExportError goes to the CLI's one handler
    for warning in exported.warnings:
        echo(f"warning: {warning}", err=True)
    if output:
        write_output(output, exported.text())
    else:
        click.echo(exported.text(), nl=False)


def _render(stack: str) -> Rendering:
    """Render `stack` offline; configuration problems exit 2 with every key."""
    from infra import api

    from migrate.cli.progress import status

    with status(f"rendering stack {stack} under Pulumi's mock engine"):
        rendered = api.render(stack)  # a ConfigError goes to the CLI's one handler
    for warning in rendered.warnings:
        echo(f"warning: {warning}", err=True)
    return rendered.rendering


def resource_tree(rendering: Rendering) -> Tree:
    from rich.tree import Tree

    from migrate.cli.terminal import assemble

    custom = rendering.custom_resources
    tree = Tree(assemble((f"stack {rendering.stack}", "bold"), f" — {len(custom)} resources"))
    known = {r.urn for r in rendering.resources}
    children: dict[str | None, list] = {}
    for resource in rendering.resources:
        parent = resource.parent if resource.parent in known else None
        children.setdefault(parent, []).append(resource)

    def add(node: Tree, parent: str | None) -> None:
        for resource in sorted(children.get(parent, []), key=lambda r: (r.custom, r.name)):
            short_type = resource.type.split(":", 1)[-1]
            if resource.custom:
                node.add(assemble(resource.name, " ", (short_type, "dim")))
            else:
                add(node.add(assemble((resource.name, "bold cyan"), " ", (short_type, "dim"))), resource.urn)

    add(tree, None)
    return tree


def type_counts(rendering: Rendering):
    from rich.table import Table

    from migrate.cli.terminal import styled

    table = Table(title="Resources by type", title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    counts = rendering.counts()
    for token, count in counts.items():
        table.add_row(token, str(count))
    table.add_section()
    table.add_row(styled("total", "bold"), styled(sum(counts.values()), "bold"))
    return table
