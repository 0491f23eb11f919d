"""The plan in two calls, importable from one place: `build_plan` (every stage, `build`) and
`plan_to_json` (its canonical JSON, `document`).

    plan = build_plan(servers, applications, dependencies, settings, overrides, relax=False)
    text = plan_to_json(plan)          # byte-identical for the same inputs and settings

The plan's concerns live in their own modules: `build` (orchestration), `digests` and
`canonical` (what it was computed from), `document` (its JSON values), `encoder` (the JSON
text) and `wave_reasons` (why a group is in its wave). These two names stay here for the
callers that import them from this module (the demo and the benchmarks).
"""

from __future__ import annotations

from migrate.planning.build import build_plan
from migrate.planning.document import plan_to_json

__all__ = ["build_plan", "plan_to_json"]
