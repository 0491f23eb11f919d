"""Checkov, an independent scanner, reads the ARM export of both stacks and fails nothing.

Checkov pins many packages, so it lives in a virtualenv of its own (.ci/run creates one and
exports CARELIFT_CHECKOV); without it, or without `checkov` on PATH, these tests skip.
The checks skipped here are the README's "Checkov exceptions", each justified there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.arm import export_template
from tests.conftest import REPO

EXCEPTIONS = ("CKV_AZURE_12", "CKV_AZURE_87", "CKV_AZURE_173", "CKV_AZURE_174", "CKV_AZURE_182", "CKV_AZURE_183",
              "CKV_AZURE_216")


@pytest.fixture(scope="module")
def exports(prod_rendering, dev_rendering, tmp_path_factory) -> dict[str, dict]:
    """file name -> ARM template, written to a directory Checkov scans."""
    directory = tmp_path_factory.mktemp("arm")
    templates = {f"{r.stack}.arm.json": export_template(r) for r in (prod_rendering, dev_rendering)}
    for name, template in templates.items():
        (directory / name).write_text(json.dumps(template, indent=2), encoding="utf-8")
    return {str(directory / name): template for name, template in templates.items()}


def scan(files, *skipped: str) -> dict:
    """One Checkov run over every export (its start-up dominates the time)."""
    executable = os.environ.get("CARELIFT_CHECKOV") or shutil.which("checkov")
    if not executable:
        pytest.skip("Checkov is not installed (set CARELIFT_CHECKOV or put checkov on PATH)")
    command = [executable, "--framework", "arm", "--output", "json", "--skip-download"]  # offline
    for path in files:
        command += ["-f", path]
    if skipped:
        command += ["--skip-check", ",".join(skipped)]
    # Checkov exits 1 when a check fails; the JSON report says which.
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=Path(files[0]).parent)
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    return report[0] if isinstance(report, list) else report


def failures(report: dict) -> list[str]:
    return sorted(f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in report["results"]["failed_checks"])


@pytest.mark.slow
def test_checkov_fails_no_check_on_the_prod_and_dev_exports(exports):
    report = scan(list(exports), *EXCEPTIONS)
    assert failures(report) == []
    summary = report["summary"]
    assert summary["parsing_errors"] == 0
    # Checkov counts resources by type and name; extension resources repeat names on different
    # scopes (every diagnostic setting is send-to-log-analytics), yet each one is still checked.
    assert summary["resource_count"] == sum(len({(r["type"], r["name"]) for r in t["resources"]})
                                            for t in exports.values())
    assert summary["passed"] > 100  # it really evaluated the resources


@pytest.mark.slow
def test_every_exception_still_fires_without_its_skip(exports):
    # An exception whose check passes again must leave the README and the skip list.
    fired = {failure.split()[0] for failure in failures(scan(list(exports)))}
    assert fired == set(EXCEPTIONS)


def test_every_exception_is_justified_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^### Checkov exceptions\n(.*?)(?=^#{1,3} )", readme, re.S | re.M)
    assert section, "README.md needs a 'Checkov exceptions' section"
    documented = re.findall(r"^- \*\*(CKV2?_AZURE_\d+)\*\*.*?Why:.*?Compensates:", section.group(1), re.S | re.M)
    assert sorted(documented) == sorted(EXCEPTIONS)
