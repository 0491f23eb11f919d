"""The dependency parsers' registry and what their sniffers see: the head of a file.

Each parser module registers a `Format` in `PARSERS` whose `parse(path, encoding, display)` reads
a file and whose `sniff(sample)` scores the first lines of one. The best score wins; equal scores
(none of today's formats can tie) go to the format listed first. Scores, highest first:

| score | evidence |
|---|---|
| 1.0 | Azure Migrate's export: its columns in the first line |
| 0.9 | the generic CSV: source, destination and port columns in the first line |
| 0.5 down to 0.2 | ss / netstat: the earlier one of the first 30 lines looks like its output, the higher (`line_score`) |
"""

from __future__ import annotations

from functools import cached_property

from migrate.inventory.formats import Registry

PARSERS = Registry("migrate.inventory.dependencies")

AZURE_MIGRATE_HEADER = 1.0
CSV_HEADER = 0.9
SCANNED_LINES = 30


def line_score(index: int) -> float:
    """The score of a host list whose first recognisable line is the `index`-th meaningful one (0-based)."""
    return 0.5 - index / 100


class Sample:
    """The head of a dependency file, decoded."""

    def __init__(self, head: str):
        self.head = head

    @cached_property
    def lines(self) -> tuple[str, ...]:
        """The lines that are neither blank nor `#` comments, stripped."""
        return tuple(line.strip() for line in self.head.splitlines()
                     if line.strip() and not line.lstrip().startswith("#"))

    @property
    def first(self) -> str:
        return self.lines[0] if self.lines else ""


def detect_format(head: str) -> str | None:
    """The format of a file from its first lines, or None."""
    found = PARSERS.best(Sample(head))
    return found[0].name if found else None
