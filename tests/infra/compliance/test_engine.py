"""Evaluation: statuses, waivers, ordering, and checks that break on odd input."""

from __future__ import annotations

from infra.compliance.engine import evaluate
from infra.compliance.index import get
from infra.compliance.model import InputProblem, Severity, Status, Unknown, Waiver, cannot_judge, failed, passed
from infra.compliance.registry import Registry
from tests.infra.compliance.arm import resource

VAULT = "Microsoft.KeyVault/vaults"
# A registry of this module's own: its test controls must never join the catalog.
control = Registry().control


@control(id="CL-TEST-001", title="name starts with kv", severity="medium", citations=("45 CFR 164.312(a)(1)",),
         scope="resource", types=(VAULT,), remediation="Rename it.")
def starts_with_kv(document, index):
    if document["name"].startswith("kv"):
        return passed(f"Vault {document['name']} is named well.")
    return failed(f"Vault {document['name']} is badly named.")


@control(id="CL-TEST-002", title="reads a missing key", severity="low", citations=("45 CFR 164.312(b)",),
         scope="resource", types=(VAULT,), remediation="None.")
def explodes(document, index):
    return passed(document["properties"]["missing"])


def waiver(pattern: str, control_id: str = "CL-TEST-001") -> Waiver:
    return Waiver(control=control_id, resource=pattern, justification="Vendor appliance; replaced in Q3.",
                  approver="ciso@example.org", category="mitigated", expires="2099-01-01")


def test_statuses_and_summary():
    result = evaluate([resource(VAULT, "kv-a"), resource(VAULT, "bad")], [starts_with_kv])
    assert [(f.resource_id.rsplit("/", 1)[1], f.status) for f in result.findings] == [
        ("bad", Status.FAIL), ("kv-a", Status.PASS)]
    assert result.summary() == {"controls": 1, "resources": 2, "passed": 1, "failed": 1, "waived": 0,
                                "manual": 0, "errors": 0, "notAudited": 0}
    assert result.failed[0].severity is Severity.MEDIUM


def test_matching_waiver_turns_failure_into_waived():
    result = evaluate([resource(VAULT, "bad")], [starts_with_kv], [waiver("*/vaults/BAD")])
    (finding,) = result.findings
    assert finding.status is Status.WAIVED
    assert finding.waiver.approver == "ciso@example.org"
    assert result.to_json()["findings"][0]["waiver"]["category"] == "mitigated"


def test_waiver_for_another_control_or_resource_does_not_apply():
    documents = [resource(VAULT, "bad")]
    assert evaluate(documents, [starts_with_kv], [waiver("*", "CL-OTHER-001")]).findings[0].status is Status.FAIL
    assert evaluate(documents, [starts_with_kv], [waiver("*/vaults/other")]).findings[0].status is Status.FAIL


def test_waiver_never_touches_a_pass():
    result = evaluate([resource(VAULT, "kv-a")], [starts_with_kv], [waiver("*")])
    assert result.findings[0].status is Status.PASS and result.findings[0].waiver is None


def test_a_check_that_raises_is_an_error_naming_the_control_never_a_failure():
    result = evaluate([resource(VAULT, "kv-a")], [explodes])
    (finding,) = result.findings
    assert finding.status is Status.ERROR and result.failed == ()
    assert finding.message.startswith("CL-TEST-002 raised KeyError") and "bug in carelift" in finding.message
    assert result.summary()["errors"] == 1


@control(id="CL-TEST-003", title="TLS 1.2", severity="high", scope="resource", citations=("45 CFR 164.312(e)(1)",),
         types=(VAULT,), remediation="Set it.")
def tls_checked(document, index):
    if get(document, "properties.minimumTlsVersion") == "TLS1_2":
        return passed("TLS 1.2.")
    return failed(f"TLS is {get(document, 'properties.minimumTlsVersion')}.")


@control(id="CL-TEST-004", title="location is eastus", severity="low", citations=("45 CFR 164.312(b)",),
         scope="resource", types=(VAULT,), remediation="Move it.")
def in_eastus(document, index):
    # Reads the document directly, not through get(): comparing the unknown still counts.
    if str(document.get("location") or "").lower() == "eastus" or document.get("location") in ("eastus",):
        return passed("In eastus.")
    return failed("Not in eastus.")


def test_a_check_that_fails_on_an_unknown_value_is_manual_and_names_it():
    vault = resource(VAULT, "kv-a", {"minimumTlsVersion": Unknown("[parameters('tls')]",
                                                                   "properties.minimumTlsVersion")})
    vault["location"] = Unknown("[resourceGroup().location]", "location")
    result = evaluate([vault], [tls_checked, in_eastus])
    assert [f.status for f in result.findings] == [Status.MANUAL, Status.MANUAL]
    assert result.findings[0].message == ("Key Vault 'kv-a': cannot judge offline: properties.minimumTlsVersion "
                                          "is an expression ([parameters('tls')]), only known at deployment.")
    assert "location is an expression ([resourceGroup().location])" in result.findings[1].message
    assert result.failed == () and result.summary()["manual"] == 2


def test_known_values_still_fail_and_unrelated_unknowns_do_not_make_a_failure_manual():
    vault = resource(VAULT, "kv-a", {"minimumTlsVersion": "TLS1_0", "sku": Unknown("[parameters('sku')]")})
    (finding,) = evaluate([vault], [tls_checked]).findings
    assert finding.status is Status.FAIL


def test_a_check_can_say_it_cannot_judge():
    @control(id="CL-TEST-005", title="t", severity="low", citations=("45 CFR 164.312(b)",), types=(VAULT,),
             scope="resource", remediation="r")
    def explicit(document, index):
        return cannot_judge("Vault kv-a: the key is in another subscription.")

    (finding,) = evaluate([resource(VAULT, "kv-a")], [explicit]).findings
    assert finding.status is Status.MANUAL and finding.message == "Vault kv-a: the key is in another subscription."


def test_duplicate_ids_are_one_error_finding_not_two_copies_of_every_result():
    result = evaluate([resource(VAULT, "kv-a"), resource(VAULT, "KV-A")], [starts_with_kv])
    assert [(f.control, f.status) for f in result.findings] == [("CL-INPUT-001", Status.ERROR),
                                                                ("CL-TEST-001", Status.PASS)]
    assert "appears more than once" in result.findings[0].message
    assert [c.id for c in result.controls] == ["CL-TEST-001", "CL-INPUT-001"]


def test_input_problems_become_error_findings_and_other_resources_are_still_audited():
    problem = InputProblem(resource_id="", resource_type="Microsoft.KeyVault/vaults/keys",
                           location="resources[1].name", message="name 'k' has 1 segment(s) but type needs 2")
    result = evaluate([resource(VAULT, "kv-a")], [starts_with_kv], problems=[problem])
    assert [(f.control, f.status, f.resource_id) for f in result.findings] == [
        ("CL-INPUT-001", Status.ERROR, "resources[1].name"), ("CL-TEST-001", Status.PASS, result.findings[1].resource_id)]
    assert result.summary()["errors"] == 1


def test_waivers_that_match_nothing_are_reported():
    used, unused = waiver("*/vaults/bad"), waiver("*/vaults/gone")
    result = evaluate([resource(VAULT, "bad")], [starts_with_kv], [used, unused])
    assert result.unused_waivers == (unused,)


def test_no_documents_no_findings():
    result = evaluate([], [starts_with_kv])
    assert result.findings == () and result.summary()["resources"] == 0
