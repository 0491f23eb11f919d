"""The two extension points of the import: a `Format` registered in a `Registry`.

Inventory importers (`migrate.inventory.importers`) and dependency parsers
(`migrate.inventory.dependencies`) each keep one registry. A format is one module of its package
that registers itself when imported:

    FORMAT = IMPORTERS.register(Format(name="cmdb", description="...", parse=..., sniff=sniff, order=3))

The registry imports every module of its package the first time it is asked (so there is no list
of modules to keep), then answers which formats exist (`names`, in listing order: the CLI's
`--format` choices and their help come from it), which one a name means (`get`), and how sure each
is that a sample of a file is its own (`ranked`: detection picks the best score).

A sniff score is a number from 0 (not mine) up to 1 (certain, e.g. a file name or sheet only this
format has); each family says in its registry module what its levels mean.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from migrate.inventory.model import ParsedFile


@dataclass(frozen=True)
class Format:
    name: str
    """What `--format` accepts."""
    description: str
    """One line saying what the format is, for `--format`'s help."""
    parse: Callable[..., ParsedFile]
    """Reads a file of this format (the family fixes the arguments)."""
    sniff: Callable[[Any], float]
    """How sure the format is that a sample (the family's sample type) is its own: 0 to 1."""
    order: int
    """Where the format is listed among its family's (choices, help, messages): lower first. A tie of
    scores is broken by this order too, where the family does not ask the user instead."""
    called: str = ""
    """What messages call it ("a ServiceNow export"); the name when empty."""

    @property
    def noun(self) -> str:
        return self.called or self.name


class Registry:
    """The formats of one package, each registered by its own module."""

    def __init__(self, package: str):
        self.package = package
        self._formats: dict[str, Format] = {}
        self._loaded = False

    def register(self, format: Format) -> Format:
        """Add `format` (called by its module at import); a second format of the same name is a bug."""
        known = self._formats.get(format.name)
        if known is not None and known is not format:
            raise RuntimeError(f"{self.package}: two formats are called {format.name!r}")
        self._formats[format.name] = format
        return format

    def _load(self) -> None:
        # Importing a module registers its formats; modules without one (shared helpers) add nothing.
        if self._loaded:
            return
        package = importlib.import_module(self.package)
        for module in sorted(info.name for info in pkgutil.iter_modules(package.__path__)):
            importlib.import_module(f"{self.package}.{module}")
        self._loaded = True

    def formats(self) -> tuple[Format, ...]:
        """Every format, in listing order (`order`, then name)."""
        self._load()
        return tuple(sorted(self._formats.values(), key=lambda f: (f.order, f.name)))

    def __iter__(self) -> Iterator[Format]:
        return iter(self.formats())

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.formats())

    def listing(self) -> str:
        """`name: description` of every format, in listing order, joined by `; ` (for `--format`'s help)."""
        return "; ".join(f"{f.name}: {f.description}" for f in self.formats())

    def get(self, name: str) -> Format | None:
        self._load()
        return self._formats.get(name)

    def ranked(self, sample: Any) -> list[tuple[float, Format]]:
        """(score, format) for every format whose sniff scores `sample` above 0, best first; equal
        scores in listing order."""
        scored = [(f.sniff(sample), f) for f in self.formats()]
        return sorted(((score, f) for score, f in scored if score > 0), key=lambda item: -item[0])

    def best(self, sample: Any) -> tuple[Format, ...]:
        """The formats sharing the highest score, in listing order: one, several (a tie, which the
        caller resolves), or none when no format claims the sample."""
        ranked = self.ranked(sample)
        return tuple(f for score, f in ranked if score == ranked[0][0]) if ranked else ()
