"""File names that are not UTF-8 (written under another locale) import, stored and shown escaped."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.inventory.names import printable

pytestmark = pytest.mark.skipif(os.name != "posix", reason="byte file names are a POSIX matter")


def test_printable_escapes_only_the_bytes_that_are_not_utf8():
    assert printable("epic.csv") == "epic.csv"
    assert printable("café.csv") == "café.csv"
    assert printable(os.fsdecode(b"caf\xe9.csv")) == "caf\\xe9.csv"
    assert printable("\ud800") == "\\ud800"  # a lone surrogate that stands for no byte


def test_an_inventory_and_a_host_list_with_latin1_names_import(tmp_path):
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9-servers.csv"), "wb") as handle:
        handle.write(b"name,cores\nepic-db01,8\n")
    with open(os.path.join(folder, b"h\xf6st.ss.txt"), "wb") as handle:
        handle.write(b"State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
                     b"LISTEN 0 128 0.0.0.0:1433 0.0.0.0:*\nESTAB 0 0 10.0.0.1:1433 10.0.0.2:50000\n")
    runner = CliRunner()
    workspace = ["--workspace", str(tmp_path / "ws")]
    servers = os.fsdecode(os.path.join(folder, b"caf\xe9-servers.csv"))
    hosts = os.fsdecode(os.path.join(folder, b"h\xf6st.ss.txt"))

    imported = runner.invoke(main, [*workspace, "inventory", "import", servers])
    assert imported.exit_code == 0, imported.output
    assert "caf\\xe9-servers.csv (csv, batch 1): 1 added" in imported.output
    deps = runner.invoke(main, [*workspace, "deps", "import", hosts])
    assert deps.exit_code == 0, deps.output

    history = json.loads(runner.invoke(main, [*workspace, "inventory", "history", "--format", "json"]).output)
    assert [b["path"].rsplit("/", 1)[-1] for b in history] == ["caf\\xe9-servers.csv", "h\\xf6st.ss.txt"]
    shown = runner.invoke(main, [*workspace, "deps", "show", "h\\xf6st", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["totals"]["inbound"] == 1


def test_a_problem_in_a_latin1_named_file_is_reported_not_a_traceback(tmp_path):
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9.csv"), "wb") as handle:
        handle.write(b"name,cores\nepic-db01,many\n")
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "ws"), "inventory", "import",
                                       os.fsdecode(os.path.join(folder, b"caf\xe9.csv"))])
    assert result.exit_code == 2
    assert "caf\\xe9.csv, row 2, column 'cores'" in result.output
    assert "Traceback" not in result.output
