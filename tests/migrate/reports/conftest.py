"""Plans to report on: the shipped 400-server sample estate imported and planned as a user would
(`carelift inventory import`, `deps import`, `plan --relax`), and a hostile copy of it."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.estate import sample_estate

HOSTILE_APP = '=HYPERLINK("http://evil.example/x","click")'
HOSTILE_NOTE = "<script>alert('note')</script> | **bold** `code`\nsecond line"
HOSTILE_SERVER = "<img src=x onerror=alert(1)>"
# The shape of the plan's `spend` section (migrate/planning/spend.py), with figures easy to find.
SPEND = {"estimate": True, "what": "estimated Azure spend of the migration",
         "inputs": {"price_snapshot_date": "2026-11-27", "test_migration_hours": 8},
         "waves": [{"number": 1, "servers": 10, "replication_days": 12, "replication_storage": 34.5,
                    "test_migration_compute": 12.25, "one_time": 46.75, "monthly_run_rate_after_cutover": 999.0}],
         "months": [{"month": "2027-03", "run_rate": 100.0, "one_time": 46.75, "dual_running": 100.0, "total": 146.75,
                     "cumulative": 146.75},
                    {"month": "2027-04", "run_rate": 4853.75, "one_time": 0.0, "dual_running": 0.0,
                     "total": 4853.75, "cumulative": 5000.5}],
         "one_time_total": 1234.56, "total_to_last_cutover": 5000.5}


@pytest.fixture(scope="session")
def sample_plan(tmp_path_factory) -> dict:
    """The sample estate's plan as `carelift plan --relax` makes it (default settings)."""
    directory = tmp_path_factory.mktemp("reports")
    workspace, out = directory / "ws", directory / "plan.json"
    sample = sample_estate()
    for args in (["inventory", "import", str(sample / "rvtools-export.xlsx"), str(sample / "azure-migrate-import.csv")],
                 ["inventory", "import", str(sample / "application-mapping.csv")],
                 ["deps", "import", str(sample / "azure-migrate-dependencies.csv")],
                 ["plan", "--relax", "--out", str(out)]):
        result = CliRunner().invoke(main, ["--workspace", str(workspace), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def plan(sample_plan) -> dict:
    return copy.deepcopy(sample_plan)


@pytest.fixture
def hostile_plan(sample_plan) -> dict:
    """Inventory text that is markup, a formula, and a table breaker, in places every report prints."""
    document = copy.deepcopy(sample_plan)
    wave = next(w for w in document["waves"] if w["number"] == 2)
    victim = wave["servers"][0]
    server = document["servers"].pop(victim)
    server["applications"] = [HOSTILE_APP]
    server["readiness_reasons"] = ["-2+3 looks like a formula", "@SUM(A1:A9)"]
    document["servers"][HOSTILE_SERVER] = server
    wave["servers"][0] = HOSTILE_SERVER
    for group in wave["move_groups"]:
        group["servers"] = [HOSTILE_SERVER if s == victim else s for s in group["servers"]]
    document["notes"].append(HOSTILE_NOTE)
    return document
