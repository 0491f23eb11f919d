"""migrate.inventory.tables.problems: the problem list both readers fill."""

from __future__ import annotations

import pytest

from migrate.inventory.dependencies.common import FileProblems
from migrate.inventory.model import InputError, Problem
from migrate.inventory.tables.problems import LIMIT, Problems


def test_problems_keep_the_first_two_hundred_and_count_the_rest():
    problems = Problems()
    for n in range(250):
        problems.add(Problem("f.csv", "bad", row=n + 2))
    with pytest.raises(InputError) as caught:
        problems.raise_if_any()
    listed = caught.value.problems
    assert LIMIT == 200 and len(listed) == 201
    assert listed[-1] == Problem("f.csv", "50 more problems not listed (250 in all)")
    assert caught.value.total == 250


def test_no_problems_is_false_and_raises_nothing():
    problems = Problems()
    assert not problems
    problems.raise_if_any()
    problems.add(Problem("f.csv", "bad"))
    assert problems and problems.error().problems == (Problem("f.csv", "bad"),)


def test_a_dependency_files_problems_are_bound_to_it():
    problems = FileProblems("deps.csv")
    problems.at("bad port", 3, "port")
    assert problems.items == [Problem("deps.csv", "bad port", row=3, column="port")]
