"""The AI gateway: API Management service, its API, backend, products, policies and groups, and its private DNS
names."""

from __future__ import annotations

from tests.infra.arm.expected import DNS, OPENAI_RG, TAGS, document, rid, versionless

COVERED = {
    "azure-native:apimanagement:ApiManagementService",
    "azure-native:apimanagement:Backend",
    "azure-native:apimanagement:Api",
    "azure-native:apimanagement:ApiPolicy",
    "azure-native:apimanagement:ApiDiagnostic",
    "azure-native:apimanagement:Logger",
    "azure-native:apimanagement:Product",
    "azure-native:apimanagement:ProductApi",
    "azure-native:apimanagement:ProductPolicy",
    "azure-native:apimanagement:Group",
    "azure-native:apimanagement:ProductGroup",
    "azure-native:privatedns:PrivateRecordSet",
}
SERVICE = rid(OPENAI_RG, "Microsoft.ApiManagement/service/apim-rbh-prod-p01")
ZONE = rid(DNS, "Microsoft.Network/privateDnsZones/azure-api.net")


def test_service_is_internal_with_its_subnet_identity_and_hardened_protocols(prod_rendering):
    doc = versionless(document(prod_rendering, "ai-gateway-service"))
    assert {k: doc[k] for k in ("type", "name", "id", "location", "sku", "tags")} == {
        "type": "Microsoft.ApiManagement/service", "name": "apim-rbh-prod-p01", "id": SERVICE,
        "location": "eastus2", "sku": {"capacity": 1, "name": "Premium"}, "tags": TAGS}
    assert doc["identity"]["type"] == "SystemAssigned"
    props = doc["properties"]
    assert props["virtualNetworkType"] == "Internal"
    assert props["virtualNetworkConfiguration"]["subnetResourceId"].endswith(
        "/virtualNetworks/vnet-rbh-prod-ai/subnets/snet-apim")
    assert props["privateIPAddresses"] == ["10.43.0.132"]  # Azure's answer: the subnet's first usable address
    assert props["customProperties"][
        "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"] == "False"


def test_backend_points_at_the_private_account_over_https(prod_rendering):
    assert versionless(document(prod_rendering, "ai-gateway-backend")) == {
        "type": "Microsoft.ApiManagement/service/backends",
        "name": "azure-openai",
        "id": f"{SERVICE}/backends/azure-openai",
        "properties": {
            "description": "The private Azure OpenAI account (reached through its private endpoint).",
            "protocol": "http",
            "tls": {"validateCertificateChain": True, "validateCertificateName": True},
            "url": "https://oai-rbh-prod-p01.openai.azure.com/openai",
        },
    }


def test_product_is_the_use_case_with_approval_required(prod_rendering):
    assert versionless(document(prod_rendering, "ai-gateway-product-it-helpdesk-assistant")) == {
        "type": "Microsoft.ApiManagement/service/products",
        "name": "it-helpdesk-assistant",
        "id": f"{SERVICE}/products/it-helpdesk-assistant",
        "properties": {
            "approvalRequired": True,
            "description": "Answers staff questions about IT services from the knowledge base. Owner "
                           "it-service-desk@riverbendhealth.org; review due 2027-02-20.",
            "displayName": "IT help-desk assistant",
            "state": "published",
            "subscriptionRequired": True,
            "subscriptionsLimit": 10,
        },
    }


def test_private_a_record_keeps_its_type_in_the_id_only(prod_rendering):
    assert versionless(document(prod_rendering, "ai-gateway-zone-apim-rbh-prod-p01")) == {
        "type": "Microsoft.Network/privateDnsZones/A",
        "name": "apim-rbh-prod-p01",
        "id": f"{ZONE}/A/apim-rbh-prod-p01",
        "properties": {"aRecords": [{"ipv4Address": "10.43.0.132"}], "ttl": 300},
    }


def test_product_policy_and_api_link_nest_under_the_product(prod_rendering):
    policy = versionless(document(prod_rendering, "ai-gateway-product-it-helpdesk-assistant-policy"))
    assert policy["id"] == f"{SERVICE}/products/it-helpdesk-assistant/policies/policy"
    assert policy["properties"]["format"] == "rawxml"
    assert 'tokens-per-minute="30000"' in policy["properties"]["value"]
    link = versionless(document(prod_rendering, "ai-gateway-product-it-helpdesk-assistant-api"))
    assert link == {"type": "Microsoft.ApiManagement/service/products/apis", "name": "azure-openai",
                    "id": f"{SERVICE}/products/it-helpdesk-assistant/apis/azure-openai", "properties": {}}


STAFF = "00000000-0000-4000-8000-0000000000a1"  # grp-all-staff in the prod stack's entraGroups


def test_entra_group_is_external_with_the_documented_external_id(prod_rendering):
    assert versionless(document(prod_rendering, f"ai-gateway-group-{STAFF}")) == {
        "type": "Microsoft.ApiManagement/service/groups",
        "name": f"entra-{STAFF}",
        "id": f"{SERVICE}/groups/entra-{STAFF}",
        "properties": {
            "description": "Entra ID group grp-all-staff: the intended users of AI use case(s) it-helpdesk-assistant.",
            "displayName": "grp-all-staff",
            "externalId": f"aad://riverbendhealth.onmicrosoft.com/groups/{STAFF}",
            "type": "external",
        },
    }


def test_product_group_link_nests_under_the_product_named_by_the_group(prod_rendering):
    link = versionless(document(prod_rendering, f"ai-gateway-product-it-helpdesk-assistant-group-{STAFF}"))
    assert link == {"type": "Microsoft.ApiManagement/service/products/groups", "name": f"entra-{STAFF}",
                    "id": f"{SERVICE}/products/it-helpdesk-assistant/groups/entra-{STAFF}", "properties": {}}
