"""The live reader against a local HTTPS Azure Resource Manager, with the real azure-mgmt-resource client.

No SDK internals are patched: the client gets the server's base URL, the test CA and a test
credential, exactly as a user on another cloud endpoint would configure it.
"""

from __future__ import annotations

import time

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from infra.compliance.controls import keyvault
from infra.compliance.model import Unknown
from infra.compliance.engine import evaluate
from infra.compliance.live import LiveReadError, read_subscription
from infra.compliance.model import Status
from tests.infra.compliance.arm_server import TOKEN, FakeArm, make_certificates

SUB = "11111111-2222-3333-4444-555555555555"
SEC = f"/subscriptions/{SUB}/resourceGroups/rg-security"
NET = f"/subscriptions/{SUB}/resourceGroups/rg-network"
KV = f"{SEC}/providers/Microsoft.KeyVault/vaults/kv-a"
PE = f"{SEC}/providers/Microsoft.Network/privateEndpoints/pe-kv"
ST = f"{SEC}/providers/Microsoft.Storage/storageAccounts/staudit"
OAI = f"{SEC}/providers/Microsoft.CognitiveServices/accounts/oai-a"
VNET = f"{NET}/providers/Microsoft.Network/virtualNetworks/vnet-hub"
NSG = f"{NET}/providers/Microsoft.Network/networkSecurityGroups/nsg-a"
NW = f"{NET}/providers/Microsoft.Network/networkWatchers/nw-eastus2"
DIAG = "providers/Microsoft.Insights/diagnosticSettings"


class StaticCredential:
    """A TokenCredential handing out a fixed token, recording the scopes asked for."""

    def __init__(self, token: str = TOKEN):
        self.token, self.scopes = token, []

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **kwargs) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


def doc(resource_id: str, arm_type: str, properties: dict | None = None, **extra) -> dict:
    return {"id": resource_id, "name": resource_id.rsplit("/", 1)[-1], "type": arm_type,
            "properties": properties or {}, **extra}


def populate(arm: FakeArm) -> None:
    """A small landing zone: a vault with a key, logs and a lock; its endpoint; an evidence account;
    an OpenAI account; a VNet, an NSG and a watcher with a flow log; subscription-wide settings."""
    arm.provider("Microsoft.KeyVault", {"vaults": ["2023-07-01", "2024-11-01", "2025-05-01-preview"]})
    arm.provider("Microsoft.Network", {t: ["2024-05-01", "2024-07-01"] for t in (
        "privateEndpoints", "virtualNetworks", "networkSecurityGroups", "networkWatchers", "networkWatchers/flowLogs")})
    arm.provider("Microsoft.Storage", {"storageAccounts": ["2023-05-01", "2025-01-01"],
                                       "storageAccounts/blobServices": ["2023-05-01", "2025-01-01"]})
    arm.provider("Microsoft.CognitiveServices", {"accounts": ["2024-10-01", "2025-06-01", "2025-07-01-preview"]})
    for group in (SEC, NET):
        arm.add(doc(group, "Microsoft.Resources/resourceGroups", {"provisioningState": "Succeeded"}, location="eastus2"))
    arm.add(doc(KV, "Microsoft.KeyVault/vaults", {"enablePurgeProtection": True, "publicNetworkAccess": "Disabled"},
                location="eastus2", tags={"data-classification": "phi"}), listed=True)
    arm.add(doc(f"{KV}/keys/cmk", "Microsoft.KeyVault/vaults/keys", {"kty": "RSA-HSM", "keySize": 4096}))
    arm.add(doc(f"{KV}/{DIAG}/to-law", "Microsoft.Insights/diagnosticSettings",
                {"workspaceId": "/w", "logs": [{"categoryGroup": "audit", "enabled": True}]}))
    arm.add(doc(f"{KV}/providers/Microsoft.Authorization/locks/kv-lock", "Microsoft.Authorization/locks",
                {"level": "CanNotDelete"}))
    arm.add(doc(PE, "Microsoft.Network/privateEndpoints", {"privateLinkServiceConnections": [
        {"name": "kv", "properties": {"privateLinkServiceId": KV, "groupIds": ["vault"]}}]}), listed=True)
    arm.add(doc(f"{PE}/privateDnsZoneGroups/default", "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                {"privateDnsZoneConfigs": []}))
    arm.add(doc(ST, "Microsoft.Storage/storageAccounts", {"allowSharedKeyAccess": False}, kind="StorageV2"), listed=True)
    arm.add(doc(f"{ST}/blobServices/default", "Microsoft.Storage/storageAccounts/blobServices",
                {"isVersioningEnabled": True}))
    arm.add(doc(f"{ST}/blobServices/default/containers/evidence", "Microsoft.Storage/storageAccounts/blobServices/containers",
                {"hasImmutabilityPolicy": True}))
    arm.add(doc(f"{ST}/blobServices/default/containers/evidence/immutabilityPolicies/default",
                "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
                {"immutabilityPeriodSinceCreationInDays": 2190, "state": "Unlocked"}))
    arm.add(doc(OAI, "Microsoft.CognitiveServices/accounts", {"disableLocalAuth": True}, kind="OpenAI"), listed=True)
    arm.add(doc(f"{OAI}/deployments/gpt-4o", "Microsoft.CognitiveServices/accounts/deployments",
                {"raiPolicyName": "strict"}))
    arm.add(doc(f"{OAI}/raiPolicies/strict", "Microsoft.CognitiveServices/accounts/raiPolicies", {"mode": "Blocking"}))
    arm.add(doc(VNET, "Microsoft.Network/virtualNetworks", {"subnets": [
        {"name": "snet-a", "id": f"{VNET}/subnets/snet-a", "properties": {"networkSecurityGroup": {"id": NSG}}}]}),
        listed=True)
    arm.add(doc(NSG, "Microsoft.Network/networkSecurityGroups", {"securityRules": []}), listed=True)
    arm.add(doc(NW, "Microsoft.Network/networkWatchers", {}), listed=True)
    # Flow logs are tracked resources: listed, and also read as the watcher's children.
    arm.add(doc(f"{NW}/flowLogs/fl-hub", "Microsoft.Network/networkWatchers/flowLogs",
                {"targetResourceId": VNET, "enabled": True}), listed=True)
    subscription = f"/subscriptions/{SUB}"
    arm.add(doc(f"{subscription}/{DIAG}/activity", "Microsoft.Insights/diagnosticSettings", {"workspaceId": "/w"}))
    arm.add(doc(f"{subscription}/providers/Microsoft.Authorization/policyAssignments/hipaa",
                "Microsoft.Authorization/policyAssignments", {"enforcementMode": "Default"}))
    arm.add(doc(f"{subscription}/providers/Microsoft.Authorization/roleAssignments/ra-1",
                "Microsoft.Authorization/roleAssignments", {"principalType": "Group"}))
    arm.add(doc(f"{subscription}/providers/Microsoft.Security/pricings/KeyVaults", "Microsoft.Security/pricings",
                {"pricingTier": "Standard"}))
    arm.add(doc(f"{NET}/providers/Microsoft.Authorization/locks/rg-lock", "Microsoft.Authorization/locks",
                {"level": "CanNotDelete"}))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("arm-tls"))


@pytest.fixture
def arm(certificates):
    with FakeArm(certificates, SUB) as server:
        populate(server)
        yield server


def read(arm: FakeArm, certificates, credential=None, **options):
    # Small backoff and timeout keep retries fast; Retry-After is still honoured as sent.
    settings = {"retries": 2, "backoff": 0.01, "timeout": 5.0, **options}
    return read_subscription(SUB, credential=credential or StaticCredential(), base_url=arm.base_url,
                             connection_verify=str(certificates.ca), **settings)


def ids(snapshot) -> set[str]:
    return {d["id"] for d in snapshot.documents}


def error_of(arm: FakeArm, certificates, **options) -> str:
    with pytest.raises(LiveReadError) as caught:
        read(arm, certificates, **options)
    assert TOKEN not in str(caught.value)
    return str(caught.value)


class TestHappyPath:
    def test_documents_include_children_and_extension_resources(self, arm, certificates):
        snapshot = read(arm, certificates)
        assert snapshot.warnings == ()
        assert ids(snapshot) == {
            SEC, NET, KV, f"{KV}/keys/cmk", f"{KV}/{DIAG}/to-law", f"{KV}/providers/Microsoft.Authorization/locks/kv-lock",
            PE, f"{PE}/privateDnsZoneGroups/default", ST, f"{ST}/blobServices/default",
            f"{ST}/blobServices/default/containers/evidence",
            f"{ST}/blobServices/default/containers/evidence/immutabilityPolicies/default",
            OAI, f"{OAI}/deployments/gpt-4o", f"{OAI}/raiPolicies/strict", VNET, NSG, NW, f"{NW}/flowLogs/fl-hub",
            f"/subscriptions/{SUB}/{DIAG}/activity",
            f"/subscriptions/{SUB}/providers/Microsoft.Authorization/policyAssignments/hipaa",
            f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/ra-1",
            f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings/KeyVaults",
            f"{NET}/providers/Microsoft.Authorization/locks/rg-lock"}
        assert [d["id"] for d in snapshot.documents] == sorted(ids(snapshot), key=str.lower)

    def test_each_resource_is_read_with_the_newest_stable_api_version(self, arm, certificates):
        snapshot = read(arm, certificates)
        vault = next(d for d in snapshot.documents if d["id"] == KV)
        assert vault["properties"] == {"enablePurgeProtection": True, "publicNetworkAccess": "Disabled"}
        assert vault["apiVersion"] == "2024-11-01"
        assert [r.query["api-version"] for r in arm.seen(r"/vaults/kv-a$")] == ["2024-11-01"]
        assert [r.query["api-version"] for r in arm.seen(r"/accounts/oai-a$")] == ["2025-06-01"]
        # Key versions come from the vault's when the provider does not list vaults/keys.
        assert {r.query["api-version"] for r in arm.seen(r"/vaults/kv-a/keys$")} == {"2024-11-01"}

    def test_providers_are_asked_once_per_namespace(self, arm, certificates):
        read(arm, certificates, workers=4)
        assert len(arm.seen(r"^/subscriptions/[^/]+/providers/Microsoft.Network$")) == 1

    def test_only_get_requests_with_the_bearer_token(self, arm, certificates):
        credential = StaticCredential()
        read(arm, certificates, credential=credential)
        assert arm.requests and all(r.authorization == f"Bearer {TOKEN}" for r in arm.requests)
        assert not any(r.path.startswith("POST") for r in arm.requests)
        assert set(credential.scopes) == {("https://management.azure.com/.default",)}

    def test_the_catalog_follows_ids_across_the_live_documents(self, arm, certificates):
        snapshot = read(arm, certificates)
        result = evaluate(snapshot.documents, [keyvault.purge_protection, keyvault.audit_events_logged])
        assert {(f.control, f.resource_id): f.status for f in result.findings} == {
            ("CL-KV-001", KV): Status.PASS, ("CL-KV-007", KV): Status.PASS}

    def test_inherited_management_group_assignments_count_for_the_subscription(self, arm, certificates):
        from infra.compliance.controls import governance

        group = "/providers/Microsoft.Management/managementGroups/rbh"
        arm.inherited_assignments.append(doc(
            f"{group}/providers/Microsoft.Authorization/policyAssignments/hipaa-hitrust",
            "Microsoft.Authorization/policyAssignments",
            {"scope": group, "enforcementMode": "Default", "policyDefinitionId":
             "/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab"}))
        snapshot = read(arm, certificates)
        assert f"{group}/subscriptions/{SUB}" in ids(snapshot)
        (finding,) = evaluate(snapshot.documents, [governance.hipaa_initiative]).findings
        assert finding.status is Status.PASS, finding.message

    def test_resource_group_scope(self, arm, certificates):
        snapshot = read(arm, certificates, resource_group="rg-network")
        assert ids(snapshot) == {
            NET, VNET, NSG, NW, f"{NW}/flowLogs/fl-hub", f"{NET}/providers/Microsoft.Authorization/locks/rg-lock",
            f"/subscriptions/{SUB}/{DIAG}/activity",
            f"/subscriptions/{SUB}/providers/Microsoft.Authorization/policyAssignments/hipaa",
            f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/ra-1",
            f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings/KeyVaults"}
        assert arm.seen(r"/resourceGroups/rg-network/resources$") and not arm.seen(rf"^/subscriptions/{SUB}/resources$")

    def test_pagination_across_two_pages(self, arm, certificates):
        arm.page_size = 4
        for name in ("rsa-1", "rsa-2", "rsa-3", "rsa-4"):
            arm.add(doc(f"{KV}/keys/{name}", "Microsoft.KeyVault/vaults/keys", {"kty": "RSA-HSM"}))
        snapshot = read(arm, certificates)
        assert {f"{KV}/keys/cmk", f"{KV}/keys/rsa-4", NW, f"{NW}/flowLogs/fl-hub"} <= ids(snapshot)
        assert len(arm.seen(rf"^/subscriptions/{SUB}/resources$")) == 2  # 8 listed resources, 4 a page
        assert [r.query.get("$skiptoken") for r in arm.seen(r"/vaults/kv-a/keys$")] == [None, "4"]


class TestFailures:
    def test_401_says_the_credential_was_rejected(self, arm, certificates):
        message = error_of(arm, certificates, credential=StaticCredential("expired-token"))
        assert message.startswith("Azure Resource Manager rejected the credential (401 InvalidAuthenticationToken) "
                                  f"when asked to list the resources of subscription {SUB}")
        assert "expired-token" not in message

    def test_no_credential_at_all(self, arm, certificates):
        class NoCredential:
            def get_token(self, *scopes, **kwargs):
                raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token.\nEnvironment...")

        assert error_of(arm, certificates, credential=NoCredential()) == (
            f"No Azure credential could get a token to list the resources of subscription {SUB}: sign in with "
            "`az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal "
            "(DefaultAzureCredential failed to retrieve a token).")
        assert arm.requests == []

    def test_403_says_which_reader_role_is_missing(self, arm, certificates):
        arm.fail(r"/resources$", 403, code="AuthorizationFailed", message="The client 'x' does not have authorization")
        assert error_of(arm, certificates) == (
            f"The credential lacks Reader on subscription {SUB}: Azure refused to list the resources "
            "(403 AuthorizationFailed). Grant the identity the Reader role there.")
        assert error_of(arm, certificates, resource_group="rg-network").startswith(
            f"The credential lacks Reader on resource group rg-network of subscription {SUB}")

    def test_404_for_an_unknown_resource_group(self, arm, certificates):
        arm.fail(r"/resourceGroups/rg-typo/resources$", 404, code="ResourceGroupNotFound",
                 message="Resource group 'rg-typo' could not be found.")
        assert error_of(arm, certificates, resource_group="rg-typo") == (
            f"Azure Resource Manager found nothing when asked to list the resources of resource group rg-typo of "
            f"subscription {SUB} (404 ResourceGroupNotFound: Resource group 'rg-typo' could not be found.): check the "
            "subscription id and resource group name.")

    def test_429_waits_for_retry_after_then_succeeds(self, arm, certificates):
        arm.fail(r"/resources$", 429, times=1, headers={"Retry-After": "1"}, code="TooManyRequests")
        snapshot = read(arm, certificates)
        assert KV in ids(snapshot)
        first, second = arm.seen(rf"^/subscriptions/{SUB}/resources$")
        assert second.at - first.at >= 0.9  # the backoff alone is 0.01 s

    def test_500_is_retried_then_reported(self, arm, certificates):
        arm.fail(r"/resources$", 500, code="InternalServerError", message="Something went wrong.")
        assert error_of(arm, certificates, retries=2) == (
            "Azure Resource Manager kept failing (500 InternalServerError) after 3 attempts when asked to list the "
            f"resources of subscription {SUB}: Something went wrong.")
        assert len(arm.seen(r"/resources$")) == 3

    def test_timeout_is_reported(self, arm, certificates):
        arm.fail(r"/resources$", 200, delay=1.0)
        assert error_of(arm, certificates, timeout=0.3, retries=1) == (
            "Azure Resource Manager at " + arm.base_url.removeprefix("https://") + " did not answer within 0.3 s "
            f"(2 attempts) when asked to list the resources of subscription {SUB}.")

    @pytest.mark.parametrize("status, code", [(500, "InternalServerError"), (403, "AuthorizationFailed")])
    def test_a_resource_whose_get_fails_is_a_warning(self, arm, certificates, status, code):
        arm.fail(r"/vaults/kv-a$", status, code=code, message="No.")
        snapshot = read(arm, certificates)
        assert snapshot.warnings == (
            f"Could not read {KV} ({status} {code}: No.); it is audited from its listing only, so controls that "
            "read its properties report it `manual`.",)
        vault = next(d for d in snapshot.documents if d["id"] == KV)
        assert vault["tags"] == {"data-classification": "phi"}
        # What was not read is unknown, not absent: a control that needs it is manual, not failed.
        assert isinstance(vault["properties"], Unknown)
        assert vault["properties"].why == f"was not read (it could not be read: {status} {code}: No.)"
        assert f"{KV}/keys/cmk" in ids(snapshot)

    def test_a_resource_deleted_while_reading_is_left_out(self, arm, certificates):
        arm.fail(r"/vaults/kv-a$", 404, code="ResourceNotFound", message="gone")
        snapshot = read(arm, certificates)
        assert KV not in ids(snapshot)
        assert snapshot.warnings == (f"{KV} disappeared while the subscription was read (404); it is not audited.",)

    def test_an_unreadable_subscription_list_is_a_warning(self, arm, certificates):
        arm.fail(r"Microsoft.Security/pricings$", 403, code="AuthorizationFailed", message="Denied.")
        snapshot = read(arm, certificates)
        assert snapshot.warnings == (f"Could not read the Defender plans of subscription {SUB} (403 AuthorizationFailed: "
                                     "Denied.); controls that need them will fail.",)
        assert KV in ids(snapshot)

    def test_a_type_without_a_known_api_version_is_audited_from_its_listing(self, arm, certificates):
        # Microsoft.Web is not registered with the fake ARM: providers.get answers 404.
        site = arm.add(doc(f"{SEC}/providers/Microsoft.Web/sites/app-a", "Microsoft.Web/sites", {"httpsOnly": True},
                           location="eastus2"), listed=True)
        snapshot = read(arm, certificates)
        assert snapshot.warnings == (
            "Could not read resource provider Microsoft.Web (404 InvalidResourceNamespace: not found).",
            f"No API version of Microsoft.Web/sites could be found, so {site['id']} is audited from its listing only "
            "and controls that read its properties report it `manual`.")
        assert next(d for d in snapshot.documents if d["id"] == site["id"]).get("location") == "eastus2"

    def test_next_link_to_another_host_is_not_followed(self, arm, certificates):
        arm.fail(r"/vaults/kv-a/keys$", 200, times=1)
        arm.faults[-1].body = {"value": [], "nextLink": "https://collector.example/steal?api-version=1"}
        snapshot = read(arm, certificates)
        assert snapshot.warnings == (f"Ignored a nextLink of {KV}/keys pointing outside "
                                     f"{arm.base_url.removeprefix('https://')}; later pages were not read.",)


class TestTls:
    def test_an_untrusted_certificate_fails_before_anything_is_sent(self, arm, certificates, tmp_path):
        other = make_certificates(tmp_path / "other", "Some Other CA")
        message = error_of(arm, other)
        assert message.startswith(f"The TLS certificate of {arm.base_url.removeprefix('https://')} could not be verified")
        assert arm.requests == []

    def test_verification_cannot_be_turned_off(self, arm, certificates):
        with pytest.raises(ValueError, match="TLS verification stays on"):
            read_subscription(SUB, credential=StaticCredential(), base_url=arm.base_url, connection_verify=False)
