"""One error model: every mistake a user can make is raised as a `CareliftError`.

A CareliftError is a ValueError that carries what the CLI prints:
- `title`: one line saying what could not be done, naming the file, stack, key or option;
- `problems`: each thing wrong (config issues, located input problems, plain lines), each of
  which prints itself with ``str()``;
- `total`: how many problems there are in all when `problems` lists only the first ones (the
  importers keep the first 200 of millions), else None;
- `exit_code`: 2, the usage-error code, for every user mistake.

The CLI catches it in one place (`migrate.cli.LazyGroup.invoke`) and prints the title and the
problems on standard error, without a traceback: a traceback then always means a bug. The
subclasses keep their own constructors and attributes; `title` defaults to the message itself
(what `fail(str(error))` printed before there was one handler). This module imports nothing of carelift's, so infra and migrate both build on it
(infra never imports migrate).
"""

from __future__ import annotations

from typing import Any, Sequence

USAGE_ERROR = 2


class CareliftError(ValueError):
    """A mistake the user can fix: a bad file, option, setting or stack config (exit 2, no traceback)."""

    exit_code: int = USAGE_ERROR
    problems: Sequence[Any] = ()
    """Each problem; ``str(problem)`` is the line printed for it."""
    total: int | None = None
    """How many problems there are in all, when `problems` lists only the first of them."""

    @property
    def title(self) -> str:
        """What could not be done, in a line. Defaults to the message."""
        explicit = self.__dict__.get("_title")
        return str(self) if explicit is None else explicit

    @title.setter
    def title(self, value: str) -> None:
        self.__dict__["_title"] = value

    def lines(self) -> list[str]:
        """The problems as the lines printed under the title."""
        return [str(problem) for problem in self.problems]
