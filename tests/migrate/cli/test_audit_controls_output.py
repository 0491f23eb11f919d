"""`carelift audit controls -o FILE`: the catalog written to a file in each format."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from migrate.cli import main


def controls(*args: str):
    return CliRunner().invoke(main, ["audit", "controls", *args], catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_the_file_holds_what_standard_output_would(tmp_path, fmt):
    out = tmp_path / f"controls.{fmt}"
    result = controls("--format", fmt, "-o", str(out))
    assert result.exit_code == 0 and result.output == ""
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert text == controls("--format", "json").output
        count = len(json.loads(text)["controls"])
        assert count > 50
    elif fmt == "csv":
        assert text == controls("--format", "csv").output
        rows = list(csv.reader(text.splitlines()))
        assert rows[0][0] == "id" and all(row[0].startswith("CL-") for row in rows[1:])
    else:
        assert "carelift control catalog" in text and "CL-KV-001" in text and "\x1b" not in text


def test_a_destination_it_cannot_write_exits_2(tmp_path):
    result = controls("--format", "csv", "-o", str(tmp_path / "missing" / "c.csv"))
    assert result.exit_code == 2 and "does not exist" in result.output
