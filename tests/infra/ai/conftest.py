"""Shared register fixtures: the realistic register in register.yaml, parsed by the stack config's reader."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest
import yaml

from infra.ai.register import DeploymentFacts, parse_use_cases
from infra.config import _Reader

HERE = Path(__file__).parent
TODAY = datetime.date(2026, 12, 6)


@pytest.fixture
def raw_register() -> dict:
    return copy.deepcopy(yaml.safe_load((HERE / "register.yaml").read_text(encoding="utf-8")))


def deployments_of(raw: dict) -> dict[str, DeploymentFacts]:
    return {d["name"]: DeploymentFacts(d["name"], d["model"], d["version"], d["sku"], d["capacity"])
            for d in raw["deployments"]}


def parse(raw: dict) -> tuple[tuple, list[str]]:
    """(use cases, problems as 'key: message' lines)."""
    reader = _Reader()
    use_cases = parse_use_cases(reader, raw["useCases"], "openai.useCases", deployments_of(raw))
    return use_cases, [str(issue) for issue in reader.issues]
