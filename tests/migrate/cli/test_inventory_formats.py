"""`--format` of `inventory import` and `deps import` comes from the format registries (issue 11 section 5)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.cli.deps import deps
from migrate.cli.inventory import inventory
from migrate.inventory.dependencies import PARSERS
from migrate.inventory.importers import IMPORTERS


def format_parameter(command):
    return next(p for p in command.params if p.name == "fmt")


@pytest.mark.parametrize("group,registry", [(inventory, IMPORTERS), (deps, PARSERS)], ids=["inventory", "deps"])
def test_the_choices_are_auto_and_the_registry(group, registry):
    parameter = format_parameter(group.commands["import"])
    assert tuple(parameter.type.choices) == ("auto",) + registry.names()
    assert parameter.default == "auto"


@pytest.mark.parametrize("command,registry", [("inventory", IMPORTERS), ("deps", PARSERS)])
def test_the_help_describes_every_registered_format(command, registry):
    # Compared without whitespace: click wraps the help, even inside a long word.
    text = "".join(CliRunner().invoke(main, [command, "import", "--help"]).output.split())
    for registered in registry:
        assert "".join(f"{registered.name}: {registered.description}".split()) in text


@pytest.mark.parametrize("command,names", [("inventory", ", ".join(f"'{n}'" for n in ("auto",) + IMPORTERS.names())),
                                           ("deps", ", ".join(f"'{n}'" for n in ("auto",) + PARSERS.names()))])
def test_an_unknown_format_is_refused_listing_the_registry(tmp_path, command, names):
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), command, "import", "--format", "excel",
                                       str(path)])
    assert result.exit_code == 2
    assert f"'excel' is not one of {names}." in result.output


def test_listing_the_commands_does_not_load_the_parsers():
    # `carelift --help` imports every command module; the registries load their format modules only
    # when a command needs the list (parsing --format, or its help).
    script = ("import sys\nfrom migrate.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
              "print(sorted(m for m in sys.modules if m.endswith(('.rvtools', '.generic_yaml', '.hostlists'))))")
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert output.strip().splitlines()[-1] == "[]", output
