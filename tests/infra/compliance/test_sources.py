"""ARM documents from files: templates, `az group export`, resource lists, Resource Graph — and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.compliance.model import Gap, Unknown
from infra.compliance.sources import SourceError, load_arm_file, read_arm_file

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SUB_SCHEMA = "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/template"
KV = f"{RG}/providers/Microsoft.KeyVault/vaults/kv-a"


def write(tmp_path: Path, content, name: str = "input.json") -> Path:
    path = tmp_path / name
    if isinstance(content, (bytes, str)):
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    else:
        path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return path


def template(*resources, **extra) -> dict:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", **extra, "resources": list(resources)}


def by_id(documents: list[dict]) -> dict[str, dict]:
    return {d["id"]: d for d in documents}


class TestTemplate:
    def test_resource_becomes_a_get_shaped_document(self, tmp_path):
        vault = {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2024-11-01", "name": "kv-a",
                 "location": "eastus2", "tags": {"owner": "it"}, "dependsOn": [], "comments": "why",
                 "properties": {"enablePurgeProtection": True, "networkAcls": {"defaultAction": "Deny"}}}
        assert load_arm_file(write(tmp_path, template(vault))) == [{
            "id": KV, "name": "kv-a", "type": "Microsoft.KeyVault/vaults", "apiVersion": "2024-11-01",
            "location": "eastus2", "tags": {"owner": "it"},
            "properties": {"enablePurgeProtection": True, "networkAcls": {"defaultAction": "Deny"}}}]

    def test_child_named_parent_slash_child_with_its_full_type(self, tmp_path):
        key = {"type": "Microsoft.KeyVault/vaults/keys", "name": "kv-a/cmk", "properties": {"kty": "RSA-HSM"}}
        [document] = load_arm_file(write(tmp_path, template(key)))
        assert (document["id"], document["name"], document["type"]) == (
            f"{KV}/keys/cmk", "cmk", "Microsoft.KeyVault/vaults/keys")

    def test_nested_children_with_short_or_full_types(self, tmp_path):
        account = {"type": "Microsoft.Storage/storageAccounts", "name": "staudit", "resources": [
            {"type": "blobServices", "name": "default", "resources": [
                {"type": "containers", "name": "evidence", "properties": {"publicAccess": "None"}}]},
            {"type": "Microsoft.Storage/storageAccounts/blobServices", "name": "staudit/default"}]}
        ids = [d["id"] for d in load_arm_file(write(tmp_path, template(account)))]
        account_id = f"{RG}/providers/Microsoft.Storage/storageAccounts/staudit"
        assert ids == [account_id, f"{account_id}/blobServices/default",
                       f"{account_id}/blobServices/default/containers/evidence", f"{account_id}/blobServices/default"]

    def test_extension_resource_with_scope_hangs_off_its_target(self, tmp_path):
        setting = {"type": "Microsoft.Insights/diagnosticSettings", "name": "to-law",
                   "scope": "Microsoft.KeyVault/vaults/kv-a", "properties": {"workspaceId": "/w"}}
        lock = {"type": "Microsoft.Authorization/locks", "name": "no-delete",
                "scope": "[resourceId('Microsoft.KeyVault/vaults', 'kv-a')]", "properties": {"level": "CanNotDelete"}}
        documents = load_arm_file(write(tmp_path, template(setting, lock)))
        assert [(d["id"], d["type"]) for d in documents] == [
            (f"{KV}/providers/Microsoft.Insights/diagnosticSettings/to-law", "Microsoft.Insights/diagnosticSettings"),
            (f"{KV}/providers/Microsoft.Authorization/locks/no-delete", "Microsoft.Authorization/locks")]
        assert "scope" not in documents[0]

    def test_extension_resource_in_the_older_providers_naming(self, tmp_path):
        top = {"type": "Microsoft.KeyVault/vaults/providers/diagnosticSettings",
               "name": "kv-a/Microsoft.Insights/to-law", "properties": {}}
        nested = {"type": "Microsoft.KeyVault/vaults", "name": "kv-b", "resources": [
            {"type": "providers/locks", "name": "Microsoft.Authorization/no-delete", "properties": {}}]}
        documents = by_id(load_arm_file(write(tmp_path, template(top, nested))))
        assert documents[f"{KV}/providers/Microsoft.Insights/diagnosticSettings/to-law"]["type"] == \
            "Microsoft.Insights/diagnosticSettings"
        lock = documents[f"{RG}/providers/Microsoft.KeyVault/vaults/kv-b/providers/Microsoft.Authorization/locks/no-delete"]
        assert (lock["type"], lock["name"]) == ("Microsoft.Authorization/locks", "no-delete")

    def test_literal_id_in_the_template_wins(self, tmp_path):
        # carelift's own export keeps each resource's real id, so links survive a round trip.
        real = "/subscriptions/1111/resourceGroups/rg-security/providers/Microsoft.KeyVault/vaults/kv-a"
        [document] = load_arm_file(write(tmp_path, template(
            {"type": "Microsoft.KeyVault/vaults", "name": "kv-a", "id": real})))
        assert document["id"] == real

    def test_subscription_scope_template(self, tmp_path):
        pricing = {"type": "Microsoft.Security/pricings", "name": "KeyVaults", "properties": {"pricingTier": "Standard"}}
        group = {"type": "Microsoft.Resources/resourceGroups", "name": "rg-hub", "location": "eastus2"}
        ids = [d["id"] for d in load_arm_file(write(tmp_path, {"$schema": SUB_SCHEMA, "resources": [pricing, group]}))]
        assert ids == ["/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Security/pricings/KeyVaults",
                       "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub"]

    def test_subscription_and_resource_group_can_be_given(self, tmp_path):
        path = write(tmp_path, template({"type": "Microsoft.KeyVault/vaults", "name": "kv-a"}))
        [document] = read_arm_file(path, subscription_id="1111", resource_group="rg-security").documents
        assert document["id"] == "/subscriptions/1111/resourceGroups/rg-security/providers/Microsoft.KeyVault/vaults/kv-a"

    def test_symbolic_name_template(self, tmp_path):
        compiled = {"$schema": SCHEMA, "languageVersion": "2.0", "resources": {
            "kv": {"type": "Microsoft.KeyVault/vaults", "name": "kv-a", "properties": {}},
            "old": {"type": "Microsoft.KeyVault/vaults", "name": "kv-old", "existing": True}}}
        assert [d["id"] for d in load_arm_file(write(tmp_path, compiled))] == [KV]

    def test_arm_export_template_api_answer(self, tmp_path):
        answer = {"template": template({"type": "Microsoft.KeyVault/vaults", "name": "kv-a"}), "error": None}
        assert [d["id"] for d in load_arm_file(write(tmp_path, answer))] == [KV]


class TestExpressions:
    def test_az_group_export_parameters_with_defaults_are_evaluated(self, tmp_path):
        exported = template(
            {"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "[parameters('vaults_kv_a_name')]",
             "location": "eastus2", "properties": {"enableRbacAuthorization": True}},
            {"type": "Microsoft.KeyVault/vaults/keys", "name": "[concat(parameters('vaults_kv_a_name'), '/cmk')]",
             "dependsOn": ["[resourceId('Microsoft.KeyVault/vaults', parameters('vaults_kv_a_name'))]"],
             "properties": {"kty": "RSA-HSM"}},
            {"type": "Microsoft.Network/privateEndpoints", "name": "pe-kv",
             "properties": {"privateLinkServiceConnections": [{"name": "kv", "properties": {
                 "privateLinkServiceId": "[resourceId('Microsoft.KeyVault/vaults', parameters('vaults_kv_a_name'))]",
                 "groupIds": ["vault"]}}]}},
            parameters={"vaults_kv_a_name": {"defaultValue": "kv-a", "type": "String"}})
        source = read_arm_file(write(tmp_path, exported))
        documents = by_id(source.documents)
        assert f"{KV}/keys/cmk" in documents
        endpoint = documents[f"{RG}/providers/Microsoft.Network/privateEndpoints/pe-kv"]
        assert endpoint["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"] == KV
        assert source.notes == ("Parameters took their default values (vaults_kv_a_name); a parameters file used at "
                                "deployment may change them.",)

    def test_unknown_values_are_kept_as_written_and_noted(self, tmp_path):
        vault = {"type": "Microsoft.KeyVault/vaults", "name": "[parameters('name')]",
                 "location": "[resourceGroup().location]",
                 "properties": {"publicNetworkAccess": "[parameters('access')]", "tenantId": "[subscription().tenantId]"},
                 "resources": [{"type": "keys", "name": "cmk"}]}
        source = read_arm_file(write(tmp_path, template(
            vault, parameters={"name": {"type": "string"}, "access": {"type": "string"}})))
        vault_doc, key_doc = source.documents
        assert vault_doc["properties"]["publicNetworkAccess"] == "[parameters('access')]"
        assert vault_doc["location"] == "[resourceGroup().location]"
        # The name is unknown but the id keeps its shape, so the child still hangs off its parent.
        assert vault_doc["id"] == f"{RG}/providers/Microsoft.KeyVault/vaults/[parameters('name')]"
        assert key_doc["id"] == f"{vault_doc['id']}/keys/cmk"
        assert source.notes == (
            "[parameters('name')] cannot be evaluated offline and was kept as written (resources[0].name).",
            "[resourceGroup().location] cannot be evaluated offline and was kept as written (resources[0].location).",
            "[parameters('access')] cannot be evaluated offline and was kept as written "
            "(resources[0].properties.publicNetworkAccess).",
            "[subscription().tenantId] cannot be evaluated offline and was kept as written "
            "(resources[0].properties.tenantId).")

    def test_repeated_unknown_expression_is_noted_once(self, tmp_path):
        resources = [{"type": "Microsoft.Network/routeTables", "name": f"rt-{i}", "location": "[resourceGroup().location]"}
                     for i in range(5)]
        [note] = read_arm_file(write(tmp_path, template(*resources))).notes
        assert note == ("[resourceGroup().location] cannot be evaluated offline and was kept as written "
                        "(resources[0].location, resources[1].location, resources[2].location and 2 more).")

    def test_variables_format_and_escaped_brackets(self, tmp_path):
        vault = {"type": "Microsoft.KeyVault/vaults", "name": "[variables('vault')]",
                 "properties": {"note": "[[not an expression]", "uri": "[format('https://{0}.vault.azure.net/', variables('vault'))]"}}
        [document] = load_arm_file(write(tmp_path, template(vault, variables={"vault": "[concat('kv-', 'a')]"})))
        assert document["id"] == KV
        assert document["properties"] == {"note": "[not an expression]", "uri": "https://kv-a.vault.azure.net/"}

    def test_false_condition_is_not_audited(self, tmp_path):
        source = read_arm_file(write(tmp_path, template(
            {"type": "Microsoft.KeyVault/vaults", "name": "kv-a", "condition": "[equals('prod', 'dev')]"})))
        assert source.documents == ()
        assert source.gaps == (Gap("resources[0]", "not deployed: its condition is false",
                                   ("Microsoft.KeyVault/vaults kv-a",)),)

    def test_nested_deployment_resources_are_read_with_its_resource_group(self, tmp_path):
        module = {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "kv-module",
                  "resourceGroup": "rg-security",
                  "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                                 "parameters": {"name": {"value": "[parameters('vaultName')]"}},
                                 "template": template({"type": "Microsoft.KeyVault/vaults", "name": "[parameters('name')]"},
                                                      parameters={"name": {"type": "string"}})}}
        documents = load_arm_file(write(tmp_path, template(module, parameters={"vaultName": {"defaultValue": "kv-a"}})))
        assert [d["id"] for d in documents] == [
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-security/providers/Microsoft.KeyVault/vaults/kv-a"]

    def test_linked_template_is_noted(self, tmp_path):
        module = {"type": "Microsoft.Resources/deployments", "name": "linked",
                  "properties": {"templateLink": {"uri": "https://example.org/t.json"}}}
        source = read_arm_file(write(tmp_path, template(module)))
        assert source.gaps == (Gap("resources[0]", "linked template (https://example.org/t.json): its resources are "
                                                   "not in this file and were not audited",
                                   ("https://example.org/t.json",)),)


class TestResourceLists:
    def test_az_resource_list(self, tmp_path):
        listed = [{"id": KV, "name": "kv-a", "type": "Microsoft.KeyVault/vaults", "location": "eastus2",
                   "resourceGroup": "template", "properties": None, "tags": {}}]
        source = read_arm_file(write(tmp_path, listed))
        assert source.shape == "resource list"
        [document] = source.documents
        assert {k: v for k, v in document.items() if k != "properties"} == {
            k: v for k, v in listed[0].items() if k != "properties"}
        assert isinstance(document["properties"], Unknown) and document["properties"].where == "properties"
        assert source.notes == ("1 of 1 resources have no properties (`az resource list` leaves them out), so controls "
                                "that read properties report them `manual`: export with Resource Graph (`az graph "
                                "query -q Resources`) or audit the subscription live.",)

    def test_resource_graph_objects(self, tmp_path):
        graph = {"count": 1, "data": [{"id": KV, "name": "kv-a", "type": "microsoft.keyvault/vaults",
                                       "properties": {"enablePurgeProtection": True}}],
                 "skip_token": None, "total_records": 1}
        source = read_arm_file(write(tmp_path, graph))
        assert (source.shape, source.notes) == ("resource graph", ())
        assert source.documents[0]["properties"] == {"enablePurgeProtection": True}

    def test_resource_graph_table_and_truncation(self, tmp_path):
        graph = {"data": {"columns": [{"name": "id", "type": "string"}, {"name": "type", "type": "string"},
                                      {"name": "properties", "type": "object"}],
                          "rows": [[KV, "microsoft.keyvault/vaults", {}]]},
                 "skip_token": "ew0K"}
        source = read_arm_file(write(tmp_path, graph))
        assert source.documents == ({"id": KV, "type": "microsoft.keyvault/vaults", "properties": {}},)
        assert source.notes == ("The query result is truncated (it has a skip token): only its first page is audited; "
                                "query with --first 1000 and follow the skip token.",)

    def test_rest_list_page_and_single_resource(self, tmp_path):
        page = {"value": [{"id": KV, "type": "Microsoft.KeyVault/vaults", "properties": {}}], "nextLink": "https://x"}
        assert read_arm_file(write(tmp_path, page)).notes[-1].startswith("The file holds one page")
        single = {"id": KV, "type": "Microsoft.KeyVault/vaults", "name": "kv-a", "properties": {}}
        assert load_arm_file(write(tmp_path, single, "show.json")) == [single]

    def test_missing_id_is_built_from_resource_group_and_name(self, tmp_path):
        [document] = load_arm_file(write(tmp_path, [{"type": "Microsoft.KeyVault/vaults/keys", "name": "kv-a/cmk",
                                                     "resourceGroup": "rg-x", "properties": {}}]))
        assert document["id"] == ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-x/providers/"
                                  "Microsoft.KeyVault/vaults/kv-a/keys/cmk")

    def test_utf16_with_bom_from_powershell(self, tmp_path):
        text = json.dumps([{"id": KV, "type": "Microsoft.KeyVault/vaults", "properties": {}}])
        path = write(tmp_path, b"\xff\xfe" + text.encode("utf-16-le"))
        assert load_arm_file(path)[0]["id"] == KV


class TestErrors:
    def error(self, path: Path) -> SourceError:
        with pytest.raises(SourceError) as caught:
            load_arm_file(path)
        return caught.value

    def test_missing_file(self, tmp_path):
        error = self.error(tmp_path / "nope.json")
        assert str(error) == f"{tmp_path / 'nope.json'}: no such file"

    def test_directory(self, tmp_path):
        assert "is a directory" in self.error(tmp_path).message

    def test_not_json_names_line_and_column(self, tmp_path):
        error = self.error(write(tmp_path, '{\n  "resources": [\n    {"type": "x" "name": 1}\n  ]\n}'))
        assert (error.location, error.message) == ("line 3, column 18", "is not valid JSON: Expecting ',' delimiter")
        assert str(error) == f"{error.path}: line 3, column 18: {error.message}"

    def test_bicep_gets_a_hint(self, tmp_path):
        bicep = self.error(write(tmp_path, "resource kv 'Microsoft.KeyVault/vaults@2024-11-01' = {}", "main.bicep"))
        assert "az bicep build --file main.bicep" in bicep.message

    def test_empty_and_not_utf8(self, tmp_path):
        assert self.error(write(tmp_path, "  \n")).message == "is empty"
        assert self.error(write(tmp_path, b"\x80\x81[]", "bin.json")).message.startswith("is not UTF-8 text")

    def test_unknown_shape(self, tmp_path):
        assert self.error(write(tmp_path, {"hello": "world"})).message.startswith("is not an ARM template")
        assert self.error(write(tmp_path, "42", "n.json")).message.startswith("is not an ARM template")

    def test_parameters_file(self, tmp_path):
        parameters = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
                      "parameters": {}}
        assert self.error(write(tmp_path, parameters)).message.startswith("is an ARM parameters file")

    def test_resources_not_a_list_makes_the_file_unusable(self, tmp_path):
        assert self.error(write(tmp_path, {"$schema": SCHEMA, "resources": "x"})).location == "resources"


class TestOneBadResource:
    """A resource that cannot be read is one problem; every other resource is still read."""

    @pytest.mark.parametrize("content, location", [
        (template({"name": "kv-a"}, {"type": "Microsoft.KeyVault/vaults", "name": "ok"}), "resources[0]"),
        (template({"type": "Microsoft.KeyVault/vaults", "name": "ok", "resources": [{"type": "", "name": "k"}]}),
         "resources[0].resources[0]"),
        ([{"id": KV, "type": "Microsoft.KeyVault/vaults"}, {"id": KV + "2"}], "[1]"),
        ({"data": [{"id": KV}, {"id": KV + "2", "type": "Microsoft.KeyVault/vaults"}]}, "data[0]"),
    ])
    def test_resource_without_type_names_its_position(self, tmp_path, content, location):
        source = read_arm_file(write(tmp_path, content))
        assert [(p.location, p.message) for p in source.problems] == [(location, "resource has no type")]
        assert len(source.documents) == 1

    def test_name_segments_must_match_the_type(self, tmp_path):
        source = read_arm_file(write(tmp_path, template({"type": "Microsoft.KeyVault/vaults/keys", "name": "cmk"},
                                                        {"type": "Microsoft.KeyVault/vaults", "name": "kv-a"})))
        assert [(p.location, p.message, p.resource_type) for p in source.problems] == [(
            "resources[0].name", "name 'cmk' has 1 segment(s) but type 'Microsoft.KeyVault/vaults/keys' needs 2",
            "Microsoft.KeyVault/vaults/keys")]
        assert [d["id"] for d in source.documents] == [KV]

    def test_relative_type_outside_a_parent(self, tmp_path):
        (problem,) = read_arm_file(write(tmp_path, template({"type": "keys", "name": "cmk"}))).problems
        assert problem.location == "resources[0]" and "has no namespace" in problem.message

    def test_entries_not_objects_and_empty_names(self, tmp_path):
        source = read_arm_file(write(tmp_path, template(
            "x", {"type": "Microsoft.KeyVault/vaults", "name": "[concat('', '')]"},
            {"type": "Microsoft.KeyVault/vaults", "name": "kv-a"})))
        assert [p.message for p in source.problems] == [
            "resource is not a JSON object",
            "name evaluates to an empty string ([concat('', '')] with the template's defaults: give its value with "
            "--parameters)"]
        assert [d["id"] for d in source.documents] == [KV]

    def test_a_resource_with_an_unreadable_scope_does_not_reject_the_file(self, tmp_path):
        lock = {"type": "Microsoft.Authorization/locks", "name": "lock", "scope": "not a scope"}
        source = read_arm_file(write(tmp_path, template(lock, {"type": "Microsoft.KeyVault/vaults", "name": "kv-a"})))
        assert [p.location for p in source.problems] == ["resources[0].scope"]
        assert [d["id"] for d in source.documents] == [KV]


class TestTemplateLanguage:
    def test_copy_loop_of_known_count_is_expanded(self, tmp_path):
        account = {"type": "Microsoft.Storage/storageAccounts", "name": "[concat('st', copyIndex(1))]",
                   "copy": {"name": "accounts", "count": "[parameters('n')]"}, "properties": {}}
        source = read_arm_file(write(tmp_path, template(account, parameters={"n": {"defaultValue": 3}})))
        assert [d["name"] for d in source.documents] == ["st1", "st2", "st3"]
        assert source.gaps == ()

    def test_copy_loop_of_unknown_count_is_one_resource_and_a_gap(self, tmp_path):
        account = {"type": "Microsoft.Storage/storageAccounts", "name": "st",
                   "copy": {"name": "accounts", "count": "[parameters('n')]"}, "properties": {}}
        source = read_arm_file(write(tmp_path, template(account, parameters={"n": {"type": "int"}})))
        assert len(source.documents) == 1
        assert source.gaps[0].reason.startswith("copy loop 'accounts' with a count only known at deployment")

    def test_property_copy_is_expanded(self, tmp_path):
        vnet = {"type": "Microsoft.Network/virtualNetworks", "name": "vnet", "properties": {"copy": [
            {"name": "subnets", "count": 2, "input": {"name": "[concat('snet-', copyIndex('subnets'))]",
                                                      "properties": {"addressPrefix": "10.0.0.0/24"}}}]}}
        [document] = read_arm_file(write(tmp_path, template(vnet))).documents
        assert [s["name"] for s in document["properties"]["subnets"]] == ["snet-0", "snet-1"]

    def test_an_if_else_pair_of_one_resource_is_audited_once(self, tmp_path):
        new = {"type": "Microsoft.Storage/storageAccounts", "name": "st", "condition": "[parameters('new')]",
               "properties": {"minimumTlsVersion": "TLS1_2"}}
        existing = {**new, "condition": "[not(parameters('new'))]"}
        source = read_arm_file(write(tmp_path, template(new, existing, parameters={"new": {"type": "bool"}})))
        assert len(source.documents) == 1 and source.problems == ()
        assert [g.location for g in source.gaps] == ["resources[0]", "resources[1]"]

    def test_nullable_parameter_without_a_value_is_null(self, tmp_path):
        vault = {"type": "Microsoft.KeyVault/vaults", "name": "kv-a",
                 "properties": {"x": "[coalesce(parameters('opt'), 'fallback')]"}}
        [document] = read_arm_file(write(tmp_path, template(vault, parameters={
            "opt": {"type": "string", "nullable": True}}))).documents
        assert document["properties"]["x"] == "fallback"

    def test_parameters_file_values_and_key_vault_references(self, tmp_path):
        vault = {"type": "Microsoft.KeyVault/vaults", "name": "[parameters('name')]",
                 "properties": {"secret": "[parameters('secret')]"}}
        path = write(tmp_path, template(vault, parameters={"name": {"type": "string"},
                                                           "secret": {"type": "securestring"}}))
        parameters = write(tmp_path, {"parameters": {"name": {"value": "kv-a"}, "secret": {"reference": {
            "keyVault": {"id": "/subscriptions/s/x"}, "secretName": "s"}}}}, "p.json")
        [document] = read_arm_file(path, parameters=parameters).documents
        assert document["id"] == KV
        assert isinstance(document["properties"]["secret"], Unknown)

    def test_a_parameters_file_that_is_not_one_is_an_input_error(self, tmp_path):
        path = write(tmp_path, template({"type": "Microsoft.KeyVault/vaults", "name": "kv-a"}))
        with pytest.raises(SourceError) as caught:
            read_arm_file(path, parameters=write(tmp_path, {"parameters": {"name": "kv-a"}}, "p.json"))
        assert caught.value.location == "parameters.name"

    def test_unknown_property_values_carry_their_path(self, tmp_path):
        vault = {"type": "Microsoft.KeyVault/vaults", "name": "kv-a", "location": "[resourceGroup().location]",
                 "properties": {"networkAcls": {"defaultAction": "[parameters('action')]"}}}
        [document] = read_arm_file(write(tmp_path, template(vault, parameters={"action": {"type": "string"}}))).documents
        assert document["location"].where == "location"
        assert document["properties"]["networkAcls"]["defaultAction"].where == "properties.networkAcls.defaultAction"
        [located] = read_arm_file(write(tmp_path, template(vault, parameters={"action": {"type": "string"}})),
                                  location="eastus2").documents
        assert located["location"] == "eastus2"

    def test_powershell_and_flattened_shapes(self, tmp_path):
        shell = [{"ResourceId": KV, "Name": "kv-a", "ResourceType": "Microsoft.KeyVault/vaults",
                  "Sku": {"Name": "standard"}, "Properties": {"enablePurgeProtection": True}}]
        [document] = load_arm_file(write(tmp_path, shell))
        assert (document["id"], document["sku"], document["properties"]) == (
            KV, {"name": "standard"}, {"enablePurgeProtection": True})
        flat = {"id": KV.replace("Microsoft.KeyVault/vaults/kv-a", "Microsoft.Storage/storageAccounts/st"),
                "type": "Microsoft.Storage/storageAccounts", "name": "st", "enableHttpsTrafficOnly": True,
                "networkRuleSet": {"defaultAction": "Deny"}, "minimumTlsVersion": "TLS1_2"}
        [account] = load_arm_file(write(tmp_path, flat, "flat.json"))
        assert account["properties"] == {"supportsHttpsTrafficOnly": True, "networkAcls": {"defaultAction": "Deny"},
                                         "minimumTlsVersion": "TLS1_2"}

    def test_copies_whose_names_are_unknown_are_audited_once_not_a_duplicate(self, tmp_path):
        account = {"type": "Microsoft.Storage/storageAccounts", "name": "[parameters('name')]",
                   "copy": {"name": "accounts", "count": 2}, "properties": {}}
        source = read_arm_file(write(tmp_path, template(account, parameters={"name": {"type": "string"}})))
        assert len(source.documents) == 1 and source.problems == ()
        assert "audited once" in source.gaps[0].reason

    def test_powershell_output_cut_at_the_default_depth_is_noted(self, tmp_path):
        shell = [{"ResourceId": KV, "Name": "kv-a", "ResourceType": "Microsoft.KeyVault/vaults",
                  "Properties": {"networkAcls": "@{defaultAction=Deny; bypass=AzureServices}"}}]
        source = read_arm_file(write(tmp_path, shell))
        assert "ConvertTo-Json cut at its default depth" in source.notes[0]
        assert "-Depth 20" in source.notes[0]

    def test_trailing_commas_are_read_as_azure_reads_them(self, tmp_path):
        text = ('{"$schema": "%s", "parameters": {"n": {"type": "string", "defaultValue": "kv-a",},},\n'
                ' "resources": [{"type": "Microsoft.KeyVault/vaults", "name": "[parameters(\'n\')]",'
                ' "properties": {"note": "a, ]"},},\n]}' % SCHEMA)
        [document] = load_arm_file(write(tmp_path, text))
        assert document["id"] == KV and document["properties"]["note"] == "a, ]"
