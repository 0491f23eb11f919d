"""Storage: the evidence archive account, its blob service, containers and immutability policies."""

from __future__ import annotations

from infra.arm import translate
from tests.infra.arm.expected import ARCHIVE, TAGS, TENANT, document, versionless

COVERED = {
    "azure-native:storage:StorageAccount",
    "azure-native:storage:BlobServiceProperties",
    "azure-native:storage:BlobContainer",
    "azure-native:storage:BlobContainerImmutabilityPolicy",
}
BLOB_SERVICE = f"{ARCHIVE}/blobServices/default"


def test_storage_account_uses_arm_names_for_network_acls_and_https_only(prod_rendering):
    doc = document(prod_rendering, "audit-archive-account")
    assert versionless(doc) == {
        "type": "Microsoft.Storage/storageAccounts",
        "name": "strbhprodauditp01",
        "id": ARCHIVE,
        "identity": {"type": "SystemAssigned", "principalId": doc["identity"]["principalId"], "tenantId": TENANT},
        "kind": "StorageV2",
        "location": "eastus2",
        "sku": {"name": "Standard_GRS"},
        "tags": TAGS,
        "properties": {
            "allowBlobPublicAccess": False,
            "allowCrossTenantReplication": False,
            "allowSharedKeyAccess": False,
            "defaultToOAuthAuthentication": True,
            "supportsHttpsTrafficOnly": True,
            "encryption": {
                "keySource": "Microsoft.Storage",
                "requireInfrastructureEncryption": True,
                "services": {"blob": {"enabled": True, "keyType": "Account"},
                             "file": {"enabled": True, "keyType": "Account"}},
            },
            "minimumTlsVersion": "TLS1_2",
            "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny"},
            "publicNetworkAccess": "Disabled",
        },
    }


def test_storage_customer_managed_key_settings_use_arm_lowercase_names():
    # The archive uses Microsoft-managed keys; a migrated account with CMK must still translate right.
    state = {
        "accountName": "stcmk", "resourceGroupName": "rg", "location": "eastus2", "kind": "StorageV2",
        "sku": {"name": "Standard_ZRS"}, "enableNfsV3": False,
        "encryption": {
            "keySource": "Microsoft.Keyvault",
            "keyVaultProperties": {"keyName": "cmk", "keyVaultUri": "https://kv.vault.azure.net/", "keyVersion": ""},
            "encryptionIdentity": {"encryptionUserAssignedIdentity": "/subscriptions/s/uai"},
        },
    }
    doc = translate("azure-native:storage:StorageAccount", state,
                    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stcmk")
    assert doc["properties"] == {
        "isNfsV3Enabled": False,
        "encryption": {
            "keySource": "Microsoft.Keyvault",
            "keyvaultproperties": {"keyname": "cmk", "keyvaulturi": "https://kv.vault.azure.net/", "keyversion": ""},
            "identity": {"userAssignedIdentity": "/subscriptions/s/uai"},
        },
    }


def test_blob_service_is_the_default_child_with_versioning_and_soft_delete(prod_rendering):
    assert versionless(document(prod_rendering, "audit-archive-blob-service")) == {
        "type": "Microsoft.Storage/storageAccounts/blobServices",
        "name": "default",
        "id": BLOB_SERVICE,
        "properties": {
            "changeFeed": {"enabled": True},
            "containerDeleteRetentionPolicy": {"days": 365, "enabled": True},
            "deleteRetentionPolicy": {"days": 365, "enabled": True},
            "isVersioningEnabled": True,
        },
    }


def test_container_sits_under_the_default_blob_service(prod_rendering):
    assert versionless(document(prod_rendering, "audit-archive-evidence")) == {
        "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
        "name": "evidence",
        "id": f"{BLOB_SERVICE}/containers/evidence",
        "properties": {"publicAccess": "None"},
    }


def test_immutability_policy_is_the_default_child_of_its_container(prod_rendering):
    assert versionless(document(prod_rendering, "audit-archive-evidence-immutability")) == {
        "type": "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
        "name": "default",
        "id": f"{BLOB_SERVICE}/containers/evidence/immutabilityPolicies/default",
        "properties": {"allowProtectedAppendWrites": True, "immutabilityPeriodSinceCreationInDays": 2190},
    }
