"""Azure OpenAI model lifecycle: when a model version stops taking new customers and when it retires.

The dates come from one dated data file (``data/openai-models.yaml``) transcribed from Microsoft's
model-retirements page; every answer names that date so a reader knows how fresh it is.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from importlib import resources

import yaml

WARNING_DAYS = 90
"""A model this close to retirement needs its replacement evaluated now (and gets a warning)."""


@dataclass(frozen=True)
class ModelVersion:
    model: str
    version: str
    deprecation: datetime.date | None = None
    """No new customers from this date."""
    retirement: datetime.date | None = None
    """Deployments return errors from this date."""
    not_before: datetime.date | None = None
    """Only a promise that retirement is not earlier than this (the real date is still to come)."""
    replacement: str | None = None
    preview: bool = False

    @property
    def label(self) -> str:
        return f"{self.model} {self.version}"

    def retires_by(self, day: datetime.date) -> bool:
        """True when the version is certainly retired on ``day``."""
        return self.retirement is not None and self.retirement <= day

    def may_retire_by(self, day: datetime.date) -> bool:
        """True when the version is retired, or may already be, on ``day``."""
        return self.retires_by(day) or (self.not_before is not None and self.not_before <= day)

    def describe(self) -> str:
        if self.retirement is not None:
            text = f"{self.label} retires on {self.retirement.isoformat()}"
        elif self.not_before is not None:
            text = f"{self.label} retires no earlier than {self.not_before.isoformat()} (date not yet announced)"
        else:
            text = f"{self.label} has no announced retirement"
        return text + (f"; Microsoft names {self.replacement} as its replacement" if self.replacement else "")


@dataclass(frozen=True)
class Lifecycle:
    as_of: datetime.date
    source: str
    versions: tuple[ModelVersion, ...]

    def find(self, model: str, version: str) -> ModelVersion | None:
        key = (model.lower(), version.lower())
        return next((v for v in self.versions if (v.model.lower(), v.version.lower()) == key), None)


def _date(value: object) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


@functools.cache
def model_lifecycle() -> Lifecycle:
    """The shipped table (read once per process)."""
    text = resources.files("infra.ai").joinpath("data/openai-models.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    versions = tuple(
        ModelVersion(model=str(m["model"]), version=str(m["version"]), deprecation=_date(m.get("deprecation")),
                     retirement=_date(m.get("retirement")), not_before=_date(m.get("notBefore")),
                     replacement=m.get("replacement"), preview=bool(m.get("preview", False)))
        for m in raw["models"]
    )
    as_of = _date(raw["asOf"])
    if as_of is None:
        raise ValueError("infra/ai/data/openai-models.yaml: asOf is required")
    return Lifecycle(as_of=as_of, source=str(raw["source"]), versions=versions)
