"""Progress on long commands: on standard error when it is a terminal, never in pipes, never with --quiet."""

from __future__ import annotations

import io
import sys

import click
from click.testing import CliRunner

from migrate.cli import main, progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_shown_only_on_a_terminal_and_not_when_quiet(monkeypatch):
    monkeypatch.delenv("CARELIFT_QUIET", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not progress.shown()
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert progress.shown()
    monkeypatch.setenv("CARELIFT_QUIET", "1")
    assert not progress.shown()
    monkeypatch.delenv("CARELIFT_QUIET")
    with click.Context(main, obj={"quiet": True}):
        assert not progress.shown()


def test_a_status_line_is_drawn_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CARELIFT_QUIET", raising=False)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress.status("planning 400 servers") as line:
        line.update("planning 400 servers: waves")
    assert "planning 400 servers" in terminal.getvalue()


def test_nested_displays_do_not_fail(monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    with progress.status("outer"), progress.status("inner") as inner:
        inner.update("still fine")


def test_commands_print_no_progress_when_standard_error_is_not_a_terminal(tmp_path):
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "--quiet", "plan", "show"])
    assert result.exit_code == 2  # no workspace: the error, and nothing else, on standard error
    assert result.stderr.startswith("error: no inventory")
