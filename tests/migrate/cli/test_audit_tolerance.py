"""`carelift audit --arm` on files nobody here wrote: one bad resource, unknown values, empty inputs,
ARM's JSON dialect, parameters files, PowerShell output and waivers that match nothing."""

from __future__ import annotations

import datetime
import json

from click.testing import CliRunner

from infra import clock
from migrate.cli import main

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
LATER = (clock.today() + datetime.timedelta(days=90)).isoformat()  # the audit's day (the suite pins it), not the machine's


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write(tmp_path, content, name: str = "template.json") -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def template(*resources, **extra) -> dict:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", **extra, "resources": list(resources)}


def vault(name: str = "kv-a", **properties) -> dict:
    return {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": name, "location": "eastus2",
            "properties": {"enablePurgeProtection": True, **properties}}


def findings(result, control: str | None = None) -> list[dict]:
    report = json.loads(result.stdout)
    return [f for f in report["findings"] if control is None or f["control"] == control]


def test_one_unreadable_resource_is_one_error_and_the_rest_is_audited(tmp_path):
    broken_key = {"type": "Microsoft.KeyVault/vaults/keys", "name": "cmk"}  # a child name with too few segments
    result = run("audit", "--arm", write(tmp_path, template(broken_key, vault())), "--format", "json")
    assert result.exit_code == 1, result.output
    (error,) = findings(result, "CL-INPUT-001")
    assert error["status"] == "error" and error["resourceId"] == "resources[0].name"
    assert "1 segment(s)" in error["message"]
    assert [f["status"] for f in findings(result, "CL-KV-001")] == ["pass"]
    assert json.loads(result.stdout)["summary"]["errors"] == 1


def test_an_unknown_location_is_manual_not_a_failure_and_location_settles_it(tmp_path):
    located = {**vault(), "location": "[resourceGroup().location]"}
    path = write(tmp_path, template(located))
    unknown = run("audit", "--arm", path, "--format", "json")
    (finding,) = findings(unknown, "CL-GOV-009")
    assert finding["status"] == "manual"
    assert "cannot judge offline: location is an expression ([resourceGroup().location])" in finding["message"]
    assert all(f["status"] != "fail" for f in findings(unknown) if f["control"] == "CL-GOV-009")
    assert [f["status"] for f in findings(run("audit", "--arm", path, "--location", "eastus2", "--format", "json"),
                                          "CL-GOV-009")] == ["pass"]
    assert [f["status"] for f in findings(run("audit", "--arm", path, "--location", "westeurope", "--format",
                                              "json"), "CL-GOV-009")] == ["fail"]


def test_a_parameters_file_supplies_values_and_defaults_fill_the_rest(tmp_path):
    parameterised = {**vault(), "properties": {"enablePurgeProtection": "[parameters('purge')]"},
                     "location": "[parameters('where')]"}
    path = write(tmp_path, template(parameterised, parameters={"purge": {"type": "bool"},
                                                               "where": {"type": "string", "defaultValue": "eastus2"}}))
    without = findings(run("audit", "--arm", path, "--format", "json"), "CL-KV-001")
    assert [f["status"] for f in without] == ["manual"]
    parameters = write(tmp_path, {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                                             "deploymentParameters.json#", "parameters": {"purge": {"value": False}}},
                       "template.parameters.json")
    result = run("audit", "--arm", path, "--parameters", parameters, "--format", "json")
    assert [f["status"] for f in findings(result, "CL-KV-001")] == ["fail"]
    assert [f["status"] for f in findings(result, "CL-GOV-009")] == ["pass"]


def test_parameters_and_location_need_an_arm_file():
    result = run("audit", "--stack", "prod", "--location", "eastus2")
    assert result.exit_code == 2 and "only apply with --arm" in result.output


def test_nothing_to_audit_is_exit_2_unless_allowed(tmp_path):
    path = write(tmp_path, template())
    result = run("audit", "--arm", path)
    assert result.exit_code == 2 and "nothing to audit" in result.output
    assert run("audit", "--arm", path, "--allow-empty", "--format", "json").exit_code == 0
    only_linked = template({"type": "Microsoft.Resources/deployments", "name": "m", "apiVersion": "2022-09-01",
                            "properties": {"templateLink": {"uri": "https://example.org/nested.json"}}})
    linked = run("audit", "--arm", write(tmp_path, only_linked, "linked.json"))
    assert linked.exit_code == 2 and "linked template (https://example.org/nested.json)" in linked.output


def test_what_was_not_audited_is_in_the_report(tmp_path):
    linked = {"type": "Microsoft.Resources/deployments", "name": "m", "apiVersion": "2022-09-01",
              "properties": {"templateLink": {"uri": "https://example.org/nested.json"}}}
    result = run("audit", "--arm", write(tmp_path, template(linked, vault())), "--format", "json")
    report = json.loads(result.stdout)
    assert report["notAudited"] == [{"location": "resources[0]", "reason": "linked template "
                                     "(https://example.org/nested.json): its resources are not in this file and were "
                                     "not audited", "hides": ["https://example.org/nested.json"]}]
    sarif = json.loads(run("audit", "--arm", write(tmp_path, template(linked, vault())), "--format", "sarif").stdout)
    assert sarif["runs"][0]["properties"]["notAudited"] == report["notAudited"]


def test_arm_comments_and_raw_newlines_in_expressions_are_read(tmp_path):
    text = """{
  // Enterprise-Scale style: comments and a multi-line expression
  "$schema": "%s",
  "contentVersion": "1.0.0.0",
  /* block
     comment */
  "variables": {"name": "[concat('kv-',
      'a')]"},
  "resources": [{"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "[variables('name')]",
                 "location": "eastus2", "properties": {"enablePurgeProtection": true}}]
}""" % SCHEMA
    result = run("audit", "--arm", write(tmp_path, text), "--format", "json")
    assert [f["resourceId"].rsplit("/", 1)[1] for f in findings(result, "CL-KV-001")] == ["kv-a"]


def test_powershell_get_azresource_output_is_read_like_az_resource_list(tmp_path):
    listed = [{"ResourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-ps",
               "Name": "kv-ps", "ResourceName": "kv-ps", "ResourceType": "Microsoft.KeyVault/vaults",
               "ResourceGroupName": "rg", "Location": "eastus2", "SubscriptionId": "s",
               "Sku": {"Name": "standard", "Family": "A"}, "Tags": {"env": "prod"},
               "Properties": {"enablePurgeProtection": True}}]
    result = run("audit", "--arm", write(tmp_path, listed, "ps.json"), "--format", "json")
    (finding,) = findings(result, "CL-KV-001")
    assert finding["status"] == "pass" and finding["resourceId"].endswith("/vaults/kv-ps")


def test_flattened_az_storage_account_show_is_read_like_az_resource_list(tmp_path):
    shown = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stflat",
             "name": "stflat", "type": "Microsoft.Storage/storageAccounts", "location": "eastus2",
             "kind": "StorageV2", "sku": {"name": "Standard_GRS"}, "enableHttpsTrafficOnly": True,
             "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
             "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"}}
    result = run("audit", "--arm", write(tmp_path, shown, "st.json"), "--format", "json")
    statuses = {f["control"]: f["status"] for f in findings(result)}
    https = [c for c, s in statuses.items() if c.startswith("CL-ST")]
    assert https and "error" not in statuses.values()
    tls = [f for f in findings(result) if "TLS" in f["message"] and f["resourceId"].endswith("stflat")]
    assert tls and all(f["status"] == "pass" for f in tls)


def waivers_file(tmp_path, resource: str, expires: str = LATER) -> str:
    return write(tmp_path, "- control: CL-KV-001\n"
                           f"  resource: '{resource}'\n"
                           "  justification: Vendor vault, replaced in wave 2.\n"
                           "  approver: privacy-officer@riverbendhealth.org\n"
                           "  category: mitigated\n"
                           f"  expires: {expires}\n", "waivers.yaml")


def test_a_waiver_matching_nothing_is_reported_and_fails_under_strict_waivers(tmp_path):
    # An empty input has no failures, so the exit code shows what the unused waiver alone does.
    path = write(tmp_path, template())
    waivers = waivers_file(tmp_path, "*/vaults/kv-gone")
    relaxed = run("audit", "--arm", path, "--allow-empty", "--waivers", waivers, "--format", "json")
    assert relaxed.exit_code == 0
    assert "the waiver for CL-KV-001 on */vaults/kv-gone matches no finding" in relaxed.stderr
    assert json.loads(relaxed.stdout)["unusedWaivers"] == [{"control": "CL-KV-001", "resource": "*/vaults/kv-gone"}]
    assert run("audit", "--arm", path, "--allow-empty", "--waivers", waivers, "--strict-waivers").exit_code == 1


def test_waiver_warnings_do_not_stop_the_audit(tmp_path):
    far = (clock.today() + datetime.timedelta(days=500)).isoformat()
    result = run("audit", "--arm", write(tmp_path, template(vault(enablePurgeProtection=False))),
                 "--waivers", waivers_file(tmp_path, "*", far), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert [f["status"] for f in findings(result, "CL-KV-001")] == ["waived"]
    assert "resource: '*' waives CL-KV-001 for every resource" in result.stderr
    assert "longer than the 365-day maximum term" in result.stderr


def test_an_impossible_waiver_date_is_an_input_error(tmp_path):
    result = run("audit", "--arm", write(tmp_path, template(vault())), "--waivers",
                 waivers_file(tmp_path, "*/vaults/kv-a", "2027-02-30"))
    assert result.exit_code == 2
    assert "waivers.yaml" in result.output and "expires: '2027-02-30' is not a real date" in result.output


def test_resources_no_control_checks_are_nothing_to_audit_too(tmp_path):
    group = {"type": "Microsoft.ContainerInstance/containerGroups", "apiVersion": "2023-05-01", "name": "aci",
             "location": "eastus2", "properties": {}}
    path = write(tmp_path, template(group))
    result = run("audit", "--arm", path)
    assert result.exit_code == 2 and "none of the 1 resource(s)" in result.output
    assert run("audit", "--arm", path, "--allow-empty", "--format", "json").exit_code == 0
