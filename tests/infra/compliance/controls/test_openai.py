"""Azure OpenAI controls: accounts, model deployments and content filters."""

from __future__ import annotations

from infra.compliance.controls import openai
from infra.compliance.model import Status
from tests.infra.compliance.arm import controls_of, extension, messages, private_endpoint, rendered_statuses, resource, statuses

ACCOUNT = "Microsoft.CognitiveServices/accounts"
DEPLOYMENT = "Microsoft.CognitiveServices/accounts/deployments"
FILTER = "Microsoft.CognitiveServices/accounts/raiPolicies"
DIAG = "Microsoft.Insights/diagnosticSettings"


def account(name: str, identity: dict | None = None, **properties) -> dict:
    extra = {"identity": identity} if identity is not None else {}
    return resource(ACCOUNT, name, properties, kind="OpenAI", sku={"name": "S0"}, **extra)


def deployment(name: str, **properties) -> dict:
    return resource(DEPLOYMENT, name, {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"},
                                       **properties}, sku={"name": "DataZoneStandard", "capacity": 10})


def entry(name: str, source: str, **settings) -> dict:
    return {"name": name, "source": source, "enabled": True, "blocking": True, **settings}


HARM = [entry(category, source, severityThreshold="Medium")
        for category in ("Hate", "Sexual", "Selfharm", "Violence") for source in ("Prompt", "Completion")]
JAILBREAK = entry("Jailbreak", "Prompt")


def content_filter(name: str, filters: list[dict], mode: str | None = "Blocking") -> dict:
    properties = {"basePolicyName": "Microsoft.DefaultV2", "contentFilters": filters}
    if mode is not None:
        properties["mode"] = mode
    return resource(FILTER, name, properties)


class TestPrivateNetwork:
    def test_pass(self):
        oai = account("oai-private", publicNetworkAccess="Disabled", networkAcls={"defaultAction": "Deny"})
        assert statuses(openai.private_network, [oai]) == {"oai-private": Status.PASS}

    def test_fail_each_way(self):
        documents = [account("oai-public", publicNetworkAccess="Enabled", networkAcls={"defaultAction": "Deny"}),
                     account("oai-allow", publicNetworkAccess="Disabled", networkAcls={"defaultAction": "Allow"}),
                     account("oai-bare")]
        assert statuses(openai.private_network, documents) == {
            "oai-public": Status.FAIL, "oai-allow": Status.FAIL, "oai-bare": Status.FAIL}

    def test_message_names_both_problems(self):
        assert messages(openai.private_network, [account("oai-bare")]) == [
            "Azure OpenAI account 'oai-bare' does not disable public network access (publicNetworkAccess unset: "
            "Azure's default is Enabled) and does not deny by default in its network ACLs (defaultAction unset: "
            "Azure's default is Allow), so prompts can arrive from public networks."]

    def test_empty(self):
        assert statuses(openai.private_network, []) == {}


class TestLocalAuthDisabled:
    def test_pass(self):
        assert statuses(openai.local_auth_disabled, [account("oai-entra", disableLocalAuth=True)]) == {
            "oai-entra": Status.PASS}

    def test_fail_when_false_or_absent(self):
        documents = [account("oai-keys", disableLocalAuth=False), account("oai-default")]
        assert statuses(openai.local_auth_disabled, documents) == {"oai-keys": Status.FAIL, "oai-default": Status.FAIL}

    def test_empty(self):
        assert statuses(openai.local_auth_disabled, []) == {}


class TestPrivateEndpoint:
    def test_pass(self):
        oai = account("oai-pe")
        assert statuses(openai.private_endpoint, [oai, private_endpoint(oai, "pe-oai", "account")]) == {
            "oai-pe": Status.PASS}

    def test_fail_without_or_with_rejected_endpoint(self):
        bare, rejected = account("oai-bare"), account("oai-rejected")
        documents = [bare, rejected, private_endpoint(rejected, "pe-oai", "account", status="Rejected")]
        assert statuses(openai.private_endpoint, documents) == {"oai-bare": Status.FAIL, "oai-rejected": Status.FAIL}

    def test_empty(self):
        assert statuses(openai.private_endpoint, []) == {}


class TestManagedIdentity:
    def test_pass_with_system_user_or_both(self):
        documents = [account("oai-system", identity={"type": "SystemAssigned"}),
                     account("oai-user", identity={"type": "UserAssigned", "userAssignedIdentities": {"/id": {}}}),
                     account("oai-both", identity={"type": "SystemAssigned, UserAssigned"})]
        assert statuses(openai.managed_identity, documents) == {
            "oai-system": Status.PASS, "oai-user": Status.PASS, "oai-both": Status.PASS}

    def test_fail_with_none_or_absent(self):
        documents = [account("oai-none", identity={"type": "None"}), account("oai-absent")]
        assert statuses(openai.managed_identity, documents) == {"oai-none": Status.FAIL, "oai-absent": Status.FAIL}

    def test_empty(self):
        assert statuses(openai.managed_identity, []) == {}


class TestCustomerManagedKey:
    def test_pass(self):
        oai = account("oai-cmk", encryption={"keySource": "Microsoft.KeyVault", "keyVaultProperties": {
            "keyVaultUri": "https://kv-a.vault.azure.net/", "keyName": "cmk", "identityClientId": "c"}})
        assert messages(openai.customer_managed_key, [oai]) == [
            "Azure OpenAI account 'oai-cmk' encrypts data with key 'cmk' from https://kv-a.vault.azure.net/."]

    def test_fail_with_microsoft_keys_incomplete_or_absent(self):
        documents = [account("oai-mmk", encryption={"keySource": "Microsoft.CognitiveServices"}),
                     account("oai-half", encryption={"keySource": "Microsoft.KeyVault", "keyVaultProperties": {}}),
                     account("oai-absent")]
        assert statuses(openai.customer_managed_key, documents) == {
            "oai-mmk": Status.FAIL, "oai-half": Status.FAIL, "oai-absent": Status.FAIL}

    def test_empty(self):
        assert statuses(openai.customer_managed_key, []) == {}


class TestLogsCollected:
    def test_pass_with_categories_or_all_logs(self):
        by_category, by_group = account("oai-categories"), account("oai-all")
        documents = [by_category, by_group,
                     extension(by_category, DIAG, "d", {"workspaceId": "/w", "logs": [
                         {"category": "Audit", "enabled": True}, {"category": "RequestResponse", "enabled": True}]}),
                     extension(by_group, DIAG, "d", {"workspaceId": "/w", "logs": [
                         {"categoryGroup": "allLogs", "enabled": True}]})]
        assert statuses(openai.logs_collected, documents) == {"oai-categories": Status.PASS, "oai-all": Status.PASS}

    def test_fail_each_way(self):
        audit_only, disabled, storage_only, bare = (account("oai-audit-only"), account("oai-disabled"),
                                                    account("oai-storage-only"), account("oai-bare"))
        documents = [audit_only, disabled, storage_only, bare,
                     # The audit group carries Audit but not RequestResponse.
                     extension(audit_only, DIAG, "d", {"workspaceId": "/w", "logs": [
                         {"categoryGroup": "audit", "enabled": True}]}),
                     extension(disabled, DIAG, "d", {"workspaceId": "/w", "logs": [
                         {"categoryGroup": "allLogs", "enabled": False}]}),
                     extension(storage_only, DIAG, "d", {"storageAccountId": "/s", "logs": [
                         {"categoryGroup": "allLogs", "enabled": True}]})]
        assert statuses(openai.logs_collected, documents) == {
            "oai-audit-only": Status.FAIL, "oai-disabled": Status.FAIL, "oai-storage-only": Status.FAIL,
            "oai-bare": Status.FAIL}
        assert messages(openai.logs_collected, documents[:1] + documents[4:5]) == [
            "Azure OpenAI account 'oai-audit-only' does not send RequestResponse logs to a Log Analytics workspace, "
            "so its use cannot be reviewed."]

    def test_empty(self):
        assert statuses(openai.logs_collected, []) == {}


class TestCustomSubdomain:
    def test_pass(self):
        assert statuses(openai.custom_subdomain, [account("oai-sub", customSubDomainName="oai-rbh")]) == {
            "oai-sub": Status.PASS}

    def test_fail_when_empty_or_absent(self):
        documents = [account("oai-empty", customSubDomainName=""), account("oai-absent")]
        assert statuses(openai.custom_subdomain, documents) == {"oai-empty": Status.FAIL, "oai-absent": Status.FAIL}

    def test_empty(self):
        assert statuses(openai.custom_subdomain, []) == {}


class TestOutboundRestricted:
    def test_pass_with_allow_list_or_no_egress_at_all(self):
        documents = [account("oai-list", restrictOutboundNetworkAccess=True,
                             allowedFqdnList=["srch.search.windows.net"]),
                     account("oai-none", restrictOutboundNetworkAccess=True)]
        assert statuses(openai.outbound_restricted, documents) == {"oai-list": Status.PASS, "oai-none": Status.PASS}
        assert messages(openai.outbound_restricted, documents[:1]) == [
            "Azure OpenAI account 'oai-list' restricts outbound network access to only srch.search.windows.net."]

    def test_fail_when_unrestricted_or_absent(self):
        documents = [account("oai-open", restrictOutboundNetworkAccess=False, allowedFqdnList=["a.example.org"]),
                     account("oai-absent")]
        assert statuses(openai.outbound_restricted, documents) == {"oai-open": Status.FAIL, "oai-absent": Status.FAIL}

    def test_empty(self):
        assert statuses(openai.outbound_restricted, []) == {}


class TestUsesContentFilter:
    def test_pass_when_filter_is_defined_on_the_account(self):
        documents = [account("oai"), content_filter("oai/rai-blocking", HARM + [JAILBREAK]),
                     deployment("oai/gpt-4o", raiPolicyName="rai-blocking")]
        assert statuses(openai.uses_content_filter, documents) == {"gpt-4o": Status.PASS}

    def test_fail_when_absent_undefined_or_on_another_account(self):
        documents = [account("oai"), account("oai-other"), content_filter("oai-other/rai-elsewhere", [JAILBREAK]),
                     deployment("oai/no-filter"),
                     deployment("oai/builtin", raiPolicyName="Microsoft.DefaultV2"),
                     deployment("oai/elsewhere", raiPolicyName="rai-elsewhere")]
        assert statuses(openai.uses_content_filter, documents) == {
            "no-filter": Status.FAIL, "builtin": Status.FAIL, "elsewhere": Status.FAIL}

    def test_empty(self):
        assert statuses(openai.uses_content_filter, []) == {}


class TestBlockingWithJailbreak:
    def test_pass(self):
        assert statuses(openai.blocking_with_jailbreak, [content_filter("oai/rai", HARM + [JAILBREAK])]) == {
            "rai": Status.PASS}

    def test_fail_each_way(self):
        documents = [content_filter("oai/async", HARM + [JAILBREAK], mode="Asynchronous_filter"),
                     content_filter("oai/no-mode", HARM + [JAILBREAK], mode=None),
                     content_filter("oai/no-jailbreak", HARM),
                     content_filter("oai/annotate-only", HARM + [entry("Jailbreak", "Prompt", blocking=False)]),
                     content_filter("oai/disabled", HARM + [entry("Jailbreak", "Prompt", enabled=False)])]
        assert statuses(openai.blocking_with_jailbreak, documents) == {
            "async": Status.FAIL, "no-mode": Status.FAIL, "no-jailbreak": Status.FAIL,
            "annotate-only": Status.FAIL, "disabled": Status.FAIL}

    def test_message(self):
        assert messages(openai.blocking_with_jailbreak, [content_filter("oai/async", HARM, mode="Deferred")]) == [
            "Content filter 'async' uses mode Deferred, not Blocking and does not block jailbreak attempts in prompts."]

    def test_empty(self):
        assert statuses(openai.blocking_with_jailbreak, []) == {}


class TestHarmCategoriesBlocked:
    def test_pass_at_low_or_medium(self):
        low = [{**e, "severityThreshold": "Low"} for e in HARM]
        documents = [content_filter("oai/medium", HARM), content_filter("oai/low", low)]
        assert statuses(openai.harm_categories_blocked, documents) == {"medium": Status.PASS, "low": Status.PASS}

    def test_fail_each_way(self):
        high = [{**e, "severityThreshold": "High"} if e["name"] == "Hate" else e for e in HARM]
        no_completion = [e for e in HARM if e["source"] == "Prompt"]
        annotate = [{**e, "blocking": False} if e["name"] == "Violence" else e for e in HARM]
        documents = [content_filter("oai/high", high), content_filter("oai/prompt-only", no_completion),
                     content_filter("oai/annotate", annotate), content_filter("oai/empty", [])]
        assert statuses(openai.harm_categories_blocked, documents) == {
            "high": Status.FAIL, "prompt-only": Status.FAIL, "annotate": Status.FAIL, "empty": Status.FAIL}
        assert messages(openai.harm_categories_blocked, documents[:1]) == [
            "Content filter 'high' does not block at medium severity or lower: hate (prompt), hate (completion)."]

    def test_empty(self):
        assert statuses(openai.harm_categories_blocked, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(openai)) == {c.id: {Status.PASS} for c in controls_of(openai)}
