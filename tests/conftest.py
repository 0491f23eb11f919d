"""Shared fixtures: offline renders of the real stacks, and copies of stack files to mutate."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
STACKS = REPO / "stacks"

# The AI register is judged on a day (review dates, model retirements): the suite judges the shipped
# stacks as of the day they were last reviewed, so it gives the same answers next year.
os.environ.setdefault("CARELIFT_AS_OF", "2026-12-06")


@pytest.fixture(scope="session")
def prod_rendering():
    from infra.render import render_stack_file

    return render_stack_file(STACKS / "Pulumi.prod.yaml")


@pytest.fixture(scope="session")
def dev_rendering():
    from infra.render import render_stack_file

    return render_stack_file(STACKS / "Pulumi.dev.yaml")


@pytest.fixture(params=["prod", "dev"])
def rendering(request, prod_rendering, dev_rendering):
    """Each test using this runs against both stacks: same posture, different sizes."""
    return {"prod": prod_rendering, "dev": dev_rendering}[request.param]


def load_stack(stack: str = "prod") -> dict[str, Any]:
    return yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def stack_copy(tmp_path) -> Callable[..., Path]:
    """Write a mutated copy of a stack file: ``stack_copy(lambda cfg: ..., stack="prod")``.

    The callable receives the ``config:`` mapping (keys like ``carelift:network``) to edit in place.
    """

    def make(mutate: Callable[[dict[str, Any]], None], stack: str = "prod") -> Path:
        document = copy.deepcopy(load_stack(stack))
        mutate(document["config"])
        path = tmp_path / f"Pulumi.{stack}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path

    return make
