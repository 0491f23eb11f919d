"""PrivateOpenAI: private, keyless, CMK-encrypted Azure OpenAI with content filters and ordered deployments."""

from __future__ import annotations

import re


from infra.render import AzureMocks, Rendering, render_stack_file

OPENAI_ZONES = ("privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com")
CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def children(rendering: Rendering, token: str):
    parent = rendering.named("openai").urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def only(rendering: Rendering, token: str):
    found = children(rendering, token)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def account(rendering: Rendering):
    return only(rendering, "azure-native:cognitiveservices:Account")


def identity(rendering: Rendering):
    return only(rendering, "azure-native:managedidentity:UserAssignedIdentity")


def crypto_grant(rendering: Rendering):
    grants = [r for r in children(rendering, "azure-native:authorization:RoleAssignment")
              if r.inputs["roleDefinitionId"].endswith(CRYPTO_SERVICE_ENCRYPTION_USER)]
    assert len(grants) == 1
    return grants[0]


def vault_resource(rendering: Rendering, token: str):
    parent = rendering.named("key-vault").urn
    (found,) = [r for r in rendering.of_type(token) if r.parent == parent]
    return found


def computed(kind: str, resource_id: str) -> str:
    """What the mocks (like Azure) report as an identity's principalId / clientId."""
    from infra.render import _guid

    return _guid(kind, resource_id)


# ---------------------------------------------------------------------------- the account


def test_account_is_an_s0_openai_account_in_the_configured_region(rendering):
    config = rendering.config
    inputs = account(rendering).inputs
    assert inputs["kind"] == "OpenAI"
    assert inputs["sku"] == {"name": "S0"}
    assert inputs["accountName"] == f"oai-{config.name_prefix}"
    assert inputs["location"] == config.openai.location
    assert inputs["resourceGroupName"] == f"rg-{config.name_prefix}-openai"
    group = only(rendering, "azure-native:resources:ResourceGroup")
    assert group.inputs["resourceGroupName"] == f"rg-{config.name_prefix}-openai"
    assert group.inputs["location"] == config.openai.location


def test_account_uses_the_configured_custom_subdomain(rendering):
    props = account(rendering).inputs["properties"]
    assert props["customSubDomainName"] == rendering.config.openai.custom_subdomain


def test_account_has_no_public_network_access(rendering):
    props = account(rendering).inputs["properties"]
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"] == {"defaultAction": "Deny", "bypass": "None",
                                    "ipRules": [], "virtualNetworkRules": []}


def test_account_disables_key_authentication(rendering):
    assert account(rendering).inputs["properties"]["disableLocalAuth"] is True


def test_account_may_only_call_out_to_the_configured_fqdns(rendering):
    props = account(rendering).inputs["properties"]
    assert props["restrictOutboundNetworkAccess"] is True
    assert props["allowedFqdnList"] == list(rendering.config.openai.allowed_fqdns)


def test_account_identity_is_only_the_user_assigned_identity(rendering):
    uai = identity(rendering)
    assert uai.inputs["resourceName"] == f"id-{rendering.config.name_prefix}-openai"
    assert account(rendering).inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [uai.id]}


def test_account_encrypts_with_the_vault_cmk_through_the_user_assigned_identity(rendering):
    vault = vault_resource(rendering, "azure-native:keyvault:Vault")
    key = vault_resource(rendering, "azure-native:keyvault:Key")
    encryption = account(rendering).inputs["properties"]["encryption"]
    assert encryption["keySource"] == "Microsoft.KeyVault"
    assert encryption["keyVaultProperties"] == {
        "keyVaultUri": f"https://{vault.inputs['vaultName']}.vault.azure.net/",
        "keyName": key.inputs["keyName"],
        "identityClientId": computed("client", identity(rendering).id),
    }


def test_account_follows_key_rotation_because_no_key_version_is_pinned(rendering):
    assert "keyVersion" not in account(rendering).inputs["properties"]["encryption"]["keyVaultProperties"]


def test_cmk_role_is_granted_to_the_identity_on_the_key_before_the_account_exists(rendering):
    grant = crypto_grant(rendering)
    key = vault_resource(rendering, "azure-native:keyvault:Key")
    assert grant.inputs["principalId"] == computed("principal", identity(rendering).id)
    assert grant.inputs["principalType"] == "ServicePrincipal"
    assert grant.inputs["scope"] == key.id
    assert GUID.fullmatch(grant.inputs["roleAssignmentName"])
    assert grant.urn in account(rendering).depends_on


def test_account_waits_for_the_cmk_itself(rendering):
    key = vault_resource(rendering, "azure-native:keyvault:Key")
    assert key.urn in account(rendering).depends_on


# ---------------------------------------------------------------------------- content filter


def content_filter(rendering: Rendering):
    return only(rendering, "azure-native:cognitiveservices:RaiPolicy")


def test_content_filter_builds_on_default_v2_in_blocking_mode(rendering):
    policy = content_filter(rendering)
    assert policy.inputs["accountName"] == account(rendering).inputs["accountName"]
    assert policy.inputs["properties"]["basePolicyName"] == "Microsoft.DefaultV2"
    assert policy.inputs["properties"]["mode"] == "Blocking"


def test_content_filter_blocks_harm_categories_at_medium_on_prompts_and_completions(rendering):
    filters = policy_filters(rendering)
    for category in ("Hate", "Sexual", "Selfharm", "Violence"):
        for source in ("Prompt", "Completion"):
            assert filters[(category, source)] == {"name": category, "source": source, "enabled": True,
                                                   "blocking": True, "severityThreshold": "Medium"}


def test_content_filter_blocks_jailbreak_prompts(rendering):
    assert policy_filters(rendering)[("Jailbreak", "Prompt")] == {
        "name": "Jailbreak", "source": "Prompt", "enabled": True, "blocking": True}


def test_content_filter_blocks_protected_material_in_completions(rendering):
    filters = policy_filters(rendering)
    for name in ("Protected Material Text", "Protected Material Code"):
        assert filters[(name, "Completion")] == {"name": name, "source": "Completion", "enabled": True, "blocking": True}


def test_content_filter_has_nothing_disabled_or_merely_annotating(rendering):
    for f in content_filter(rendering).inputs["properties"]["contentFilters"]:
        assert f["enabled"] is True and f["blocking"] is True, f


def policy_filters(rendering: Rendering) -> dict[tuple[str, str], dict]:
    filters = content_filter(rendering).inputs["properties"]["contentFilters"]
    keyed = {(f["name"], f["source"]): f for f in filters}
    assert len(keyed) == len(filters), "duplicate content filter entries"
    return keyed


# ---------------------------------------------------------------------------- deployments


def deployments(rendering: Rendering):
    by_name = {r.inputs["deploymentName"]: r for r in children(rendering, "azure-native:cognitiveservices:Deployment")}
    return [by_name[d.name] for d in rendering.config.openai.deployments]


def test_one_deployment_per_configured_model(rendering):
    rendered = deployments(rendering)
    assert len(rendered) == len(children(rendering, "azure-native:cognitiveservices:Deployment"))
    for configured, deployment in zip(rendering.config.openai.deployments, rendered):
        assert deployment.inputs["accountName"] == account(rendering).inputs["accountName"]
        assert deployment.inputs["sku"] == {"name": configured.sku, "capacity": configured.capacity}
        assert deployment.inputs["properties"]["model"] == {
            "format": "OpenAI", "name": configured.model, "version": configured.version}


def test_deployments_use_the_content_filter_and_never_auto_upgrade(rendering):
    policy_name = content_filter(rendering).inputs["raiPolicyName"]
    for deployment in deployments(rendering):
        assert deployment.inputs["properties"]["raiPolicyName"] == policy_name
        assert deployment.inputs["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"


def test_deployments_are_created_one_after_another_after_the_content_filter(rendering):
    previous = content_filter(rendering)
    for deployment in deployments(rendering):
        assert previous.urn in deployment.depends_on, (deployment.name, previous.name)
        previous = deployment


# ---------------------------------------------------------------------------- endpoint, logs, users


def test_account_has_exactly_one_private_endpoint_for_the_account_group(rendering):
    endpoint = only(rendering, "azure-native:network:PrivateEndpoint")
    (connection,) = endpoint.inputs["privateLinkServiceConnections"]
    assert connection["groupIds"] == ["account"]
    assert connection["privateLinkServiceId"] == account(rendering).id
    # The endpoint sits in its VNet's region.
    assert endpoint.inputs["location"] == rendering.config.location


def test_account_endpoint_has_one_zone_group_holding_exactly_both_openai_zones(rendering):
    endpoint = only(rendering, "azure-native:network:PrivateEndpoint")
    group = only(rendering, "azure-native:network:PrivateDnsZoneGroup")
    assert group.inputs["privateEndpointName"] == endpoint.inputs["privateEndpointName"]
    zone_ids = sorted(c["privateDnsZoneId"] for c in group.inputs["privateDnsZoneConfigs"])
    assert len(zone_ids) == 2
    assert [z for z in zone_ids if z.endswith(OPENAI_ZONES[0])] and [z for z in zone_ids if z.endswith(OPENAI_ZONES[1])]


def test_account_audit_and_request_logs_go_to_log_analytics(rendering):
    setting = only(rendering, "azure-native:monitor:DiagnosticSetting")
    assert setting.inputs["resourceUri"] == account(rendering).id
    assert setting.inputs["workspaceId"]
    logs = {log["category"]: log["enabled"] for log in setting.inputs["logs"]}
    assert logs == {"Audit": True, "RequestResponse": True, "AzureOpenAIRequestUsage": True, "Trace": True}
    assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_configured_users_get_openai_user_on_the_account_only(rendering):
    acct = account(rendering)
    subscription = acct.id.split("/")[2]
    role = f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{OPENAI_USER}"
    grants = [r for r in children(rendering, "azure-native:authorization:RoleAssignment") if r != crypto_grant(rendering)]
    expected = sorted((p.principal_id, p.principal_type) for p in rendering.config.openai.user_principals)
    assert len(grants) == len(expected) > 0
    assert sorted((g.inputs["principalId"], g.inputs["principalType"]) for g in grants) == expected
    assert {g.inputs["roleDefinitionId"] for g in grants} == {role}
    assert {g.inputs["scope"] for g in grants} == {acct.id}
    assert all(GUID.fullmatch(g.inputs["roleAssignmentName"]) for g in grants)


def test_no_account_keys_are_listed_or_rendered(stack_copy, monkeypatch):
    invoked: list[str] = []
    original = AzureMocks.call

    def recording_call(self, args):
        invoked.append(args.token)
        return original(self, args)

    monkeypatch.setattr(AzureMocks, "call", recording_call)
    rendered = render_stack_file(stack_copy(lambda cfg: None))
    assert invoked, "the recorder saw no invokes at all"
    assert [t for t in invoked if re.search(r"list.*keys", t, re.IGNORECASE)] == []
    assert [r.type for r in rendered.resources if re.search(r"list.*keys", r.type, re.IGNORECASE)] == []
    text = str([r.inputs for r in children(rendered, "azure-native:cognitiveservices:Account")])
    assert "key1" not in text and "key2" not in text


# ---------------------------------------------------------------------------- config-driven shape


def test_disabled_openai_renders_no_ai_resources(stack_copy):
    path = stack_copy(lambda cfg: cfg["carelift:openai"].update({"enabled": False}))
    rendered = render_stack_file(path)
    assert [r.name for r in rendered.resources if r.type.startswith("azure-native:cognitiveservices:")] == []
    assert [r.name for r in rendered.resources if r.type == "carelift:ai:PrivateOpenAI"] == []
    assert [r.name for r in rendered.of_type("azure-native:managedidentity:UserAssignedIdentity")
            if r.inputs.get("resourceName", "").endswith("-openai")] == []
    assert [r.name for r in rendered.of_type("azure-native:authorization:RoleAssignment")
            if r.inputs["roleDefinitionId"].endswith((CRYPTO_SERVICE_ENCRYPTION_USER, OPENAI_USER))] == []


def test_a_single_deployment_still_waits_for_the_content_filter(stack_copy):
    def one_model(cfg):
        cfg["carelift:openai"]["deployments"] = cfg["carelift:openai"]["deployments"][:1]

    rendered = render_stack_file(stack_copy(one_model))
    (deployment,) = children(rendered, "azure-native:cognitiveservices:Deployment")
    assert content_filter(rendered).urn in deployment.depends_on
