"""Manual and error findings, and what was not audited, in every report format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from infra.compliance import outputs
from infra.compliance.engine import evaluate
from infra.compliance.index import get
from infra.compliance.model import Gap, InputProblem, Unknown, failed, passed
from infra.compliance.registry import Registry
from tests.infra.compliance.arm import resource
from tests.infra.compliance.outputs.conftest import META

VAULT = "Microsoft.KeyVault/vaults"
# A registry of this module's own: its test controls must never join the catalog.
control = Registry().control


@control(id="CL-TST-010", title="TLS 1.2", severity="high", citations=("45 CFR 164.312(e)(1)",), types=(VAULT,),
         scope="resource", remediation="Set TLS 1.2.")
def tls(document, index):
    if get(document, "properties.minimumTlsVersion") == "TLS1_2":
        return passed("TLS 1.2.")
    return failed("Not TLS 1.2.")


@control(id="CL-TST-011", title="raises", severity="low", citations=("45 CFR 164.312(b)",), types=(VAULT,),
         scope="resource", remediation="Fix carelift.")
def broken(document, index):
    raise AttributeError("'str' object has no attribute 'get'")


@pytest.fixture(scope="module")
def result():
    unknown = resource(VAULT, "kv-unknown", {"minimumTlsVersion": Unknown("[parameters('tls')]",
                                                                           "properties.minimumTlsVersion")})
    problem = InputProblem("", "Microsoft.KeyVault/vaults/keys", "resources[3].name", "name 'k' has 1 segment(s)")
    gap = Gap("resources[4]", "linked template (https://example.org/t.json): not audited", ("https://example.org/t.json",))
    return evaluate([unknown], [tls, broken], problems=[problem], not_audited=[gap])


def render(fmt, result):
    return outputs.render(fmt, result, (tls, broken), META)


def test_summary_counts_manual_errors_and_gaps(result):
    assert result.summary() == {"controls": 3, "resources": 1, "passed": 0, "failed": 0, "waived": 0,
                                "manual": 1, "errors": 2, "notAudited": 1}


def test_json(result):
    report = json.loads(render("json", result))
    assert sorted(f["status"] for f in report["findings"]) == ["error", "error", "manual"]
    assert report["notAudited"][0]["hides"] == ["https://example.org/t.json"]


def test_sarif_kinds_and_levels(result):
    run = json.loads(render("sarif", result))["runs"][0]
    by_rule = {r["ruleId"]: (r["kind"], r["level"]) for r in run["results"]}
    assert by_rule == {"CL-TST-010": ("review", "none"), "CL-TST-011": ("fail", "error"),
                       "CL-INPUT-001": ("fail", "error")}
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"CL-INPUT-001"}
    assert run["properties"]["notAudited"][0]["location"] == "resources[4]"


def test_junit_errors_and_skips(result):
    root = ElementTree.fromstring(render("junit", result))
    assert (root.get("errors"), root.get("skipped"), root.get("failures")) == ("2", "1", "0")
    assert root.find(".//testcase/error") is not None


def test_html_and_oscal(result):
    page = render("html", result)
    assert "Not audited" in page and "https://example.org/t.json" in page and "MANUAL" in page
    oscal = json.loads(render("oscal", result))
    assert "1 to judge manually, 2 errors" in oscal["assessment-results"]["results"][0]["description"]
