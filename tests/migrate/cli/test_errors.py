"""One handler for user mistakes (migrate.cli.LazyGroup.invoke): a CareliftError escaping any
sub-command prints its title and problems on standard error and exits with its code; any other
exception is a bug and is not swallowed."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from infra.errors import CareliftError
from migrate.cli import main


class _Mistake(CareliftError):
    def __init__(self, problems):
        self.problems = problems
        self.total = 60
        super().__init__("cannot use the file x.csv")


@pytest.fixture
def command():
    """A sub-command of `carelift` that raises what the test gives it."""
    raised = {}

    @click.command("raise-for-test")
    def raise_for_test():
        raise raised["error"]

    main.add_command(raise_for_test)
    yield raised
    main.commands.pop("raise-for-test")


def test_a_user_mistake_escaping_a_command_prints_title_and_problems_and_exits_2(command):
    command["error"] = _Mistake([f"row {n}: bad value" for n in range(2, 62)])
    result = CliRunner().invoke(main, ["raise-for-test"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "error: cannot use the file x.csv"
    assert lines[1:3] == ["  - row 2: bad value", "  - row 3: bad value"]
    assert lines[-1] == "  … 60 problems in all; first 50 shown"
    assert "Traceback" not in result.output


def test_a_bug_is_not_swallowed(command):
    command["error"] = KeyError("a bug")
    result = CliRunner().invoke(main, ["raise-for-test"])
    assert result.exit_code == 1
    assert isinstance(result.exception, KeyError)


def test_a_real_command_relies_on_the_handler(tmp_path):
    # `inventory rename` has no except clause of its own: its EditError reaches the handler.
    from migrate.inventory.store import Workspace

    Workspace.open(tmp_path / "ws").close()
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "inventory", "rename", "nosuch", "new"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: no server 'nosuch' in the inventory\n"
