"""Shared fixtures: offline renders of the real stacks, and copies of stack files to mutate."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent
STACKS = REPO / "stacks"

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (or pytest's --hypothesis-profile): "dev", the default,
# runs a fifth of the examples so a local run stays quick; "ci" (.ci/run exports it) runs every property
# test's full count, as written in the test. A failure CI finds prints the blob that replays it.
settings.register_profile("ci", parent=settings.get_profile("default"), print_blob=True)
settings.register_profile("dev", parent=settings.get_profile("default"),
                          max_examples=settings.get_profile("default").max_examples // 5, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def examples(count: int) -> int:
    """A property test's max_examples: `count` under the "ci" profile (Hypothesis's default of 100
    examples), scaled with the loaded profile's example count otherwise ("dev": a fifth, at least 2)."""
    ci = settings.get_profile("ci").max_examples
    return count if settings().max_examples >= ci else max(2, count * settings().max_examples // ci)

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
