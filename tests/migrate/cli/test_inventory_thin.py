"""The inventory and deps commands are a front end (issue 11 sections 1 and 7): options in, one call
of `migrate.inventory.service`, rendering out. Read with `ast`, so a store call slipped back into a
command fails here."""

from __future__ import annotations

import ast
import json

import pytest
from click.testing import CliRunner

from migrate.cli import main
from tests.conftest import REPO

CLI = REPO / "migrate" / "cli"
MODULES = ("inventory.py", "inventory_views.py", "inventory_edit.py", "deps.py")
# What the commands may import from the inventory at run time: the service, the format registries
# (for --format), parsing --filter, the names of the quality checks, and the field list.
ALLOWED = {"migrate.inventory.service", "migrate.inventory.importers.IMPORTERS",
           "migrate.inventory.dependencies.PARSERS", "migrate.inventory.filters.parse_filters",
           "migrate.inventory.quality.CHECKS", "migrate.inventory.model.Server",
           "migrate.inventory.schema.SERVER_FIELDS"}
STORE_WORDS = {"open_workspace", "Workspace", "import_all_or_nothing", "one_server"}


def tree(name: str) -> ast.Module:
    return ast.parse((CLI / name).read_text(encoding="utf-8"))


def runtime_imports(module: ast.Module) -> set[str]:
    """Names imported outside `if TYPE_CHECKING:` (annotations are not calls)."""
    found = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(module)
    return found


@pytest.mark.parametrize("name", MODULES)
def test_the_commands_reach_the_inventory_only_through_the_service(name):
    module = tree(name)
    inventory = {i for i in runtime_imports(module) if i.startswith("migrate.inventory")}
    # `from migrate.inventory import service` reads as migrate.inventory.service
    assert inventory <= ALLOWED, sorted(inventory - ALLOWED)
    words = {n.id for n in ast.walk(module) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(module) if isinstance(n, ast.Attribute)}
    assert not words & STORE_WORDS, sorted(words & STORE_WORDS)


def test_the_cli_no_longer_offers_the_workspace_helpers():
    # They moved to migrate.inventory.service; the demo and the plan commands call services too.
    import migrate.cli.workspace as helpers

    assert not {"open_workspace", "utc_now", "import_all_or_nothing", "one_server"} & set(vars(helpers))


def commands(module: ast.Module) -> list[ast.FunctionDef]:
    def is_command(decorator: ast.expr) -> bool:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        return isinstance(call, ast.Attribute) and call.attr == "command"

    return [node for node in module.body if isinstance(node, ast.FunctionDef)
            and any(is_command(d) for d in node.decorator_list)]


@pytest.mark.parametrize("name", ["inventory.py", "inventory_edit.py", "deps.py"])
def test_every_command_makes_one_service_call(name):
    found = commands(tree(name))
    assert found
    for command in found:
        calls = [n.func.attr for n in ast.walk(command) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and getattr(n.func.value, "id", "") == "service"]
        assert len(calls) == 1, (command.name, calls)


# -- section 7: one spelling for the human format and for the output file -----------------------------


@pytest.fixture
def estate(tmp_path):
    (tmp_path / "servers.csv").write_text("name,cores\nweb01,2\nweb02,4\n", encoding="utf-8")

    def run(*args: str):
        return CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), *args], catch_exceptions=False)

    assert run("inventory", "import", str(tmp_path / "servers.csv")).exit_code == 0
    return run


def test_history_says_table_and_still_reads_text(estate):
    table = estate("inventory", "history")
    assert table.exit_code == 0 and table.output.startswith("batch 1  ")
    assert estate("inventory", "history", "--format", "table").output == table.output
    assert estate("inventory", "history", "--format", "text").output == table.output
    assert "[table|json]" in estate("inventory", "history", "--help").output


def test_list_writes_with_output_and_the_old_out_spelling(estate, tmp_path):
    for option, name in (("-o", "a.json"), ("--output", "b.json"), ("--out", "c.json")):
        assert estate("inventory", "list", "--format", "json", option, str(tmp_path / name)).exit_code == 0
        assert [s["name"] for s in json.loads((tmp_path / name).read_text())] == ["web01", "web02"]
    help_text = estate("inventory", "list", "--help").output
    assert "-o, --output FILE" in help_text and "--out " not in help_text

