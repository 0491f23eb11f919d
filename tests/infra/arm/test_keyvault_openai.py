"""Key Vault and its key, the OpenAI identity, account, deployments and content filter."""

from __future__ import annotations

from tests.infra.arm.expected import OPENAI, OPENAI_RG, TAGS, TENANT, VAULT, document, rid, versionless

COVERED = {
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Key",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:cognitiveservices:Account",
    "azure-native:cognitiveservices:Deployment",
    "azure-native:cognitiveservices:RaiPolicy",
}
IDENTITY = rid(OPENAI_RG, "Microsoft.ManagedIdentity/userAssignedIdentities/id-rbh-prod-openai")


def test_vault_keeps_its_properties_input_and_gains_the_vault_uri(prod_rendering):
    assert versionless(document(prod_rendering, "key-vault-vault")) == {
        "type": "Microsoft.KeyVault/vaults",
        "name": "kv-rbh-prod-p01",
        "id": VAULT,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "enablePurgeProtection": True,
            "enableRbacAuthorization": True,
            "enableSoftDelete": True,
            "enabledForDeployment": False,
            "enabledForDiskEncryption": False,
            "enabledForTemplateDeployment": False,
            "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": [],
                            "virtualNetworkRules": []},
            "publicNetworkAccess": "Disabled",
            "sku": {"family": "A", "name": "premium"},
            "softDeleteRetentionInDays": 90,
            "tenantId": TENANT,
            "vaultUri": "https://kv-rbh-prod-p01.vault.azure.net/",
        },
    }


def test_key_is_a_vault_child_with_rotation_policy_and_uris(prod_rendering):
    doc = document(prod_rendering, "key-vault-cmk")
    uri = "https://kv-rbh-prod-p01.vault.azure.net/keys/cmk-rbh-prod"
    assert versionless(doc) == {
        "type": "Microsoft.KeyVault/vaults/keys",
        "name": "cmk-rbh-prod",
        "id": f"{VAULT}/keys/cmk-rbh-prod",
        "tags": TAGS,
        "properties": {
            "attributes": {"enabled": True, "exportable": False},
            "keyOps": ["wrapKey", "unwrapKey"],
            "keySize": 2048,
            "kty": "RSA-HSM",
            "rotationPolicy": {
                "attributes": {"expiryTime": "P2Y"},
                "lifetimeActions": [{"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P18M"}},
                                    {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}}],
            },
            "keyUri": uri,
            "keyUriWithVersion": doc["properties"]["keyUriWithVersion"],
        },
    }
    assert doc["properties"]["keyUriWithVersion"].startswith(f"{uri}/")


def test_user_assigned_identity_exposes_principal_and_client_ids(prod_rendering):
    doc = document(prod_rendering, "openai-identity")
    assert versionless(doc) == {
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
        "name": "id-rbh-prod-openai",
        "id": IDENTITY,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"clientId": doc["properties"]["clientId"], "principalId": doc["properties"]["principalId"],
                       "tenantId": TENANT},
    }


def test_account_maps_user_assigned_identities_by_id(prod_rendering):
    identity = document(prod_rendering, "openai-identity")["properties"]
    assert versionless(document(prod_rendering, "openai-account")) == {
        "type": "Microsoft.CognitiveServices/accounts",
        "name": "oai-rbh-prod",
        "id": OPENAI,
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {
            IDENTITY: {"clientId": identity["clientId"], "principalId": identity["principalId"]}}},
        "kind": "OpenAI",
        "location": "eastus2",
        "sku": {"name": "S0"},
        "tags": TAGS,
        "properties": {
            "allowedFqdnList": ["riverbendhealth.org", "search-rbh-prod.search.windows.net"],
            "customSubDomainName": "oai-rbh-prod-p01",
            "disableLocalAuth": True,
            "encryption": {"keySource": "Microsoft.KeyVault", "keyVaultProperties": {
                "identityClientId": identity["clientId"], "keyName": "cmk-rbh-prod",
                "keyVaultUri": "https://kv-rbh-prod-p01.vault.azure.net/"}},
            "endpoint": "https://oai-rbh-prod-p01.openai.azure.com/",
            "networkAcls": {"bypass": "None", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
            "publicNetworkAccess": "Disabled",
            "restrictOutboundNetworkAccess": True,
        },
    }


def test_deployment_keeps_sku_beside_its_model_properties(prod_rendering):
    assert versionless(document(prod_rendering, "openai-deployment-gpt-clinical")) == {
        "type": "Microsoft.CognitiveServices/accounts/deployments",
        "name": "gpt-clinical",
        "id": f"{OPENAI}/deployments/gpt-clinical",
        "sku": {"capacity": 150, "name": "DataZoneStandard"},
        "tags": TAGS,
        "properties": {"model": {"format": "OpenAI", "name": "gpt-5.1", "version": "2025-11-13"},
                       "raiPolicyName": "rai-rbh-prod-high-risk", "versionUpgradeOption": "NoAutoUpgrade"},
    }


def test_high_risk_content_filter_blocks_every_category_from_low_severity_with_every_shield(prod_rendering):
    def rule(name: str, source: str, **threshold) -> dict:
        return {"blocking": True, "enabled": True, "name": name, **threshold, "source": source}

    graded = [rule(name, source, severityThreshold="Low")
              for name in ("Hate", "Sexual", "Selfharm", "Violence") for source in ("Prompt", "Completion")]
    assert versionless(document(prod_rendering, "openai-content-filter-high-risk")) == {
        "type": "Microsoft.CognitiveServices/accounts/raiPolicies",
        "name": "rai-rbh-prod-high-risk",
        "id": f"{OPENAI}/raiPolicies/rai-rbh-prod-high-risk",
        "tags": TAGS,
        "properties": {
            "basePolicyName": "Microsoft.DefaultV2",
            "contentFilters": [*graded, rule("Jailbreak", "Prompt"), rule("Indirect Attack", "Prompt"),
                               rule("Protected Material Text", "Completion"),
                               rule("Protected Material Code", "Completion")],
            "mode": "Blocking",
        },
    }
