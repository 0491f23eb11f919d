"""Planning as a service (migrate.planning.service): inputs read, a plan computed, plan files read
and compared, with the errors the CLI prints (their titles say what the CLI used to add)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from migrate.planning.assess import OverridesError
from migrate.planning.document import plan_document, plan_sections, plan_to_json
from migrate.planning.model import InfeasiblePlan
from migrate.planning.service import (ComputedPlan, PlanFileError, PlanInputs, PricingError, compute_plan,
                                      diff_files, load_inputs, read_plan_file)
from migrate.planning.settings import PlanSettings, SettingsError, parse_settings
from tests.migrate.planning.test_plan import APPLICATIONS, DEPENDENCIES, SERVERS, sample_plan


def compute(settings: dict | None = None, **options) -> ComputedPlan:
    return compute_plan(SERVERS, APPLICATIONS, DEPENDENCIES, PlanInputs(parse_settings(settings or {})), **options)


# -- inputs ----------------------------------------------------------------------------------

def test_without_a_settings_file_every_default_and_no_overrides():
    assert load_inputs(None) == PlanInputs(PlanSettings(), None)


def test_the_overrides_the_settings_name_are_read(tmp_path):
    (tmp_path / "overrides.yaml").write_text("- {server: old01, strategy: retain, reason: lab kit}\n")
    (tmp_path / "settings.yaml").write_text(f"overrides: {tmp_path / 'overrides.yaml'}\n")
    inputs = load_inputs(tmp_path / "settings.yaml")
    assert [(o.server, o.strategy) for o in inputs.overrides.entries] == [("old01", "retain")]


def test_bad_settings_and_bad_overrides_are_titled_as_the_cli_prints_them(tmp_path):
    (tmp_path / "bad.yaml").write_text("colour: red\n")
    with pytest.raises(SettingsError) as caught:
        load_inputs(tmp_path / "bad.yaml")
    assert caught.value.title == f"1 problem(s) in the plan settings {tmp_path / 'bad.yaml'}"
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("- {server: old01, strategy: teleport, reason: x}\n")
    (tmp_path / "settings.yaml").write_text(f"overrides: {overrides}\n")
    with pytest.raises(OverridesError) as caught:
        load_inputs(tmp_path / "settings.yaml")
    assert caught.value.title == f"1 problem(s) in the strategy overrides {overrides}"
    assert "teleport" in caught.value.lines()[0]


# -- computing -------------------------------------------------------------------------------

def test_the_computed_plan_is_its_json_its_sections_and_their_digest():
    computed = compute()
    assert computed.text == plan_to_json(computed.plan)
    assert computed.sections["metrics"] == plan_sections(computed.plan)["metrics"]
    assert computed.digest == hashlib.sha256(computed.text.encode()).hexdigest()
    assert compute().text == computed.text  # same inputs, same bytes


def test_progress_is_shown_while_the_planner_runs():
    shown = []

    class Spinner:
        def __init__(self, message):
            shown.append(message)

        def __enter__(self):
            shown.append("started")

        def __exit__(self, *exc):
            shown.append("stopped")

    compute(progress=Spinner)
    assert shown == ["planning 5 servers and 5 dependencies", "started", "stopped"]


def test_an_infeasible_plan_says_whether_relax_would_help():
    with pytest.raises(InfeasiblePlan) as caught:
        compute({"wave": {"max_servers": 1}})
    assert caught.value.title == ("the plan is infeasible: 1 constraint(s) cannot be met (--relax splits move groups "
                                  "larger than a wave)")
    assert "move group epic-prd is larger than a wave" in caught.value.lines()[0]


def test_overrides_naming_a_server_the_inventory_lacks_are_titled_with_their_file(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text("- {server: nosuch01, strategy: retire, reason: gone}\n")
    inputs = load_inputs(_settings_naming(tmp_path, path))
    with pytest.raises(OverridesError) as caught:
        compute_plan(SERVERS, APPLICATIONS, DEPENDENCIES, inputs)
    assert caught.value.title == f"1 problem(s) in the strategy overrides {path}"
    assert "nosuch01" in caught.value.lines()[0]


def _settings_naming(tmp_path: Path, overrides: Path) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(f"overrides: {overrides}\n")
    return path


def test_a_region_without_prices_is_a_pricing_error_naming_the_region():
    with pytest.raises(PricingError) as caught:
        compute({"region": "westeurope"})
    assert caught.value.title == "cannot price the plan (settings region: westeurope)"
    assert caught.value.lines() == ["no price snapshot for region 'westeurope': carelift ships centralus, eastus2, "
                                    "westus2 (migrate/data/prices/<region>.yaml)"]


# -- plan files ------------------------------------------------------------------------------

def test_a_plan_file_reads_back_as_its_document(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(plan_to_json(sample_plan()), encoding="utf-8")
    assert read_plan_file(path) == json.loads(json.dumps(plan_document(sample_plan())))


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not JSON: line 1, column 2"),
    ('{"schema": "something/v9"}', "is not a carelift plan (expected \"schema\": \"carelift.plan/v1\", "
                                   "found 'something/v9')"),
    ("[1, 2]", "found 'list'"),
])
def test_a_file_that_is_not_a_plan_is_refused_with_why(tmp_path, content, message):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    assert caught.value.title.startswith(str(path)) and message in caught.value.title


def test_a_missing_plan_file_is_a_plan_file_error(tmp_path):
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(tmp_path / "missing.json")
    assert caught.value.title.startswith(f"cannot read {tmp_path / 'missing.json'}: ")


def test_diff_files_compares_two_plan_files_and_names_the_first_bad_one(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(plan_to_json(sample_plan()), encoding="utf-8")
    document = plan_document(sample_plan())
    document["servers"]["epic-tst-app01"]["wave"] = 2
    new.write_text(json.dumps(document), encoding="utf-8")
    assert diff_files(old, new)["moved"] == [{"server": "epic-tst-app01", "old_wave": 1, "new_wave": 2}]
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(PlanFileError, match="bad.json is not a carelift plan"):
        diff_files(tmp_path / "bad.json", tmp_path / "missing.json")
