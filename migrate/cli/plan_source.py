"""The plan a `carelift plan` sub-command reads when no --plan FILE is given: the latest plan stored
in the workspace the main group's --workspace names (`migrate.workflows.sources`, which says
"no plan in the workspace yet" with exit 2 when there is none).

Its own module, below `plan` and `plan report`, so `plan report` does not import `plan` to read it
(`plan` adds `plan report` to its group: importing back would be a cycle).
"""

from __future__ import annotations

from typing import Any

import click


def latest(ctx: click.Context) -> dict[str, Any]:
    """The workspace's latest plan, parsed."""
    from migrate.workflows.sources import latest_plan

    return latest_plan(ctx.obj["workspace"]).document
