"""The located problem list every reader fills: importers per import, dependency parsers per file."""

from __future__ import annotations

from migrate.inventory.model import InputError, Problem

LIMIT = 200
"""Problems kept per import; the rest are only counted."""


class Problems:
    """Collects located problems; keeps the first LIMIT, counts them all."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self.items: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0

    def error(self) -> InputError:
        problems = list(self.items)
        if self.count > len(problems):
            problems.append(Problem(problems[0].file, f"{self.count - len(problems)} more problems not listed "
                                                      f"({self.count} in all)"))
        return InputError(problems, total=self.count)

    def raise_if_any(self) -> None:
        if self.count:
            raise self.error()
