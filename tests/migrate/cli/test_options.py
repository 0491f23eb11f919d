"""The shared options: `-o/--output` with the hidden `--out`, and `table` with the old `text`."""

from __future__ import annotations

import click
from click.testing import CliRunner

from migrate.cli.options import format_option, output_option, stack_option


@click.command()
@output_option()
@format_option("table", "json")
@stack_option()
def command(output, fmt, stack):
    click.echo(f"{output} {fmt} {stack}")


def run(*args: str):
    return CliRunner().invoke(command, list(args))


def test_output_is_spelled_o_output_and_the_old_out_still_works():
    assert run("-o", "a.txt").output.split()[0] == "a.txt"
    assert run("--output", "b.txt").output.split()[0] == "b.txt"
    assert run("--out", "c.txt").output.split()[0] == "c.txt"


def test_help_shows_output_but_not_the_old_spelling():
    help_text = run("--help").output
    assert "-o, --output FILE" in help_text and "--out " not in help_text and "--out," not in help_text


def test_an_error_names_only_the_advertised_spellings():
    result = run("-o")
    assert result.exit_code == 2 and "'--out'" not in result.output


def test_the_human_format_is_table_and_text_is_read_as_table():
    assert run("--format", "text").output.split()[1] == "table"
    assert run().output.split()[1] == "table"
    bad = run("--format", "xml")
    assert bad.exit_code == 2 and "'table', 'json'" in bad.output and "text" not in bad.output


def test_stack_defaults_to_prod_and_says_what_it_takes():
    assert run().output.split()[2] == "prod"
    assert "stacks/Pulumi.<name>.yaml" in run("--help").output
