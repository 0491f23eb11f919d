"""How a stack configuration's problems are reported: one `ConfigIssue` per config key at fault,
all of them in one `ConfigError`.

Its own module, below both the config parser (`infra.config`) and the stack file reader
(`infra.stackfile`, which reports plaintext secrets as issues), so those two do not import each
other. `infra.config` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from infra.errors import CareliftError


@dataclass(frozen=True)
class ConfigIssue:
    key: str
    """The config key at fault, e.g. ``carelift:network.spokes[1].addressSpace``."""
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(CareliftError):
    """All problems found in one stack configuration."""

    def __init__(self, source: str, issues: Iterable[ConfigIssue]):
        self.source = source
        self.issues = tuple(issues)
        self.problems = self.issues
        self.title = f"{source}: {len(self.issues)} configuration problem(s)"
        super().__init__(self.title)

    def __str__(self) -> str:
        lines = [f"{self.source}: {len(self.issues)} configuration problem(s):"]
        lines += [f"  - {issue}" for issue in self.issues]
        return "\n".join(lines)
