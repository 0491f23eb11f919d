"""The repository's promises to a fresh machine: README quick start, CI, Pulumi project file."""

from __future__ import annotations

import re

import yaml

from infra.config import TOP_LEVEL_KEYS
from tests.conftest import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```(?:sh|bash)\n(.*?)```", readme, re.S)
    assert block, "README.md needs a Quick start section with a shell block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_readme_quick_start_is_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "carelift" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_pulumi_project_declares_every_config_key():
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python"
    assert project["main"] == "infra/"
    assert project["stackConfigDir"] == "stacks"
    assert set(project["config"]) == set(TOP_LEVEL_KEYS)
    for key, spec in project["config"].items():
        assert spec.get("description"), f"config key {key} lacks a description"


def test_stack_files_use_only_declared_keys():
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text(encoding="utf-8"))
    for path in (REPO / "stacks").glob("Pulumi.*.yaml"):
        keys = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]
        ours = {k.split(":", 1)[1] for k in keys if k.startswith("carelift:")}
        assert ours <= set(project["config"]), path.name
