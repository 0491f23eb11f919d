"""`carelift plan` through click's CliRunner: a stored plan shown, explained, exported and compared,
and the whole planner end to end on the shipped sample estate."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import fields
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.estate import sample_estate
from migrate.estate.files import AZURE_MIGRATE, DEPENDENCIES, MAPPING, RVTOOLS
from migrate.inventory.store import Workspace
from migrate.planning.document import plan_document, plan_to_json
from migrate.planning.encoder import dump_document
from migrate.planning.settings import PlanSettings, WaveLimits
from tests.conftest import REPO
from tests.migrate.planning.test_plan import sample_plan


def invoke(workspace: Path, *args: str):
    return CliRunner().invoke(main, ["--workspace", str(workspace), *args], catch_exceptions=False)


@pytest.fixture
def stored(tmp_path) -> Path:
    """A workspace holding the hand-made plan of tests/migrate/planning/test_plan.py."""
    directory = tmp_path / "ws"
    text = plan_to_json(sample_plan())
    with Workspace.open(directory) as ws:
        ws.save_plan(text, hashlib.sha256(text.encode()).hexdigest(), "2026-11-27T09:00:00Z")
    return directory


# -- show, explain, export, diff on a stored plan ----------------------------------------------

def test_show_prints_the_timeline(stored):
    result = invoke(stored, "plan", "show")
    assert result.exit_code == 0, result.output
    for expected in ("Foundation", "Pilot", "Wave 2", "2027-01-09 00:00", "$1,334.57", "America/Chicago",
                     "H = 95"):
        assert expected in result.output
    assert "Sat 2027-01-09 00:00–06:00" in invoke(stored, "plan", "show", "--wide").output  # the whole window


def test_show_json_is_the_timeline(stored):
    timeline = json.loads(invoke(stored, "plan", "show", "--format", "json").output)
    assert timeline["plan"]["id"] == 1 and timeline["plan"]["created_at"] == "2026-11-27T09:00:00Z"
    assert [w["number"] for w in timeline["waves"]] == [0, 1, 2]
    assert timeline["waves"][2]["move_groups"] == ["epic-prd"]
    assert timeline["waves"][2]["metrics"]["crossing_links"] == 2
    assert timeline["metrics"]["hybrid_exposure"] == 95


def test_explain_gives_the_wave_group_strategy_size_and_cost_reasons(stored):
    result = invoke(stored, "plan", "explain", "EPIC-PRD-DB01")
    assert result.exit_code == 0, result.output
    for expected in ("epic-prd-db01 (prd, tier 0, Epic)", "wave 2 (Wave 2)", "pins[0]: Epic prd → wave 2",
                     "move group epic-prd: 2 server(s), with epic-prd-app01",
                     "strong link epic-prd-app01 → epic-prd-db01 port 1972", "strategy: rehost",
                     "R-REHOST: test rule", "readiness: Ready", "size: Standard_D4s_v5 (4 vCPU, 16 GB",
                     "disk os: 128 GB → Premium SSD P10", "monthly cost: $1,234.57"):
        assert expected in result.output


def test_explain_a_retired_server_and_json(stored):
    result = invoke(stored, "plan", "explain", "old01")
    assert "wave: none — retire: R-RETIRE: test rule" in result.output
    data = json.loads(invoke(stored, "plan", "explain", "epic-tst-app01", "--format", "json").output)
    assert data["wave"]["number"] == 1 and data["move_group"]["id"] == "epic-tst"
    assert [(c["destination"], c["port"]) for c in data["crossing_links"]] == [("dc01", 389), ("epic-prd-app01", 443)]


def test_explain_an_unknown_server_exits_2(stored):
    result = invoke(stored, "plan", "explain", "nosuch01")
    assert result.exit_code == 2 and "no server 'nosuch01'" in result.output


def test_export_writes_the_stored_bytes(stored, tmp_path):
    result = invoke(stored, "plan", "export", "--out", str(tmp_path / "p.json"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.json").read_text(encoding="utf-8") == plan_to_json(sample_plan())
    assert invoke(stored, "plan", "export").output == plan_to_json(sample_plan())


def test_diff_lists_moves_strategy_and_size_changes_and_cost_per_wave(tmp_path):
    old = sample_plan()
    document = plan_document(old)
    document["servers"]["epic-tst-app01"]["wave"] = 2
    document["servers"]["epic-prd-db01"]["target_sku"] = "Standard_E16s_v5"
    document["servers"]["dc01"]["strategy"] = "replatform"
    document["waves"][2]["metrics"]["monthly_cost"] += 100
    document["metrics"]["monthly_cost"] += 100
    document["metrics"]["hybrid_exposure"] = 80
    del document["servers"]["old01"]
    (tmp_path / "old.json").write_text(plan_to_json(old), encoding="utf-8")
    (tmp_path / "new.json").write_text(dump_document(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", "diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")])
    assert result.exit_code == 0, result.output
    for expected in ("moved wave: 1", "epic-tst-app01: wave 1 → 2", "removed: 1", "old01 (wave none)",
                     "dc01: rehost → replatform", "epic-prd-db01: Standard_D4s_v5 → Standard_E16s_v5",
                     "wave 2: $1,334.57 → $1,434.57 (+$100.00)",
                     "total monthly cost: $1,534.57 → $1,634.57 (+$100.00)",
                     "hybrid exposure H: 95 → 80 (-15)"):
        assert expected in result.output
    data = json.loads(CliRunner().invoke(main, ["plan", "diff", str(tmp_path / "old.json"),
                                                str(tmp_path / "new.json"), "--format", "json"]).output)
    assert data["moved"] == [{"server": "epic-tst-app01", "old_wave": 1, "new_wave": 2}]
    assert data["cost_by_wave"][2] == {"wave": 2, "old": 1334.57, "new": 1434.57, "delta": 100.0}


def test_diff_refuses_a_file_that_is_not_a_plan(tmp_path):
    (tmp_path / "a.json").write_text('{"schema": "something/v9"}', encoding="utf-8")
    (tmp_path / "b.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", "diff", str(tmp_path / "a.json"), str(tmp_path / "a.json")])
    assert result.exit_code == 2 and "is not a carelift plan" in result.output
    result = CliRunner().invoke(main, ["plan", "diff", str(tmp_path / "b.json"), str(tmp_path / "a.json")])
    assert result.exit_code == 2 and "is not JSON: line 1" in result.output


def test_show_without_a_plan_or_an_inventory_exits_2(tmp_path):
    result = invoke(tmp_path / "none", "plan", "show")
    assert result.exit_code == 2 and "no inventory" in result.output
    Workspace.open(tmp_path / "empty").close()
    result = invoke(tmp_path / "empty", "plan", "show")
    assert result.exit_code == 2 and "no plan in the workspace yet" in result.output
    result = invoke(tmp_path / "empty", "plan")
    assert result.exit_code == 2 and "holds no servers" in result.output


def test_an_out_file_in_a_missing_directory_fails_before_planning(stored, tmp_path):
    result = invoke(stored, "plan", "--out", str(tmp_path / "missing" / "plan.json"))
    assert result.exit_code == 2 and "does not exist" in result.output
    with Workspace.open(stored) as ws:
        assert len(ws.plans()) == 1


def test_group_options_do_not_apply_to_subcommands(stored):
    result = invoke(stored, "plan", "--relax", "show")
    assert result.exit_code == 2 and "belong to `carelift plan` itself" in result.output


def test_bad_settings_exit_2_naming_every_key(stored, tmp_path):
    bad = tmp_path / "settings.yaml"
    bad.write_text("wave: {max_servers: 0}\ncolour: red\ncutover_window: {weekday: caturday}\n", encoding="utf-8")
    result = invoke(stored, "plan", "--settings", str(bad))
    assert result.exit_code == 2
    assert "3 problem(s) in the plan settings" in result.output
    for key in ("wave.max_servers", "colour: is not a known setting", "cutover_window.weekday"):
        assert key in result.output
    result = invoke(stored, "plan", "--settings", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "does not exist" in result.output


# -- end to end on the shipped sample estate -----------------------------------------------------

@pytest.fixture(scope="module")
def sample_workspace(tmp_path_factory) -> Path:
    """The shipped 400-server sample estate imported as the README says: inventory, mapping, dependencies."""
    directory = tmp_path_factory.mktemp("sample") / "ws"
    estate = sample_estate()
    for args in (("inventory", "import", str(estate / RVTOOLS), str(estate / AZURE_MIGRATE)),
                 ("inventory", "import", str(estate / MAPPING)),
                 ("deps", "import", str(estate / DEPENDENCIES))):
        result = invoke(directory, *args)
        assert result.exit_code == 0, result.output
    return directory


@pytest.mark.slow
def test_the_sample_estates_interface_engine_is_a_hub_the_summary_and_explain_say_so(sample_workspace, tmp_path):
    result = invoke(sample_workspace, "plan", "--relax", "--out", str(tmp_path / "hub.json"))
    assert result.exit_code == 0, result.output
    assert "hub servers planned like any application" in result.output
    # The sample's dependency export covers three days in 2025: both window warnings, and they say so.
    assert "warning: the dependency data covers 3 days" in result.output
    document = json.loads((tmp_path / "hub.json").read_text(encoding="utf-8"))
    engine = document["servers"]["hl7-prd-eng01"]
    assert engine["service_kind"] == "hub" and engine["shared_service"] is None
    assert engine["wave"] >= document["settings"]["tier0_not_before_wave"]
    explained = invoke(sample_workspace, "plan", "explain", "hl7-prd-eng01")
    assert "hub, planned like any application under every rule" in explained.output
    assert "extended infrastructure" not in explained.output.split("move group")[0]


@pytest.mark.slow
def test_plan_end_to_end_on_the_sample_estate(sample_workspace, tmp_path):
    # The sample's Citrix farm is one move group larger than a default wave: --relax splits it.
    result = invoke(sample_workspace, "plan", "--relax", "--out", str(tmp_path / "a.json"))
    assert result.exit_code == 0, result.output
    assert "servers" in result.output and "hybrid exposure H =" in result.output
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["schema"] == "carelift.plan/v1"
    assert len(document["servers"]) == 400
    assert document["pricing"]["region"] == "eastus2" and document["pricing"]["snapshot_date"]

    # Every planned server is in exactly one wave, and the waves hold nothing else.
    in_waves = [name for wave in document["waves"] for name in wave["servers"]]
    assert len(in_waves) == len(set(in_waves))
    planned = {name for name, s in document["servers"].items() if s["wave"] is not None}
    assert set(in_waves) == planned
    for wave in document["waves"]:
        grouped = sorted(s for g in wave["move_groups"] for s in g["servers"])
        assert grouped == sorted(wave["servers"])
        assert all(document["servers"][s]["wave"] == wave["number"] for s in wave["servers"])
    excluded = {name for name, s in document["servers"].items() if s["wave"] is None}
    assert all(document["servers"][s]["strategy"] in ("retire", "retain") for s in excluded)

    # Capacities of the default settings hold from wave 1 on; cutovers are in time order.
    for wave in document["waves"]:
        if wave["number"] > 0:
            assert wave["metrics"]["servers"] <= 40 and wave["metrics"]["vcpu"] <= 320
            assert wave["metrics"]["tier0_cutovers"] <= 1
    moments = [datetime.fromisoformat(w["cutover"]) for w in document["waves"]]
    assert moments == sorted(moments)
    assert document["metrics"]["monthly_cost"] == pytest.approx(
        sum(s["monthly_cost"] for s in document["servers"].values()), abs=0.01)
    assert document["metrics"]["monthly_cost"] == pytest.approx(
        sum(w["metrics"]["monthly_cost"] for w in document["waves"]), abs=0.01)
    links = document["crossing_links"]
    assert document["metrics"]["hybrid_exposure"] == sum(
        c["weight"] * abs(c["source_wave"] - c["destination_wave"]) for c in links)
    for wave in document["waves"]:
        n = wave["number"]
        hybrid = [c for c in links if min(c["source_wave"], c["destination_wave"]) <= n
                  < max(c["source_wave"], c["destination_wave"])]
        assert wave["metrics"]["crossing_links"] == sum(n in (c["source_wave"], c["destination_wave"]) for c in links)
        assert wave["metrics"]["hybrid_links_after_cutover"] == len(hybrid)
        assert wave["metrics"]["hybrid_weight_after_cutover"] == sum(c["weight"] for c in hybrid)

    # Same inventory, same settings: byte-identical JSON; the workspace keeps every run.
    assert invoke(sample_workspace, "plan", "--relax", "--out", str(tmp_path / "b.json")).exit_code == 0
    assert (tmp_path / "b.json").read_bytes() == text.encode("utf-8")
    with Workspace.open(sample_workspace) as ws:
        assert len(ws.plans()) >= 2
        assert ws.latest_plan().plan_json == text

    # show and explain read the stored plan.
    result = invoke(sample_workspace, "plan", "show")
    assert result.exit_code == 0, result.output
    assert "Foundation" in result.output and "Pilot" in result.output
    server = "ehr-prd-odb01"
    result = invoke(sample_workspace, "plan", "explain", server)
    assert result.exit_code == 0, result.output
    wave = document["servers"][server]["wave"]
    for expected in (f"wave {wave} (", f"move group {document['servers'][server]['move_group']}:",
                     "strategy: rehost", "readiness:", f"size: {document['servers'][server]['target_sku']}",
                     "monthly cost: $"):
        assert expected in result.output

    # Smaller waves move servers: diff says which and what it costs.
    settings = tmp_path / "small.yaml"
    settings.write_text("wave: {max_servers: 15}\n", encoding="utf-8")
    result = invoke(sample_workspace, "plan", "--relax", "--settings", str(settings), "--out", str(tmp_path / "c.json"))
    assert result.exit_code == 0, result.output
    result = invoke(sample_workspace, "plan", "diff", str(tmp_path / "a.json"), str(tmp_path / "c.json"),
                    "--format", "json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)
    assert changes["moved"] and changes["waves"]["new"] > changes["waves"]["old"]
    assert changes["monthly_cost"]["delta"] == 0.0
    smaller = json.loads((tmp_path / "c.json").read_text())
    assert smaller["inputs"]["inventory"] == document["inputs"]["inventory"]
    assert smaller["inputs"]["settings"] != document["inputs"]["settings"]
    result = invoke(sample_workspace, "plan", "diff", str(tmp_path / "a.json"), str(tmp_path / "c.json"))
    assert "moved wave:" in result.output and "total monthly cost:" in result.output


def test_an_infeasible_plan_exits_2_naming_constraints_and_servers(sample_workspace, tmp_path):
    settings = tmp_path / "tiny.yaml"
    settings.write_text("wave: {max_servers: 1}\n", encoding="utf-8")
    with Workspace.open(sample_workspace) as ws:
        before = len(ws.plans())
    result = invoke(sample_workspace, "plan", "--settings", str(settings), "--out", str(tmp_path / "x.json"))
    assert result.exit_code == 2
    assert "the plan is infeasible" in result.output and "--relax" in result.output
    assert "wave.max_servers" in result.output and "[servers: " in result.output
    assert not (tmp_path / "x.json").exists()
    with Workspace.open(sample_workspace) as ws:
        assert len(ws.plans()) == before


def test_overrides_and_region_problems_exit_2(sample_workspace, tmp_path):
    (tmp_path / "overrides.yaml").write_text("- {server: no-such-server, strategy: retire, reason: gone}\n",
                                             encoding="utf-8")
    (tmp_path / "settings.yaml").write_text("overrides: overrides.yaml\n", encoding="utf-8")
    result = invoke(sample_workspace, "plan", "--settings", str(tmp_path / "settings.yaml"))
    assert result.exit_code == 2
    assert "problem(s) in the strategy overrides" in result.output and "no-such-server" in result.output
    (tmp_path / "settings.yaml").write_text("overrides: missing.yaml\n", encoding="utf-8")
    result = invoke(sample_workspace, "plan", "--settings", str(tmp_path / "settings.yaml"))
    assert result.exit_code == 2 and "does not exist" in result.output
    (tmp_path / "settings.yaml").write_text("region: atlantis\n", encoding="utf-8")
    result = invoke(sample_workspace, "plan", "--settings", str(tmp_path / "settings.yaml"))
    assert result.exit_code == 2 and "atlantis" in result.output


@pytest.mark.slow
def test_an_override_is_recorded_in_the_plan(sample_workspace, tmp_path):
    (tmp_path / "overrides.csv").write_text("server,strategy,reason\nehr-prd-odb01,retain,stays with the lab\n",
                                            encoding="utf-8")
    (tmp_path / "settings.yaml").write_text("overrides: overrides.csv\n", encoding="utf-8")
    result = invoke(sample_workspace, "plan", "--relax", "--settings", str(tmp_path / "settings.yaml"),
                    "--out", str(tmp_path / "o.json"))
    assert result.exit_code == 0, result.output
    server = json.loads((tmp_path / "o.json").read_text())["servers"]["ehr-prd-odb01"]
    assert (server["strategy"], server["strategy_overridden"], server["wave"]) == ("retain", True, None)
    assert "stays with the lab" in server["strategy_rule"]
    assert json.loads((tmp_path / "o.json").read_text())["inputs"]["overrides"]["sha256"]


@pytest.mark.slow
def test_the_plan_does_not_depend_on_the_hash_seed(sample_workspace, tmp_path):
    """Set and dict order must not leak into the plan: two processes with different hash seeds agree."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.json"
        subprocess.run([sys.executable, "-c", "from migrate.cli import main; main()", "--workspace",
                        str(sample_workspace), "plan", "--relax", "--out", str(out)],
                       env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


# -- the README's "Migration plan" section -------------------------------------------------------

def readme_plan_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("## Migration plan"):readme.index("## Repository layout")]


def test_readme_documents_every_setting():
    section = readme_plan_section()
    table = section[section.index("**Settings**"):section.index("```yaml")]
    documented = set(re.findall(r"^\| `([a-z_.0-9]+)` \|", table, re.M))
    expected = {f.name for f in fields(PlanSettings) if f.name != "wave"}
    expected |= {f"wave.{f.name}" for f in fields(WaveLimits)}
    assert documented == expected


@pytest.mark.slow
def test_readme_example_settings_and_overrides_plan_the_sample_estate(sample_workspace, tmp_path):
    settings, overrides = re.findall(r"```yaml\n(.*?)```", readme_plan_section(), re.S)
    (tmp_path / "plan.yaml").write_text(settings, encoding="utf-8")
    (tmp_path / "overrides.yaml").write_text(overrides, encoding="utf-8")
    result = invoke(sample_workspace, "plan", "--relax", "--settings", str(tmp_path / "plan.yaml"),
                    "--out", str(tmp_path / "plan.json"))
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert document["settings"]["pricing"]["option"] == "ri3y"
    assert document["applications"]["Time and Attendance"]["strategy"] == "repurchase"
    assert document["waves"][0]["cutover"] == "2027-02-06T22:00:00-06:00"


# -- one CLI surface (issue 11 section 7) --------------------------------------------------------

def test_table_is_the_human_format_and_text_still_means_it(stored, tmp_path):
    for args in (("plan", "explain", "epic-prd-db01"), ("plan", "show")):
        default = invoke(stored, *args)
        assert default.exit_code == 0, default.output
        assert invoke(stored, *args, "--format", "table").output == default.output
        if args[1] == "explain":  # `text` was explain's (and diff's) name for it
            assert invoke(stored, *args, "--format", "text").output == default.output
    (tmp_path / "p.json").write_text(plan_to_json(sample_plan()), encoding="utf-8")
    diff = ("plan", "diff", str(tmp_path / "p.json"), str(tmp_path / "p.json"))
    assert invoke(stored, *diff, "--format", "text").output == invoke(stored, *diff, "--format", "table").output
    assert "table" in invoke(stored, "plan", "explain", "--help").output
    assert "text" not in invoke(stored, "plan", "diff", "--help").output.split("--format")[1].split("\n")[0]


def test_output_is_spelled_o_or_output_and_out_still_works_unadvertised(stored, tmp_path):
    for spelling in ("-o", "--output", "--out"):
        path = tmp_path / f"plan{spelling}.json"
        result = invoke(stored, "plan", "export", spelling, str(path))
        assert result.exit_code == 0, result.output
        assert path.read_text(encoding="utf-8") == plan_to_json(sample_plan())
    for command in (("plan", "--help"), ("plan", "export", "--help"), ("plan", "runbook", "--help"),
                    ("plan", "landing", "--help"), ("plan", "report", "--help")):
        shown = invoke(stored, *command).output
        assert "-o, --output" in shown and "--out " not in shown, command
