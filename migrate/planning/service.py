"""Planning as a service: what `carelift plan` does between reading its options and printing,
for inputs already in hand (servers, applications and dependencies; plan files).

- `load_inputs(settings_path)`: the plan settings and the strategy overrides they name.
- `compute_plan(servers, applications, dependencies, inputs)`: the plan, its sections and its JSON.
- `read_plan_file(path)` and `diff_files(old, new)`: plan JSON files, read and compared.

Planning never touches the workspace store (../shared/DESIGN.md): `migrate.workflows.plan` reads the
inventory from a workspace, calls this module and stores the plan. Nothing here prints; a user
mistake raises an `infra.errors.CareliftError` whose title and problems are what the CLI prints.
"""

from __future__ import annotations

import datetime
import json
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from infra.errors import CareliftError
from migrate.inventory.model import Application, Dependency, Server
from migrate.planning.assess import Overrides, OverridesError, load_overrides
from migrate.planning.build import Plan, build_plan
from migrate.planning.catalogs import CatalogError
from migrate.planning.digests import sha256_text
from migrate.planning.document import SCHEMA, plan_sections, plan_to_json
from migrate.planning.model import InfeasiblePlan
from migrate.planning.settings import PlanSettings, load_settings
from migrate.planning.views import plan_diff

Progress = Callable[[str], AbstractContextManager[Any]]
"""Shows `message` while the planner runs (the CLI's spinner); the default shows nothing."""


class PlanFileError(CareliftError):
    """A plan file that cannot be read, is not JSON or is not a carelift plan."""


class PricingError(CareliftError):
    """The plan cannot be priced (no price snapshot for the settings' region)."""

    def __init__(self, title: str, problems: Sequence[str]):
        self.title = title
        self.problems = tuple(problems)
        super().__init__(title)


@dataclass(frozen=True)
class PlanInputs:
    """What a plan is computed from besides the inventory."""

    settings: PlanSettings
    overrides: Overrides | None = None
    """The strategy overrides file the settings name (`overrides:`), read; None when they name none."""


def load_inputs(settings_path: Path | None = None) -> PlanInputs:
    """The settings (every default without a file) and the overrides they name.
    SettingsError or OverridesError lists every problem, located."""
    settings = load_settings(settings_path)
    overrides = None
    if settings.overrides:
        try:
            overrides = load_overrides(Path(settings.overrides))
        except OverridesError as error:
            raise _overrides_titled(error, settings.overrides) from None
    return PlanInputs(settings, overrides)


def _overrides_titled(error: OverridesError, path: Any) -> OverridesError:
    error.title = f"{len(error.problems)} problem(s) in the strategy overrides {path}"
    return error


@dataclass(frozen=True)
class ComputedPlan:
    plan: Plan
    sections: dict[str, Any]
    """The plan JSON's top-level keys (`document.plan_sections`): metrics, pricing, notes, warnings, ..."""
    text: str
    """The plan JSON (`document.plan_to_json`): byte-identical for the same inputs and settings."""

    @property
    def digest(self) -> str:
        return sha256_text(self.text)


def compute_plan(servers: Sequence[Server], applications: Sequence[Application],
                 dependencies: Sequence[Dependency], inputs: PlanInputs, *, relax: bool = False,
                 today: datetime.date | None = None, progress: Progress | None = None) -> ComputedPlan:
    """Plan the estate. `today` is only used to warn about a `start_date` already past (a plan of a
    future start does not depend on it). Raises InfeasiblePlan (every conflict; the title says
    whether `relax` would split oversized move groups), OverridesError (names the inventory does
    not know, conflicting application overrides) or PricingError (a region without a price snapshot)."""
    settings = inputs.settings
    message = f"planning {len(servers):,} servers and {len(dependencies):,} dependencies"
    try:
        with (progress or _silent)(message):
            plan = build_plan(servers, applications, dependencies, settings, inputs.overrides, relax=relax,
                              today=today)
    except InfeasiblePlan as error:
        hint = "" if relax else " (--relax splits move groups larger than a wave)"
        error.title = f"the plan is infeasible: {len(error.problems)} constraint(s) cannot be met{hint}"
        raise
    except OverridesError as error:
        raise _overrides_titled(error, settings.overrides) from None
    except CatalogError as error:
        raise PricingError(f"cannot price the plan (settings region: {settings.region})", [str(error)]) from error
    return ComputedPlan(plan, plan_sections(plan), plan_to_json(plan))


def _silent(message: str) -> AbstractContextManager[None]:
    return nullcontext()


def read_plan_file(path: Path) -> dict[str, Any]:
    """A plan JSON file (schema carelift.plan/v1) as a document; PlanFileError when it is not one."""
    from infra.inputs import DATA_LIMIT, read_input_text

    try:
        document = json.loads(read_input_text(path, DATA_LIMIT))
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise PlanFileError(f"cannot read {path}: {reason}") from None
    except json.JSONDecodeError as error:
        raise PlanFileError(f"{path} is not JSON: line {error.lineno}, column {error.colno}: {error.msg}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else type(document).__name__
        raise PlanFileError(f"{path} is not a carelift plan (expected \"schema\": \"{SCHEMA}\", found {found!r})")
    return document


def diff_files(old: Path, new: Path) -> dict[str, Any]:
    """`views.plan_diff` of two plan files (read in that order: the first unreadable one is named)."""
    before = read_plan_file(old)
    after = read_plan_file(new)
    return plan_diff(before, after)
