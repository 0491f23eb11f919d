"""Shared pieces of the hand-written ARM documents the translation is compared with.

The values are what Azure Resource Manager returns for the production stack
(stacks/Pulumi.prod.yaml) in the render's offline subscription.
"""

from __future__ import annotations

from typing import Any

from infra.arm import to_arm_document
from infra.render import OFFLINE_SUBSCRIPTION_ID, OFFLINE_TENANT_ID, Rendering

SUB = OFFLINE_SUBSCRIPTION_ID
TENANT = OFFLINE_TENANT_ID
SUBSCRIPTION = f"/subscriptions/{SUB}"
MANAGEMENT_GROUPS = "/providers/Microsoft.Management/managementGroups"
TAGS = {"cost-center": "CC-4410-ITINFRA", "data-classification": "phi", "environment": "prod",
        "owner": "cloud-platform@riverbendhealth.org"}

AI, CONNECTIVITY, DNS, MANAGEMENT, OPENAI_RG, SECURITY, SHARED = (
    "rg-rbh-prod-ai", "rg-rbh-prod-connectivity", "rg-rbh-prod-dns", "rg-rbh-prod-management",
    "rg-rbh-prod-openai", "rg-rbh-prod-security", "rg-rbh-prod-shared")


def rid(resource_group: str, path: str) -> str:
    """``rid("rg", "Microsoft.Network/virtualNetworks/vnet")``: a resource id in the offline subscription."""
    return f"{SUBSCRIPTION}/resourceGroups/{resource_group}/providers/{path}"


HUB_VNET = rid(CONNECTIVITY, "Microsoft.Network/virtualNetworks/vnet-rbh-prod-hub")
WORKSPACE = rid(MANAGEMENT, "Microsoft.OperationalInsights/workspaces/log-rbh-prod")
ARCHIVE = rid(MANAGEMENT, "Microsoft.Storage/storageAccounts/strbhprodauditp01")
VAULT = rid(SECURITY, "Microsoft.KeyVault/vaults/kv-rbh-prod-p01")
OPENAI = rid(OPENAI_RG, "Microsoft.CognitiveServices/accounts/oai-rbh-prod")


def document(rendering: Rendering, name: str) -> dict[str, Any]:
    """The ARM document of the rendered resource with logical name `name`."""
    return to_arm_document(rendering.named(name))


def versionless(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` without apiVersion: tests/infra/arm/test_documents.py checks versions against the SDK."""
    assert doc["apiVersion"], doc["id"]
    return {key: value for key, value in doc.items() if key != "apiVersion"}
