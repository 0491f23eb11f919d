"""API Management and AI-gateway controls: pass, fail and empty cases on hand-written ARM documents."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml

from infra.ai.documents import RegisterFileError, read_register_file, register_documents
from infra.ai.register import with_group_ids
from infra.components.ai_gateway import HARDENED_PROTOCOLS, product_policy
from infra.compliance.controls import apim
from infra.compliance.model import Status, Unknown
from infra.compliance.sources import documents_from_json
from tests.infra.ai.conftest import TODAY, parse, raw_register  # noqa: F401 (fixture)
from tests.infra.compliance.arm import extension, messages, resource, rid, statuses

SERVICE = "Microsoft.ApiManagement/service"
SUBNET = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-apim"


def service(name: str, **properties) -> dict:
    return resource(SERVICE, name, properties, sku={"name": "Premium", "capacity": 1})


def register(raw, today=TODAY) -> list[dict]:
    use_cases, problems = parse(raw)
    assert problems == []
    return register_documents(use_cases, today)


class TestPrivateGateway:
    def test_pass_internal_or_public_access_disabled(self):
        docs = [service("internal", virtualNetworkType="Internal",
                        virtualNetworkConfiguration={"subnetResourceId": SUBNET}),
                service("pe-only", publicNetworkAccess="disabled")]
        assert statuses(apim.private_gateway, docs) == {"internal": Status.PASS, "pe-only": Status.PASS}

    def test_fail_external_or_none(self):
        docs = [service("external", virtualNetworkType="External",
                        virtualNetworkConfiguration={"subnetResourceId": SUBNET}), service("plain")]
        assert statuses(apim.private_gateway, docs) == {"external": Status.FAIL, "plain": Status.FAIL}
        assert "reachable from the internet" in messages(apim.private_gateway, docs[1:])[0]

    def test_empty(self):
        assert statuses(apim.private_gateway, []) == {}


class TestModernTls:
    def test_pass_when_every_weak_protocol_is_off(self):
        assert statuses(apim.modern_tls, [service("hard", customProperties=dict(HARDENED_PROTOCOLS))]) == {
            "hard": Status.PASS}

    def test_unset_follows_azures_default_by_creation_date(self):
        # Unset means off for services created after 2018-04-01 (a template creates a new one), on before.
        docs = [service("new"), service("old", createdAtUtc="2017-11-02T10:00:00Z"),
                service("recent", createdAtUtc="2021-05-05T10:00:00Z")]
        assert statuses(apim.modern_tls, docs) == {"new": Status.PASS, "old": Status.FAIL, "recent": Status.PASS}
        assert "Azure's default for services created after 2018-04-01 for 6 unset of them" in messages(
            apim.modern_tls, docs[:1])[0]
        assert "(created 2017-11-02, when Azure left them on)" in messages(apim.modern_tls, docs[1:2])[0]

    def test_fail_when_any_is_turned_on(self):
        weak = {**HARDENED_PROTOCOLS, "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "True"}
        docs = [service("tls10", customProperties=weak),
                service("bool", customProperties={"Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
                                                  "Backend.Protocols.Ssl30": True})]
        assert statuses(apim.modern_tls, docs) == {"tls10": Status.FAIL, "bool": Status.FAIL}
        assert messages(apim.modern_tls, docs[:1]) == [
            "API Management service 'tls10' does not turn off Protocols.Tls10."]

    def test_empty(self):
        assert statuses(apim.modern_tls, []) == {}


class TestGatewayLogs:
    def test_pass_and_fail(self):
        logged, silent = service("logged"), service("silent")
        setting = extension(logged, "Microsoft.Insights/diagnosticSettings", "to-law", {
            "workspaceId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w",
            "logs": [{"category": "GatewayLogs", "enabled": True}]})
        assert statuses(apim.gateway_logs, [logged, silent, setting]) == {"logged": Status.PASS,
                                                                          "silent": Status.FAIL}

    def test_empty(self):
        assert statuses(apim.gateway_logs, []) == {}


class TestBackendTls:
    def test_pass_https_with_default_validation(self):
        doc = resource("Microsoft.ApiManagement/service/backends", "apim/openai", {"url": "https://a.example.org/x"})
        assert statuses(apim.backend_tls, [doc]) == {"openai": Status.PASS}

    def test_fail_http_or_validation_off(self):
        docs = [resource("Microsoft.ApiManagement/service/backends", "apim/plain", {"url": "http://a.example.org"}),
                resource("Microsoft.ApiManagement/service/backends", "apim/trusting",
                         {"url": "https://a.example.org", "tls": {"validateCertificateChain": "false"}})]
        assert statuses(apim.backend_tls, docs) == {"plain": Status.FAIL, "trusting": Status.FAIL}

    def test_empty(self):
        assert statuses(apim.backend_tls, []) == {}


def product(name: str) -> dict:
    return resource("Microsoft.ApiManagement/service/products", f"apim/{name}", {"state": "published"})


class TestProductInForce:
    def test_pass_for_in_force_use_cases(self, raw_register):
        assert statuses(apim.product_in_force, [product("it-helpdesk-assistant"), *register(raw_register)]) == {
            "it-helpdesk-assistant": Status.PASS}

    def test_fail_suspended_overdue_unknown_or_no_register(self, raw_register):
        raw_register["useCases"][1]["status"] = "suspended"
        docs = [product("it-helpdesk-assistant"), product("shadow-it"), *register(raw_register)]
        assert statuses(apim.product_in_force, docs) == {"it-helpdesk-assistant": Status.FAIL,
                                                         "shadow-it": Status.FAIL}
        late = register(raw_register, datetime.date(2027, 5, 1))
        assert statuses(apim.product_in_force, [product("ambient-note-summaries"), *late]) == {
            "ambient-note-summaries": Status.FAIL}
        assert statuses(apim.product_in_force, [product("x")]) == {"x": Status.FAIL}

    def test_empty(self):
        assert statuses(apim.product_in_force, []) == {}


def policy(product_name: str, value: str) -> dict:
    return resource("Microsoft.ApiManagement/service/products/policies", f"apim/{product_name}/policy",
                    {"format": "rawxml", "value": value})


class TestQuotaAndMetrics:
    def test_pass_with_the_generated_policy(self, raw_register):
        use_cases, _ = parse(raw_register)
        docs = [policy(u.id, product_policy(u)) for u in use_cases] + register(raw_register)
        assert set(statuses(apim.quota_and_metrics, docs).values()) == {Status.PASS}

    def test_fail_above_quota_without_limit_or_metrics(self, raw_register):
        use_cases, _ = parse(raw_register)
        generous = product_policy(use_cases[1]).replace('tokens-per-minute="40000"', 'tokens-per-minute="99000"')
        bare = "<policies><inbound><base /></inbound></policies>"
        docs = [policy("it-helpdesk-assistant", generous), policy("ambient-note-summaries", bare),
                *register(raw_register)]
        found = messages(apim.quota_and_metrics, docs)
        assert any("allows 99,000 tokens per minute, above the registered 40,000" in m for m in found)
        assert any("sets no token limit and emits no token metric" in m for m in found)

    def test_empty(self):
        assert statuses(apim.quota_and_metrics, []) == {}


def diagnostic(body_bytes: int) -> dict:
    side = {"request": {"body": {"bytes": body_bytes}}, "response": {"body": {"bytes": body_bytes}}}
    return resource("Microsoft.ApiManagement/service/apis/diagnostics", "apim/openai/azuremonitor",
                    {"frontend": side, "backend": side})


class TestNoBodiesLogged:
    def test_pass_without_bodies_or_without_phi(self, raw_register):
        assert statuses(apim.no_bodies_logged, [diagnostic(0), *register(raw_register)]) == {
            "azuremonitor": Status.PASS}
        raw_register["useCases"] = raw_register["useCases"][1:]  # the help desk: internal data only
        assert statuses(apim.no_bodies_logged, [diagnostic(1024), *register(raw_register)]) == {
            "azuremonitor": Status.PASS}

    def test_manual_when_the_sizes_are_expressions(self, raw_register):
        from infra.compliance.model import Unknown

        doc = diagnostic(0)
        doc["properties"]["frontend"]["request"]["body"]["bytes"] = Unknown("[parameters('bytes')]")
        assert statuses(apim.no_bodies_logged, [doc, *register(raw_register)]) == {"azuremonitor": Status.MANUAL}

    def test_fail_bodies_with_phi_or_without_register(self, raw_register):
        assert statuses(apim.no_bodies_logged, [diagnostic(1024), *register(raw_register)]) == {
            "azuremonitor": Status.FAIL}
        assert statuses(apim.no_bodies_logged, [diagnostic(8)]) == {"azuremonitor": Status.FAIL}

    def test_empty(self):
        assert statuses(apim.no_bodies_logged, []) == {}


def account(name: str, subdomain: str, kind: str = "OpenAI") -> dict:
    return resource("Microsoft.CognitiveServices/accounts", name, {"customSubDomainName": subdomain}, kind=kind)


def backend(name: str, url: str) -> dict:
    return resource("Microsoft.ApiManagement/service/backends", f"apim-x/{name}", {"url": url})


class TestFrontedByGateway:
    def test_pass_with_a_backend_on_its_endpoint_or_another_kind(self):
        docs = [account("oai", "oai-sub"), backend("openai", "https://oai-sub.openai.azure.com/openai"),
                account("face", "face-sub", kind="Face")]
        assert statuses(apim.fronted_by_gateway, docs) == {"oai": Status.PASS, "face": Status.PASS}

    def test_fail_without_a_gateway_backend(self, raw_register):
        docs = [account("oai", "oai-sub"), backend("other", "https://elsewhere.example.org/"), *register(raw_register)]
        assert statuses(apim.fronted_by_gateway, docs) == {"oai": Status.FAIL}
        assert "neither held to their quotas nor cut off when suspended" in messages(apim.fronted_by_gateway, docs)[0]

    def test_empty(self):
        assert statuses(apim.fronted_by_gateway, []) == {}


# ---------------------------------------------------------------------------- CL-AI-024
# CL-AI-024: an AI gateway product is granted only to the Entra ID groups its use case names.
#
# Pass, fail, manual and empty cases on hand-written documents, then on the shapes the world writes
# (our fixtures, written in those shapes, not copies):
# - Azure/azure-quickstart-templates 201-api-management-create-all-resources: a product with nested apis and
#   no group link, and a custom group beside it;
# - a portal export of a service (Bicep, decompiled from the exported ARM template): products linked to the
#   built-in administrators, developers and guests groups twice, as products/groups and as
#   products/groupLinks whose groupId is the group's resource id, with the system groups defined;
# - a GenAI gateway template whose token-tier products are granted to 'developers';
# - a live GET of .../products/{id}/groups (azure-rest-api-specs ApiManagementListProductGroups.json, API
#   2024-05-01): the links carry the built-in groups' displayName, builtIn and type inline.

TENANT = "riverbendhealth.onmicrosoft.com"
AMBIENT = "00000000-0000-4000-8000-0000000000a2"  # grp-ambient-pilot-clinicians
STAFF = "00000000-0000-4000-8000-0000000000a1"  # grp-all-staff
GROUP_IDS = {"grp-ambient-pilot-clinicians": AMBIENT, "grp-all-staff": STAFF}


def granted_register(raw, groups=GROUP_IDS) -> list[dict]:
    use_cases, problems = parse(raw)
    assert problems == []
    return register_documents(with_group_ids(use_cases, groups), TODAY)


def granted_product(name: str, service: str = "apim") -> dict:
    return resource(f"{SERVICE}/products", f"{service}/{name}", {"state": "published", "approvalRequired": True})


def group(name: str, kind: str = "external", external_id: object = None, display: str | None = None,
          service: str = "apim") -> dict:
    properties = {"displayName": display or name, "type": kind}
    if external_id is not None:
        properties["externalId"] = external_id
    return resource(f"{SERVICE}/groups", f"{service}/{name}", properties)


def entra_group(object_id: str, display: str) -> dict:
    return group(f"entra-{object_id}", external_id=f"aad://{TENANT}/groups/{object_id}", display=display)


def link(product_name: str, group_name: str, service: str = "apim", **inline) -> dict:
    return resource(f"{SERVICE}/products/groups", f"{service}/{product_name}/{group_name}", inline or None)


class TestProductGroups:
    def test_pass_when_granted_only_to_the_intended_entra_groups(self, raw_register):
        docs = [granted_product("ambient-note-summaries"), entra_group(AMBIENT, "grp-ambient-pilot-clinicians"),
                link("ambient-note-summaries", f"entra-{AMBIENT}"), *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"ambient-note-summaries": Status.PASS}
        assert messages(apim.product_groups, docs) == [
            "Gateway product 'ambient-note-summaries' is granted only to the Entra ID group(s) "
            "grp-ambient-pilot-clinicians that use case ambient-note-summaries names (1 of 1)."]

    def test_object_ids_compare_without_case(self, raw_register):
        upper = AMBIENT.upper()
        docs = [granted_product("ambient-note-summaries"),
                group("clinicians", external_id=f"aad://{TENANT}/groups/{upper}"),
                link("ambient-note-summaries", "clinicians"), *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"ambient-note-summaries": Status.PASS}

    def test_fail_with_no_group(self, raw_register):
        docs = [granted_product("ambient-note-summaries"), *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"ambient-note-summaries": Status.FAIL}
        assert "is granted to no group" in messages(apim.product_groups, docs)[0]

    def test_fail_with_a_built_in_group_even_beside_the_intended_one(self, raw_register):
        docs = [granted_product("ambient-note-summaries"), entra_group(AMBIENT, "grp-ambient-pilot-clinicians"),
                link("ambient-note-summaries", f"entra-{AMBIENT}"), link("ambient-note-summaries", "developers"),
                *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"ambient-note-summaries": Status.FAIL}
        assert "built-in group developers (every signed-in developer-portal user)" in messages(
            apim.product_groups, docs)[0]

    def test_fail_with_another_use_cases_group_a_custom_group_or_a_non_entra_external_group(self, raw_register):
        docs = [granted_product("ambient-note-summaries"), entra_group(STAFF, "grp-all-staff"),
                link("ambient-note-summaries", f"entra-{STAFF}"),
                granted_product("it-helpdesk-assistant"), group("partners", kind="custom", display="Partners"),
                link("it-helpdesk-assistant", "partners"), *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"ambient-note-summaries": Status.FAIL,
                                                       "it-helpdesk-assistant": Status.FAIL}
        found = " ".join(messages(apim.product_groups, docs))
        assert f"Entra ID group grp-all-staff ({STAFF}), not one of its intendedUsers" in found
        assert "custom group Partners (members managed in API Management, not by Entra ID)" in found
        b2c = [granted_product("it-helpdesk-assistant"),
               group("b2c", external_id="aadB2C://contosob2c.onmicrosoft.com/groups/x"),
               link("it-helpdesk-assistant", "b2c"), *granted_register(raw_register)]
        assert "not an Entra ID group" in messages(apim.product_groups, b2c)[0]

    def test_fail_when_the_register_holds_no_object_ids(self, raw_register):
        # Without entraGroups the register cannot show that the linked group is the one it names.
        docs = [granted_product("ambient-note-summaries"), entra_group(AMBIENT, "grp-ambient-pilot-clinicians"),
                link("ambient-note-summaries", f"entra-{AMBIENT}"), *granted_register(raw_register, groups={})]
        assert statuses(apim.product_groups, docs) == {"ambient-note-summaries": Status.FAIL}
        assert "the register records no object id for grp-ambient-pilot-clinicians" in messages(
            apim.product_groups, docs)[0]

    def test_fail_without_a_register_or_for_an_unregistered_product(self, raw_register):
        assert statuses(apim.product_groups, [granted_product("x")]) == {"x": Status.FAIL}
        docs = [granted_product("shadow-it"), link("shadow-it", "guests"), *granted_register(raw_register)]
        assert "grants access for no use case in the AI register" in messages(apim.product_groups, docs)[0]

    def test_manual_when_the_group_is_an_expression_or_not_in_the_documents(self, raw_register):
        docs = [granted_product("ambient-note-summaries"),
                group("clinicians", external_id=Unknown("[parameters('groupExternalId')]")),
                link("ambient-note-summaries", "clinicians"), *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"ambient-note-summaries": Status.MANUAL}
        elsewhere = [granted_product("it-helpdesk-assistant"), link("it-helpdesk-assistant", "defined-elsewhere"),
                     *granted_register(raw_register)]
        assert statuses(apim.product_groups, elsewhere) == {"it-helpdesk-assistant": Status.MANUAL}
        assert "which the documents do not define" in messages(apim.product_groups, elsewhere)[0]

    def test_empty(self, raw_register):
        assert statuses(apim.product_groups, []) == {}
        assert statuses(apim.product_groups, granted_register(raw_register)) == {}


def apim_template(resources: list[dict], parameters: dict | None = None) -> dict:
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0", "parameters": parameters or {}, "resources": resources}


def audit_groups(data: dict, register_docs: list[dict]) -> tuple[dict[str, Status], list[str]]:
    docs = list(documents_from_json(json.loads(json.dumps(data)), "t.json").documents) + register_docs
    return statuses(apim.product_groups, docs), messages(apim.product_groups, docs)


class TestProductGroupsInTemplatesOfTheWorld:
    def test_quickstart_shape_a_product_with_nested_apis_and_no_group(self, raw_register):
        # 201-api-management-create-all-resources: the product nests its apis; a custom group and its user sit
        # beside it, linked to nothing.
        data = apim_template([{
            "type": "Microsoft.ApiManagement/service", "apiVersion": "2017-03-01", "name": "apim",
            "location": "eastus2", "sku": {"name": "Developer", "capacity": 1},
            "properties": {"publisherEmail": "a@example.org", "publisherName": "Example"},
            "resources": [
                {"type": "products", "apiVersion": "2017-03-01", "name": "it-helpdesk-assistant",
                 "dependsOn": ["[concat('Microsoft.ApiManagement/service/', 'apim')]"],
                 "properties": {"displayName": "Help desk", "subscriptionRequired": True, "approvalRequired": False,
                                "subscriptionsLimit": 1, "state": "published"},
                 "resources": [{"type": "apis", "apiVersion": "2017-03-01", "name": "exampleApi"}]},
                {"type": "groups", "apiVersion": "2017-03-01", "name": "exampleGroup",
                 "properties": {"displayName": "Example Group Name", "description": "Example group description"},
                 "resources": [{"type": "users", "apiVersion": "2017-03-01", "name": "exampleUser3"}]},
            ]}])
        found, text = audit_groups(data, granted_register(raw_register))
        assert found == {"it-helpdesk-assistant": Status.FAIL}
        assert "is granted to no group" in text[0]

    def test_portal_export_shape_built_in_groups_as_groups_and_group_links(self, raw_register):
        service = "[parameters('service_name')]"
        system = {"administrators": "Administrators", "developers": "Developers", "guests": "Guests"}
        resources = [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": service,
                      "location": "eastus2", "sku": {"name": "Developer", "capacity": 1}, "properties": {}}]
        for name, display in system.items():
            resources.append({"type": "Microsoft.ApiManagement/service/groups", "apiVersion": "2023-05-01-preview",
                              "name": f"[concat(parameters('service_name'), '/{name}')]",
                              "properties": {"displayName": display, "description": f"{display} is a built-in "
                                             "group. Its membership is managed by the system.", "type": "system"}})
        resources.append({"type": "Microsoft.ApiManagement/service/products", "apiVersion": "2023-05-01-preview",
                          "name": "[concat(parameters('service_name'), '/prior-auth-letters')]",
                          "properties": {"displayName": "Prior auth", "subscriptionRequired": True,
                                         "state": "published"}})
        resources.append({"type": "Microsoft.ApiManagement/service/products/groups",
                          "apiVersion": "2023-05-01-preview",
                          "name": "[concat(parameters('service_name'), '/prior-auth-letters/administrators')]"})
        resources.append({"type": "Microsoft.ApiManagement/service/products/groupLinks",
                          "apiVersion": "2023-05-01-preview",
                          "name": "[concat(parameters('service_name'), '/prior-auth-letters/"
                                  "4C4121F8-D109-4D5C-A23D-1967A6EFDCC9')]",
                          "properties": {"groupId": "[resourceId('Microsoft.ApiManagement/service/groups', "
                                                    "parameters('service_name'), 'guests')]"}})
        data = apim_template(resources, {"service_name": {"type": "String", "defaultValue": "apim-rbh-x"}})
        raw_register["useCases"][0]["id"] = "prior-auth-letters"
        found, text = audit_groups(data, granted_register(raw_register))
        assert found == {"prior-auth-letters": Status.FAIL}
        assert "built-in group Administrators (the service's administrators)" in text[0]
        assert "built-in group Guests (anonymous developer-portal visitors)" in text[0]

    def test_genai_tier_products_granted_to_developers(self, raw_register):
        data = apim_template([
            {"type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "apim-genai",
             "location": "eastus2", "sku": {"name": "Developer", "capacity": 1}, "properties": {}},
            {"type": "Microsoft.ApiManagement/service/products", "apiVersion": "2023-05-01-preview",
             "name": "apim-genai/it-helpdesk-assistant", "properties": {"displayName": "Free tier",
                                                                       "state": "published"}},
            {"type": "Microsoft.ApiManagement/service/groups", "apiVersion": "2023-05-01-preview",
             "name": "apim-genai/genai-developers",
             "properties": {"displayName": "GenAI Developers", "type": "custom"}},
            {"type": "Microsoft.ApiManagement/service/products/groups", "apiVersion": "2023-05-01-preview",
             "name": "apim-genai/it-helpdesk-assistant/developers"},
        ])
        found, text = audit_groups(data, granted_register(raw_register))
        assert found == {"it-helpdesk-assistant": Status.FAIL}
        assert "built-in group developers" in text[0]

    def test_our_export_shape_passes(self, raw_register):
        data = apim_template([
            {"type": "Microsoft.ApiManagement/service", "apiVersion": "2024-05-01", "name": "apim-rbh-prod-p01",
             "location": "eastus2", "sku": {"name": "Premium", "capacity": 1}, "properties": {}},
            {"type": "Microsoft.ApiManagement/service/products", "apiVersion": "2024-05-01",
             "name": "apim-rbh-prod-p01/it-helpdesk-assistant", "properties": {"state": "published"}},
            {"type": "Microsoft.ApiManagement/service/groups", "apiVersion": "2024-05-01",
             "name": f"apim-rbh-prod-p01/entra-{STAFF}",
             "properties": {"displayName": "grp-all-staff", "type": "external",
                            "externalId": f"aad://{TENANT}/groups/{STAFF}"}},
            {"type": "Microsoft.ApiManagement/service/products/groups", "apiVersion": "2024-05-01",
             "name": f"apim-rbh-prod-p01/it-helpdesk-assistant/entra-{STAFF}"},
        ])
        found, _ = audit_groups(data, granted_register(raw_register))
        assert found == {"it-helpdesk-assistant": Status.PASS}


class TestProductGroupsAsALiveListShowsThem:
    def test_built_in_groups_listed_inline_with_generated_ids(self, raw_register):
        # Older services list the system groups under generated ids: builtIn and type tell them apart.
        product_id = rid(f"{SERVICE}/products", "apimService1/it-helpdesk-assistant", "rg1")
        links = []
        for suffix, display in (("020001", "Administrators"), ("020002", "Developers"), ("020003", "Guests")):
            links.append({"id": f"{product_id}/groups/5600b57e7e8880006a{suffix}",
                          "type": f"{SERVICE}/products/groups", "name": f"5600b57e7e8880006a{suffix}",
                          "properties": {"displayName": display, "description": f"{display} is a built-in group.",
                                         "builtIn": True, "type": "system"}})
        docs = [granted_product("it-helpdesk-assistant", "apimService1") | {"id": product_id}, *links,
                *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"it-helpdesk-assistant": Status.FAIL}
        text = messages(apim.product_groups, docs)[0]
        assert "built-in group Developers (every signed-in developer-portal user)" in text

    def test_external_group_listed_inline_passes(self, raw_register):
        product_id = rid(f"{SERVICE}/products", "apimService1/it-helpdesk-assistant", "rg1")
        inline = {"id": f"{product_id}/groups/entra-{STAFF}", "type": f"{SERVICE}/products/groups",
                  "name": f"entra-{STAFF}", "properties": {"displayName": "grp-all-staff", "builtIn": False,
                                                           "type": "external",
                                                           "externalId": f"aad://{TENANT}/groups/{STAFF}"}}
        docs = [granted_product("it-helpdesk-assistant", "apimService1") | {"id": product_id}, inline,
                *granted_register(raw_register)]
        assert statuses(apim.product_groups, docs) == {"it-helpdesk-assistant": Status.PASS}


class TestRegisterFileObjectIds:
    def test_a_register_file_carries_the_object_ids(self, tmp_path, raw_register):
        raw_register["entraGroups"] = {"tenant": TENANT, "groups": {"grp-all-staff": STAFF.upper()}}
        path = tmp_path / "register.yaml"
        use_cases = read_register_file(path, yaml.safe_dump(raw_register))
        ids = {u.id: dict(u.group_ids) for u in use_cases}
        assert ids == {"ambient-note-summaries": {}, "it-helpdesk-assistant": {"grp-all-staff": STAFF}}
        doc = register_documents(use_cases, TODAY)[1]
        assert doc["properties"]["intendedUserObjectIds"] == {"grp-all-staff": STAFF}

    def test_a_bad_mapping_in_a_register_file_names_its_key(self, tmp_path, raw_register):
        raw_register["entraGroups"] = {"tenant": TENANT, "groups": {"grp-all-staff": "not-a-guid"}}
        with pytest.raises(RegisterFileError) as caught:
            read_register_file(tmp_path / "r.yaml", yaml.safe_dump(raw_register))
        assert caught.value.problems == [
            "entraGroups.groups.grp-all-staff: must be the group's Entra ID object id (a GUID); got 'not-a-guid'"]
