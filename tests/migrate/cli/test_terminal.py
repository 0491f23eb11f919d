"""Data on the terminal (migrate.cli.terminal, errors.fail): no control codes, no markup, bounded."""

from __future__ import annotations

import io

import click
from click.testing import CliRunner
from rich.table import Table
from rich.text import Text

from migrate.cli.errors import fail
from migrate.cli.terminal import clean, console, echo, message, quote, styled

HOSTILE = "\x1b]0;pwned\x07srv\x1b[2J\x9b31m\u202eevil[/][bold red]x"


def printed(*renderables) -> str:
    screen = console(file=io.StringIO(), width=200, force_terminal=True)  # a real terminal: styles are codes
    for renderable in renderables:
        screen.print(renderable)
    return screen.file.getvalue()


def without_styles(text: str) -> str:
    """rich's own SGR sequences removed: what is left must hold no escape at all."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_clean_shows_c0_c1_del_and_bidi_controls_as_escapes():
    assert clean("a\x1bb\x07c\x7fd\x9be\u202ef") == "a\\x1bb\\x07c\\x7fd\\x9be\\u202ef"
    assert clean("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert clean("cr\r", keep_line_breaks=False) == "cr\\x0d"


def test_a_hostile_value_in_a_table_prints_no_control_code_and_no_markup():
    table = Table(title=HOSTILE)
    table.add_column("name")
    table.add_row(HOSTILE)
    table.add_row(Text(HOSTILE))  # a Text built from data without clean(): codes are dropped
    output = without_styles(printed(table, HOSTILE))
    for code in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert code not in output
    assert "[/][bold red]x" in output  # the name as it is, not markup (and no MarkupError)
    assert "\\x1b]0;pwned\\x07" in output


def test_our_own_styles_still_reach_a_terminal():
    output = printed(styled("FAIL", "bold red"))
    assert "\x1b[" in output and "FAIL" in output


def test_emoji_codes_in_data_stay_text():
    assert ":pile_of_poo:" in printed("owner :pile_of_poo:")


def test_message_caps_each_quoted_value_and_each_line():
    long = "x" * 5000
    shown = message(f"unknown column {long!r} in row 2")
    assert len(shown) < 200 and shown.startswith("unknown column 'xxx") and "…'" in shown
    assert shown.endswith(" in row 2")
    assert len(message("y" * 100_000)) == 10_000
    assert quote("z" * 500) == repr("z" * 79 + "…")


def test_echo_cleans_what_it_prints():
    @click.command()
    def command():
        echo(f"warning: {HOSTILE}")

    output = CliRunner().invoke(command, []).output
    assert "\x1b" not in output and "\\x1b" in output


def test_fail_reports_the_true_total_of_a_capped_list():
    @click.command()
    def command():
        fail("8,500,000 problem(s) in the input", [f"row {n}: bad" for n in range(200)], total=8_500_000)

    result = CliRunner().invoke(command, [])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "error: 8,500,000 problem(s) in the input"
    assert len(lines) == 1 + 50 + 1
    assert lines[-1] == "  … 8,500,000 problems in all; first 50 shown"


def test_fail_cleans_and_bounds_hostile_problems():
    @click.command()
    def command():
        fail(f"no server {quote(HOSTILE * 20)}", [f"row 2: bad value {('v' * 10_000)!r}", "[/]"])

    result = CliRunner().invoke(command, [])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert max(len(line) for line in result.output.splitlines()) < 200
    assert "  - [/]" in result.output


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_data_is_cleaned_for_a_terminal_only():
    from migrate.cli.terminal import DataStream, for_terminal

    data = '{"owner": "\x9b31m\u202eevil"}'
    assert for_terminal(data, io.StringIO()) == data  # a file or a pipe gets the data byte for byte
    assert for_terminal(data, FakeTerminal()) == '{"owner": "\\x9b31m\\u202eevil"}'
    screen = FakeTerminal()
    DataStream(screen).write("a,\x1b[2J\n")
    assert screen.getvalue() == "a,\\x1b[2J\n"


def test_a_long_quoted_id_in_a_table_cell_is_shown_whole():
    resource = "'/subscriptions/0000/resourceGroups/rg-rbh-prod-shared/providers/Microsoft.KeyVault/vaults/kv-x'"
    table = Table()
    table.add_column("message", overflow="fold")
    table.add_row(f"vault {resource} allows public access")
    assert "kv-x'" in printed(table).replace("\n", "").replace("│", "").replace(" ", "")


def test_a_table_rendered_into_a_file_is_plain_even_with_force_color(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # many CI jobs set it
    screen = console(file=io.StringIO(), width=80)
    screen.print(styled("FAIL", "bold red"))
    assert screen.file.getvalue() == "FAIL\n"


def test_a_file_name_that_is_not_utf8_is_shown_with_its_bytes():
    import os

    name = os.fsdecode(b"caf\xe9.csv")  # how Python hands such a name over: a lone surrogate
    assert clean(name) == "caf\\xe9.csv"
    assert "caf\\xe9.csv" in printed(name)
