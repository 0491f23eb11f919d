"""A realistic sample hospital estate: a deterministic generator and the exports it writes.

The default estate (400 servers, seed 42) ships in `migrate/data/sample_estate/` as the demo's
embedded default; `sample_estate()` finds it in the installed package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def sample_estate() -> Path:
    """The directory holding the shipped sample estate's four files (see `migrate.estate.files.FILES`)."""
    return Path(str(resources.files("migrate") / "data" / "sample_estate"))
