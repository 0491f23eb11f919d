"""Names resources the way an auditor reads them in a finding: "Key Vault 'kv-rbh-prod-p01'"."""

from __future__ import annotations

from infra.compliance.model import Document

NOUNS = {
    "microsoft.keyvault/vaults": "Key Vault",
    "microsoft.keyvault/vaults/keys": "Key Vault key",
    "microsoft.keyvault/vaults/secrets": "Key Vault secret",
    "microsoft.cognitiveservices/accounts": "Azure OpenAI account",
    "microsoft.cognitiveservices/accounts/deployments": "model deployment",
    "microsoft.cognitiveservices/accounts/raipolicies": "content filter",
    "microsoft.network/privateendpoints": "private endpoint",
    "microsoft.network/privateendpoints/privatednszonegroups": "private DNS zone group",
    "microsoft.network/privatednszones": "private DNS zone",
    "microsoft.network/privatednszones/virtualnetworklinks": "private DNS zone link",
    "microsoft.network/virtualnetworks": "virtual network",
    "microsoft.network/virtualnetworks/subnets": "subnet",
    "microsoft.network/networksecuritygroups": "network security group",
    "microsoft.network/networksecuritygroups/securityrules": "security rule",
    "microsoft.network/routetables": "route table",
    "microsoft.network/azurefirewalls": "Azure Firewall",
    "microsoft.network/firewallpolicies": "firewall policy",
    "microsoft.network/networkwatchers/flowlogs": "flow log",
    "microsoft.network/networkinterfaces": "network interface",
    "microsoft.storage/storageaccounts": "storage account",
    "microsoft.storage/storageaccounts/blobservices": "blob service",
    "microsoft.operationalinsights/workspaces": "Log Analytics workspace",
    "microsoft.insights/diagnosticsettings": "diagnostic setting",
    "microsoft.insights/activitylogalerts": "activity-log alert",
    "microsoft.authorization/policyassignments": "policy assignment",
    "microsoft.authorization/roleassignments": "role assignment",
    "microsoft.authorization/locks": "lock",
    "microsoft.security/pricings": "Defender plan",
    "microsoft.sql/servers": "SQL server",
    "microsoft.sql/servers/databases": "SQL database",
    "microsoft.sql/managedinstances": "SQL managed instance",
    "microsoft.sql/servers/firewallrules": "SQL firewall rule",
    "microsoft.web/sites": "App Service app",
    "microsoft.web/sites/slots": "App Service deployment slot",
    "microsoft.web/serverfarms": "App Service plan",
    "microsoft.storage/storageaccounts/blobservices/containers": "blob container",
    "microsoft.compute/virtualmachines/extensions": "VM extension",
    "microsoft.compute/diskencryptionsets": "disk encryption set",
    "microsoft.compute/virtualmachines": "virtual machine",
    "microsoft.compute/disks": "managed disk",
    "microsoft.resources/subscriptions": "subscription",
    "microsoft.resources/resourcegroups": "resource group",
    "microsoft.authorization/policyexemptions": "policy exemption",
    "microsoft.network/publicipaddresses": "public IP address",
    "microsoft.network/bastionhosts": "Bastion host",
    "microsoft.network/virtualnetworkgateways": "virtual network gateway",
    "microsoft.network/networkwatchers": "network watcher",
    "microsoft.network/dnsresolvers": "DNS private resolver",
    "microsoft.network/dnsresolvers/inboundendpoints": "DNS resolver inbound endpoint",
    "microsoft.network/dnsresolvers/outboundendpoints": "DNS resolver outbound endpoint",
    "microsoft.network/dnsforwardingrulesets": "DNS forwarding ruleset",
    "microsoft.managedidentity/userassignedidentities": "managed identity",
    "microsoft.insights/actiongroups": "action group",
    "carelift.ai/usecases": "AI use case",
    "microsoft.apimanagement/service": "API Management service",
    "microsoft.apimanagement/service/backends": "API Management backend",
    "microsoft.apimanagement/service/products": "gateway product",
    "microsoft.apimanagement/service/products/policies": "gateway product policy",
    "microsoft.apimanagement/service/apis/diagnostics": "API diagnostic setting",
}


# Types whose `kind` says what the resource really is: a Cognitive Services account of kind Face is not
# Azure OpenAI, and a site of kind functionapp is a function app.
COGNITIVE_KINDS = {
    "openai": "Azure OpenAI account", "aiservices": "Azure AI Services account",
    "cognitiveservices": "Azure AI services multi-service account", "face": "Face account",
    "formrecognizer": "Document Intelligence account", "textanalytics": "Language account",
    "speechservices": "Speech account", "computervision": "Computer Vision account",
    "contentsafety": "Content Safety account", "texttranslation": "Translator account",
}


def _noun_by_kind(arm_type: str, kind: str) -> str | None:
    kind = kind.strip()
    if arm_type == "microsoft.cognitiveservices/accounts":
        if not kind:
            return "Cognitive Services account"
        return COGNITIVE_KINDS.get(kind.lower(), f"Cognitive Services account (kind {kind})")
    if arm_type in ("microsoft.web/sites", "microsoft.web/sites/slots"):
        kinds = {k.strip() for k in kind.lower().split(",")}
        if "functionapp" in kinds:
            return "function app" if arm_type.endswith("sites") else "function app slot"
        if "workflowapp" in kinds:
            return "Logic App (Standard)"
    return None


def label(document: Document) -> str:
    """``<noun> '<name>'`` for a finding's message."""
    arm_type = str(document.get("type", ""))
    kind = document.get("kind")
    noun = (_noun_by_kind(arm_type.lower(), kind if isinstance(kind, str) else "")
            or NOUNS.get(arm_type.lower(), arm_type.rsplit("/", 1)[-1] or "resource"))
    name = str(document.get("name") or str(document.get("id", "")).rsplit("/", 1)[-1] or "(unnamed)")
    return f"{noun} '{name}'"


def sentence(document: Document, predicate: str) -> str:
    """``Key Vault 'kv-a' <predicate>.`` with the first letter capitalised."""
    text = f"{label(document)} {predicate.rstrip('.')}."
    return text[0].upper() + text[1:]
