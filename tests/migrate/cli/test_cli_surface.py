"""One CLI surface (issue 11 §7), checked on every command `carelift` has, by click introspection.

- An option that writes a file or a directory is the shared `-o/--output` (migrate.cli.options.output_option),
  whose old spelling `--out` still works but is hidden.
- No `--format` offers a choice named `text`: the human-readable format is called `table` everywhere.
- Every `--stack` is `-s/--stack` and its help ends with the one STACK_HELP (what the value may be).

Path options are classified by hand below: a new path option must be added to READ or OTHER_PATHS, or be
`-o/--output`, so a command cannot grow a second spelling for its output unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from migrate.cli import main
from migrate.cli.options import STACK_HELP, HiddenAliasOption

# Path options a command only reads.
READ = {"--arm", "--waivers", "--ai-register", "--parameters", "--settings", "--plan"}
# Path options that are written but are not "the output" of the command, with the reason.
OTHER_PATHS = {
    "--workspace": "the workspace holding the estate database: state every command reads and updates",
    "--evidence": "audit's evidence bundle, a directory written beside the report that -o/--output names",
}
OUTPUT_OPTS = ["--output", "-o", "--out"]


def walk(command: click.Command, path: str, ctx: click.Context):
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{path} lists {name} but cannot load it"
            yield from walk(sub, f"{path} {name}", click.Context(sub, parent=ctx, info_name=name))


COMMANDS = dict(walk(main, "carelift", click.Context(main, info_name="carelift")))


def violations(command: click.Command) -> list[str]:
    """What in `command`'s options breaks the surface's rules (empty when it follows them)."""
    found = []
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        name = max(param.opts, key=len)
        writes = isinstance(param.type, click.Path) and name not in READ and name not in OTHER_PATHS
        spelled_like_output = bool({"--out", "--output", "-o"} & set(param.opts))
        if writes or spelled_like_output:
            if param.opts != OUTPUT_OPTS or not isinstance(param, HiddenAliasOption) \
                    or param.hidden_aliases != {"--out"}:
                found.append(f"{'/'.join(param.opts)} writes a path but is not the shared -o/--output")
        if "--format" in param.opts and isinstance(param.type, click.Choice) and "text" in param.type.choices:
            found.append("--format offers 'text' (the human format is 'table')")
        if "--stack" in param.opts:
            if sorted(param.opts) != ["--stack", "-s"]:
                found.append(f"--stack is spelled {'/'.join(param.opts)}")
            if not (param.help or "").endswith(STACK_HELP):
                found.append(f"--stack help does not end with STACK_HELP: {param.help!r}")
    return found


@pytest.mark.parametrize("path", list(COMMANDS))
def test_command_follows_the_one_cli_surface(path):
    assert violations(COMMANDS[path]) == []


def test_the_walk_reaches_every_group_and_its_commands():
    assert {"carelift ai register", "carelift audit controls", "carelift demo", "carelift deps show",
            "carelift estate generate", "carelift infra export-arm", "carelift inventory batches undo",
            "carelift plan report"} <= set(COMMANDS)


def test_the_rules_catch_each_kind_of_breach():
    # The checker itself must fail on what it is meant to catch, or every green case above means nothing.
    @click.command()
    @click.option("--out", type=click.Path(path_type=Path))
    @click.option("--report-file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--format", type=click.Choice(["text", "json"]))
    @click.option("--stack", "-s", help="A stack.")
    def bad(out, report_file, format, stack):
        """Every rule broken once."""

    found = violations(bad)
    assert len(found) == 4, found
    assert any(f.startswith("--out ") for f in found) and any(f.startswith("--report-file ") for f in found)
    assert any("'text'" in f for f in found) and any("STACK_HELP" in f for f in found)


def test_the_shared_options_pass_the_rules():
    from migrate.cli.options import format_option, output_option, stack_option

    @click.command()
    @output_option(directory=True)
    @format_option("table", "json")
    @stack_option(help="The stack to read.")
    @click.option("--settings", "settings_path", type=click.Path(dir_okay=False, path_type=Path))
    def good(output, fmt, stack, settings_path):
        """Every rule kept."""

    assert violations(good) == []
