"""The live reader and the AI gateway: an API Management service's products, their groups and policies, and the
service's groups are read (CL-AI-020..022, CL-AI-024 judge them), against the local HTTPS Resource Manager.

The product-group list answers in the shape of azure-rest-api-specs' ApiManagementListProductGroups.json
(API 2024-05-01): each linked group with its displayName, builtIn and type inline, older services' system
groups under generated ids.
"""

from __future__ import annotations

import datetime

import pytest

from infra.ai.documents import register_documents
from infra.ai.register import with_group_ids
from infra.compliance.controls import apim
from infra.compliance.engine import evaluate
from infra.compliance.live import read_subscription
from infra.compliance.model import Status
from tests.infra.ai.conftest import parse, raw_register  # noqa: F401 (fixture)
from tests.infra.compliance.arm_server import FakeArm, make_certificates
from tests.infra.compliance.test_live import SUB, StaticCredential, doc

RG = f"/subscriptions/{SUB}/resourceGroups/rg-ai"
APIM = f"{RG}/providers/Microsoft.ApiManagement/service/apim-a"
STAFF = "00000000-0000-4000-8000-0000000000a1"
TENANT = "riverbendhealth.onmicrosoft.com"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("arm-tls-apim"))


@pytest.fixture
def arm(certificates):
    with FakeArm(certificates, SUB) as server:
        server.provider("Microsoft.ApiManagement", {"service": ["2022-08-01", "2024-05-01", "2024-06-01-preview"]})
        server.add(doc(RG, "Microsoft.Resources/resourceGroups", {}, location="eastus2"))
        server.add(doc(APIM, "Microsoft.ApiManagement/service", {"virtualNetworkType": "Internal"},
                       location="eastus2"), listed=True)
        helpdesk, ambient = f"{APIM}/products/it-helpdesk-assistant", f"{APIM}/products/ambient-note-summaries"
        for product in (helpdesk, ambient):
            server.add(doc(product, "Microsoft.ApiManagement/service/products", {"state": "published"}))
        server.add(doc(f"{helpdesk}/policies/policy", "Microsoft.ApiManagement/service/products/policies",
                       {"format": "xml", "value": "<policies />"}))
        server.add(doc(f"{helpdesk}/groups/entra-{STAFF}", "Microsoft.ApiManagement/service/products/groups",
                       {"displayName": "grp-all-staff", "builtIn": False, "type": "external",
                        "externalId": f"aad://{TENANT}/groups/{STAFF}"}))
        for suffix, name in (("020001", "Administrators"), ("020002", "Developers")):
            server.add(doc(f"{ambient}/groups/5600b57e7e8880006a{suffix}",
                           "Microsoft.ApiManagement/service/products/groups",
                           {"displayName": name, "description": f"{name} is a built-in group.", "builtIn": True,
                            "type": "system"}))
        server.add(doc(f"{APIM}/groups/entra-{STAFF}", "Microsoft.ApiManagement/service/groups",
                       {"displayName": "grp-all-staff", "type": "external",
                        "externalId": f"aad://{TENANT}/groups/{STAFF}"}))
        yield server


def test_products_their_groups_and_policies_are_read_and_judged(arm, certificates, raw_register):
    snapshot = read_subscription(SUB, credential=StaticCredential(), base_url=arm.base_url,
                                 connection_verify=str(certificates.ca), retries=1, backoff=0.01, timeout=5.0)
    found = {d["id"] for d in snapshot.documents}
    assert {f"{APIM}/products/it-helpdesk-assistant/groups/entra-{STAFF}",
            f"{APIM}/products/it-helpdesk-assistant/policies/policy",
            f"{APIM}/products/ambient-note-summaries/groups/5600b57e7e8880006a020002",
            f"{APIM}/groups/entra-{STAFF}"} <= found
    # Children are read with the service's API version (the provider lists only the service).
    assert {r.query["api-version"] for r in arm.seen(r"/products/[^/]+/groups$")} == {"2024-05-01"}
    use_cases, problems = parse(raw_register)
    assert problems == []
    register = register_documents(with_group_ids(use_cases, {"grp-all-staff": STAFF}), datetime.date(2026, 12, 6))
    result = evaluate(list(snapshot.documents) + register, [apim.product_groups])
    verdicts = {f.resource_id.rsplit("/", 1)[-1]: f.status for f in result.findings}
    assert verdicts == {"it-helpdesk-assistant": Status.PASS, "ambient-note-summaries": Status.FAIL}
    failed = next(f.message for f in result.findings if f.status is Status.FAIL)
    assert "built-in group Administrators" in failed and "built-in group Developers" in failed
