"""Issue 10 through the real commands: every writer follows one output rule, every file option reads a
regular file within a size cap, and hostile inventory text reaches the terminal as text.

No test needs root: a symlink and a FIFO in tmp_path, /dev/zero to read and /dev/full to write."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.inventory.store import Workspace
from migrate.planning.plan import plan_to_json
from tests.conftest import STACKS
from tests.migrate.planning.test_plan import sample_plan

DEV = str(STACKS / "Pulumi.dev.yaml")
ARM = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
       "contentVersion": "1.0.0.0",
       "resources": [{"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-one",
                      "location": "eastus2", "properties": {"enableRbacAuthorization": True}}]}


def run(*args: str, workspace=None):
    prefix = ["--workspace", str(workspace)] if workspace else []
    return CliRunner().invoke(main, [*prefix, *args])


def one_line_exit_2(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    error = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error) == 1, result.output
    for word in words:
        assert word in result.output, result.output


@pytest.fixture
def link(tmp_path):
    """A symlink to a precious file outside the output's directory."""
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    path = tmp_path / "out" / "report"
    path.parent.mkdir()
    path.symlink_to(precious)
    yield path
    assert precious.read_text() == "keep me\n"


@pytest.fixture
def arm_file(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps(ARM), encoding="utf-8")
    return path


@pytest.fixture
def stored(tmp_path):
    """A workspace holding one plan (for `plan export`)."""
    directory = tmp_path / "ws"
    text = plan_to_json(sample_plan())
    with Workspace.open(directory) as ws:
        ws.save_plan(text, hashlib.sha256(text.encode()).hexdigest(), "2026-11-27T09:00:00Z")
    return directory


# -- outputs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["audit", "--arm", "{arm}", "-o", "{link}"],
    ["audit", "--arm", "{arm}", "--format", "json", "-o", "{link}"],
    ["infra", "render", "-s", DEV, "-o", "{link}"],
    ["infra", "export-arm", "-s", DEV, "-o", "{link}"],
    ["plan", "--out", "{link}"],
    ["plan", "export", "-o", "{link}"],
    ["inventory", "list", "--format", "csv", "-o", "{link}"],
], ids=["audit-table", "audit-json", "render", "export-arm", "plan", "plan-export", "inventory-list"])
def test_every_writer_refuses_a_symlink(command, link, arm_file, stored):
    args = [part.format(arm=arm_file, link=link) for part in command]
    one_line_exit_2(run(*args, workspace=stored), "symbolic link", str(link))


def test_the_evidence_directory_refuses_a_symlink_saying_so(tmp_path, arm_file):
    (tmp_path / "real").mkdir()
    (tmp_path / "evidence").symlink_to(tmp_path / "real")
    one_line_exit_2(run("audit", "--arm", str(arm_file), "--evidence", str(tmp_path / "evidence")), "symbolic link")
    assert list((tmp_path / "real").iterdir()) == []


def test_writers_write_through_a_fifo_and_standard_output(tmp_path, stored):
    result = run("plan", "export", "-o", "-", workspace=stored)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["schema"] == "carelift.plan/v1"
    assert "written to -" in result.stderr
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert run("plan", "export", "-o", str(fifo), workspace=stored).exit_code == 0
    assert json.loads(reader.communicate(timeout=10)[0])["schema"] == "carelift.plan/v1"


def test_a_full_device_is_one_line_exit_2(stored):
    one_line_exit_2(run("plan", "export", "-o", "/dev/full", workspace=stored), "No space left on device")


def test_plan_out_that_cannot_be_written_stores_no_plan(tmp_path):
    workspace = tmp_path / "ws"
    inventory = tmp_path / "servers.csv"
    inventory.write_text("name,cores,memory_mb,os,environment,tier\napp01,4,8192,Windows Server 2019,prd,2\n"
                         "db01,8,16384,Red Hat Enterprise Linux 8,prd,1\n", encoding="utf-8")
    assert run("inventory", "import", str(inventory), workspace=workspace).exit_code == 0
    one_line_exit_2(run("plan", "--out", "/dev/full", workspace=workspace), "No space left on device")
    assert "no plan in the workspace" in run("plan", "show", workspace=workspace).output
    result = run("plan", "--out", "-", workspace=workspace)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema"] == "carelift.plan/v1"  # the summary went to standard error
    assert "plan 1:" in result.stderr


def test_the_evidence_bundle_holds_the_inputs_hashed_in_the_manifest(tmp_path, arm_file):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("[]\n", encoding="utf-8")
    target = tmp_path / "evidence"
    old = os.umask(0)
    try:
        result = run("audit", "--arm", str(arm_file), "--waivers", str(waivers), "--evidence", str(target))
    finally:
        os.umask(old)
    assert result.exit_code in (0, 1), result.output
    assert (target / "input.json").read_bytes() == arm_file.read_bytes()
    assert (target / "waivers.yaml").read_bytes() == waivers.read_bytes()
    recorded = json.loads((target / "inputs.json").read_text())["inputs"]
    assert [(i["role"], i["path"], i["sha256"]) for i in recorded] == [
        ("input", str(arm_file), hashlib.sha256(arm_file.read_bytes()).hexdigest()),
        ("waivers", str(waivers), hashlib.sha256(waivers.read_bytes()).hexdigest())]
    manifest = (target / "MANIFEST.sha256").read_text()
    assert f"{hashlib.sha256(arm_file.read_bytes()).hexdigest()}  input.json" in manifest
    assert os.stat(target).st_mode & 0o777 == 0o700
    assert {os.stat(p).st_mode & 0o777 for p in target.iterdir()} == {0o600}
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--strict", "--quiet", "MANIFEST.sha256"], cwd=target, check=True)


# -- inputs -------------------------------------------------------------------------------------

@pytest.fixture
def fifo(tmp_path):
    """A FIFO nobody writes to: reading it with open() would block forever."""
    path = tmp_path / "input.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", [
    ["plan", "--settings", "{special}"],
    ["audit", "--arm", "{special}"],
    ["audit", "--stack", DEV, "--waivers", "{special}"],
    ["infra", "validate", "-s", "{special}"],
    ["plan", "diff", "{special}", "{special}"],
], ids=["settings", "arm", "waivers", "stack", "plan-diff"])
@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_file_options_refuse_what_is_not_a_regular_file(command, special, request, tmp_path):
    path = request.getfixturevalue("fifo") if special == "fifo" else "/dev/zero"
    if special == "/dev/zero" and command[0] == "infra":
        pytest.skip("a stack is named by a .yaml path or a stack name")
    args = [part.format(special=path) for part in command]
    result = run(*args, workspace=tmp_path / "ws")
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output and str(path) in result.output


@pytest.mark.parametrize("command", [["inventory", "import"], ["deps", "import"]])
@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_inventory_and_dependency_imports_refuse_special_files(command, special, request, tmp_path):
    path = request.getfixturevalue("fifo") if special == "fifo" else "/dev/zero"
    result = run(*command, str(path), workspace=tmp_path / "ws")
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output and "nothing was imported" in result.output


def test_a_settings_file_over_the_size_cap_is_refused(tmp_path, monkeypatch):
    settings = tmp_path / "settings.yaml"
    settings.write_text("# " + "x" * (2 * 1024 * 1024) + "\n")
    monkeypatch.setenv("CARELIFT_MAX_INPUT_MB", "1")
    result = run("plan", "--settings", str(settings), workspace=tmp_path / "ws")
    assert result.exit_code == 2 and "over the 1.0 MB limit" in result.output


# -- problem lists and terminal text -------------------------------------------------------------

def test_a_capped_problem_list_reports_its_true_total(tmp_path):
    inventory = tmp_path / "servers.csv"
    inventory.write_text("name,cores\n" + "".join(f"srv{n},many\n" for n in range(1, 301)), encoding="utf-8")
    result = run("inventory", "import", str(inventory), workspace=tmp_path / "ws")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "error: 300 problem(s) in the input; nothing was imported"
    assert result.output.splitlines()[-1] == "  … 300 problems in all; first 50 shown"


def test_hostile_inventory_text_is_printed_as_text(tmp_path):
    # YAML's double-quoted escapes are how control characters get past the text importers' binary check.
    inventory = tmp_path / "servers.yaml"
    inventory.write_text('servers:\n  - name: app01\n    cores: 4\n'
                         '    os: "\\e[2J[/]win"\n'
                         '    owner: "\\e]0;pwned\\a[bold red]owner[/] \\e[2J"\n', encoding="utf-8")
    workspace = tmp_path / "ws"
    assert run("inventory", "import", str(inventory), workspace=workspace).exit_code == 0
    for args in (["inventory", "list"], ["inventory", "show", "app01"]):
        result = run(*args, workspace=workspace)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "[/]win" in result.output  # data, not markup (nor a MarkupError)
    assert "[bold red]owner[/]" in run("inventory", "show", "app01", workspace=workspace).output
    result = run("inventory", "show", "x" * 10_000 + "\x1b[2J", workspace=workspace)
    assert result.exit_code == 2 and "\x1b" not in result.output
    assert max(len(line) for line in result.output.splitlines()) < 300


def test_inventory_list_writes_its_export_to_a_file(tmp_path):
    inventory = tmp_path / "servers.csv"
    inventory.write_text("name,cores,owner\napp01,4,=cmd()\n", encoding="utf-8")
    workspace = tmp_path / "ws"
    assert run("inventory", "import", str(inventory), workspace=workspace).exit_code == 0
    export = tmp_path / "export.csv"
    result = run("inventory", "list", "--format", "csv", "-o", str(export), workspace=workspace)
    assert result.exit_code == 0 and result.output == ""
    assert export.read_text(encoding="utf-8").splitlines()[1].startswith("app01,")
    assert os.stat(export).st_mode & 0o777 == 0o600
    assert run("inventory", "list", "-o", str(tmp_path / "table.txt"), workspace=workspace).exit_code == 0
    assert "\x1b" not in (tmp_path / "table.txt").read_text() and "app01" in (tmp_path / "table.txt").read_text()


def test_the_evidence_bundle_holds_the_parameters_file_too(tmp_path, arm_file):
    parameters = tmp_path / "prod.parameters.json"
    parameters.write_text('{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/'
                          'deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {}}\n')
    target = tmp_path / "evidence"
    result = run("audit", "--arm", str(arm_file), "--parameters", str(parameters), "--evidence", str(target))
    assert result.exit_code in (0, 1), result.output
    assert (target / "parameters.json").read_bytes() == parameters.read_bytes()
    roles = [i["role"] for i in json.loads((target / "inputs.json").read_text())["inputs"]]
    assert roles == ["input", "parameters"]


def test_estate_generate_refuses_a_linked_directory_or_file(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    one_line_exit_2(run("estate", "generate", "-n", "60", "--out", str(tmp_path / "linked")), "symbolic link")
    out = tmp_path / "estate"
    out.mkdir()
    (tmp_path / "precious.csv").write_text("keep\n")
    (out / "azure-migrate-import.csv").symlink_to(tmp_path / "precious.csv")
    one_line_exit_2(run("estate", "generate", "-n", "60", "--out", str(out)), "symbolic link")
    assert (tmp_path / "precious.csv").read_text() == "keep\n" and list((tmp_path / "real").iterdir()) == []


def test_a_flood_of_import_warnings_is_capped_with_its_total(tmp_path, monkeypatch):
    from migrate.inventory import dependencies
    from migrate.inventory.model import ParsedFile

    export = tmp_path / "deps.csv"
    export.write_text("source,destination,port\n", encoding="utf-8")
    flood = tuple(f"row {n}: odd \x1b[2J value" for n in range(2, 80_002))
    monkeypatch.setattr(dependencies, "parse_dependency_file",
                        lambda path, fmt: ParsedFile(path=str(path), format="csv", warnings=flood))
    result = run("deps", "import", str(export), workspace=tmp_path / "ws")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 51 and warnings[-1].endswith("… 80,000 warnings in all; first 50 shown")
    assert "\x1b" not in result.stderr
