"""API Management and AI-gateway controls: pass, fail and empty cases on hand-written ARM documents."""

from __future__ import annotations

import datetime

from infra.ai.documents import register_documents
from infra.components.ai_gateway import HARDENED_PROTOCOLS, product_policy
from infra.compliance.controls import apim
from infra.compliance.model import Status
from tests.infra.ai.conftest import TODAY, parse, raw_register  # noqa: F401 (fixture)
from tests.infra.compliance.arm import extension, messages, resource, statuses

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
