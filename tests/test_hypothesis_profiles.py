"""The Hypothesis profiles of tests/conftest.py: a quick "dev" run locally, every example in CI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import settings

from tests.conftest import REPO, examples


@pytest.fixture
def profile():
    """Load a profile for one test, then put back the one the run started with."""
    before = settings.get_current_profile_name()
    yield settings.load_profile
    settings.load_profile(before)


def test_ci_runs_each_property_test_at_its_own_count(profile):
    profile("ci")
    assert [examples(n) for n in (5, 25, 60, 80)] == [5, 25, 60, 80]


def test_dev_runs_a_fifth_without_a_deadline(profile):
    profile("dev")
    assert [examples(n) for n in (5, 25, 60, 80)] == [2, 5, 12, 16]
    assert settings().deadline is None


def test_the_profile_comes_from_the_environment_and_defaults_to_dev():
    probe = "import tests.conftest; from hypothesis import settings; print(settings().max_examples)"

    def max_examples(**env: str) -> int:
        environment = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_PROFILE"} | env
        run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=environment, capture_output=True,
                             text=True, check=True)
        return int(run.stdout)

    assert max_examples() == 20
    assert max_examples(HYPOTHESIS_PROFILE="ci") == 100


def test_ci_exports_the_ci_profile_before_the_tests():
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    export = next(i for i, line in enumerate(lines) if line.startswith("export HYPOTHESIS_PROFILE=ci"))
    assert export < lines.index("python -m pytest -q")
