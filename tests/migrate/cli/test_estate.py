"""`carelift estate generate` through click's CliRunner, and the estate imported end to end."""

from __future__ import annotations

import json

from click.testing import CliRunner

from migrate.cli import main
from migrate.estate.files import AZURE_MIGRATE, DEPENDENCIES, FILES, MAPPING, RVTOOLS
from migrate.estate.generator import minimum_size


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_generate_writes_the_four_files_and_says_what_it_made(tmp_path):
    out = tmp_path / "new" / "estate"
    result = invoke("estate", "generate", "--servers", "60", "--seed", "5", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert result.output.startswith("60 servers (")
    assert "carelift deps import" in result.output


def test_generate_is_byte_identical_for_a_seed(tmp_path):
    # The second run spells the option --out, its hidden alias from before -o/--output: same directory option.
    for name, option in (("a", "-o"), ("b", "--out")):
        result = invoke("estate", "generate", "-n", "40", "--seed", "9", "--days", "1", option, str(tmp_path / name))
        assert result.exit_code == 0, result.output
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_too_few_servers_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["estate", "generate", "-n", str(minimum_size() - 1), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "--servers" in result.output
    assert not any(tmp_path.iterdir())


def test_generated_estate_imports_end_to_end(tmp_path):
    out, workspace = tmp_path / "estate", tmp_path / "ws"
    assert invoke("estate", "generate", "-n", "120", "--seed", "11", "-o", str(out)).exit_code == 0
    ws = ("--workspace", str(workspace))
    result = invoke(*ws, "inventory", "import", str(out / RVTOOLS), str(out / AZURE_MIGRATE))
    assert result.exit_code == 0, result.output
    assert invoke(*ws, "inventory", "import", str(out / MAPPING)).exit_code == 0
    result = invoke(*ws, "deps", "import", str(out / DEPENDENCIES))
    assert result.exit_code == 0, result.output

    servers = json.loads(invoke(*ws, "inventory", "list", "--format", "json").output)
    assert len(servers) == 120
    engine = json.loads(invoke(*ws, "deps", "show", "hl7-prd-eng01", "--format", "json").output)
    # The interface engine is a hub: many clinical systems connect to it on 2575.
    talkers = {e["peer"].split("-")[0] for e in engine["inbound"] if e["port"] == 2575}
    assert len(talkers) >= 4
    # Physical servers have no name in an agentless export; the store found them by IP.
    odb = json.loads(invoke(*ws, "deps", "show", "ehr-prd-odb01", "--format", "json").output)
    assert odb["in_inventory"] and any(e["port"] == 1972 and not e["external"] for e in odb["inbound"])
