"""AI governance controls: model deployments judged against the use-case register (pseudo-documents)."""

from __future__ import annotations

import datetime

from infra.ai.documents import register_documents
from infra.ai.safety import TIERS
from infra.compliance.controls import ai_governance
from infra.compliance.model import Status
from tests.infra.ai.conftest import TODAY, parse, raw_register  # noqa: F401 (fixture)
from tests.infra.compliance.arm import messages, resource, statuses

DEPLOYMENT = "Microsoft.CognitiveServices/accounts/deployments"
FILTER = "Microsoft.CognitiveServices/accounts/raiPolicies"


def deployment(name: str, *, model: str = "gpt-5.1", version: str = "2025-11-13", sku: str = "DataZoneStandard",
               policy: str | None = "strict", **properties) -> dict:
    props = {"model": {"format": "OpenAI", "name": model, "version": version}, **properties}
    if policy:
        props["raiPolicyName"] = policy
    return resource(DEPLOYMENT, f"oai/{name}", props, sku={"name": sku, "capacity": 10})


def content_filter(name: str, tier: str) -> dict:
    return resource(FILTER, f"oai/{name}", {"mode": "Blocking", "contentFilters": TIERS[tier].content_filters()})


def register(raw_register, today: datetime.date = TODAY) -> list[dict]:
    use_cases, problems = parse(raw_register)
    assert problems == []
    return register_documents(use_cases, today)


class TestDeploymentRegistered:
    def test_pass_when_an_approved_in_date_use_case_names_it(self, raw_register):
        assert statuses(ai_governance.deployment_registered, [deployment("gpt-helpdesk"), *register(raw_register)]) == {
            "gpt-helpdesk": Status.PASS}

    def test_fail_when_suspended_overdue_unreferenced_or_no_register(self, raw_register):
        raw_register["useCases"][1]["status"] = "suspended"
        docs = [deployment("gpt-helpdesk"), deployment("gpt-unknown"), *register(raw_register)]
        assert statuses(ai_governance.deployment_registered, docs) == {"gpt-helpdesk": Status.FAIL, "gpt-unknown": Status.FAIL}
        assert "it-helpdesk-assistant is suspended" in messages(ai_governance.deployment_registered, docs)[0]
        assert statuses(ai_governance.deployment_registered, [deployment("gpt-helpdesk")]) == {"gpt-helpdesk": Status.FAIL}
        overdue = register(raw_register | {"useCases": raw_register["useCases"]}, datetime.date(2027, 5, 1))
        assert statuses(ai_governance.deployment_registered, [deployment("gpt-clinical-docs"), *overdue]) == {
            "gpt-clinical-docs": Status.FAIL}

    def test_empty(self):
        assert statuses(ai_governance.deployment_registered, []) == {}


class TestFilterMatchesRisk:
    def test_pass_when_filter_meets_the_riskiest_use_case(self, raw_register):
        docs = [deployment("gpt-clinical-docs", policy="high"), content_filter("high", "high"),
                *register(raw_register)]
        assert statuses(ai_governance.filter_matches_risk, docs) == {"gpt-clinical-docs": Status.PASS}

    def test_fail_when_weaker_missing_or_unregistered_without_the_strictest(self, raw_register):
        docs = [deployment("gpt-clinical-docs", policy="medium"), content_filter("medium", "medium"),
                deployment("gpt-nofilter", policy=None), deployment("gpt-unregistered", policy="medium"),
                *register(raw_register)]
        assert statuses(ai_governance.filter_matches_risk, docs) == {
            "gpt-clinical-docs": Status.FAIL, "gpt-nofilter": Status.FAIL, "gpt-unregistered": Status.FAIL}
        assert "weaker than the high-risk tier" in messages(ai_governance.filter_matches_risk, docs)[0]

    def test_empty(self):
        assert statuses(ai_governance.filter_matches_risk, []) == {}


class TestVersionPinned:
    def test_pass_pinned_or_low_risk_following_expiry(self, raw_register):
        docs = [deployment("gpt-clinical-docs", versionUpgradeOption="NoAutoUpgrade"),
                deployment("gpt-helpdesk", versionUpgradeOption="OnceCurrentVersionExpired"), *register(raw_register)]
        assert statuses(ai_governance.version_pinned, docs) == {"gpt-clinical-docs": Status.PASS, "gpt-helpdesk": Status.PASS}

    def test_fail_clinical_unpinned_early_upgrade_or_unregistered(self, raw_register):
        docs = [deployment("gpt-clinical-docs", versionUpgradeOption="OnceCurrentVersionExpired"),
                deployment("gpt-helpdesk", versionUpgradeOption="OnceNewDefaultVersionAvailable"),
                deployment("gpt-unregistered"), *register(raw_register)]
        assert statuses(ai_governance.version_pinned, docs) == {
            "gpt-clinical-docs": Status.FAIL, "gpt-helpdesk": Status.FAIL, "gpt-unregistered": Status.FAIL}
        assert "ambient-note-summaries" in messages(ai_governance.version_pinned, docs)[0]

    def test_empty(self):
        assert statuses(ai_governance.version_pinned, []) == {}


class TestModelNotRetired:
    def test_pass_current_and_warns_near_retirement(self, raw_register):
        docs = [deployment("current"), deployment("soon", model="gpt-5-mini", version="2025-08-07"),
                *register(raw_register)]
        assert statuses(ai_governance.model_not_retired, docs) == {"current": Status.PASS, "soon": Status.PASS}
        assert "warning: gpt-5-mini 2025-08-07 retires on 2027-02-06" in messages(ai_governance.model_not_retired, docs)[1]

    def test_fail_retired_or_unknown_model(self, raw_register):
        docs = [deployment("old", model="gpt-4o", version="2024-11-20"),
                deployment("mystery", model="gpt-9", version="1"), *register(raw_register)]
        assert statuses(ai_governance.model_not_retired, docs) == {"old": Status.FAIL, "mystery": Status.FAIL}

    def test_empty(self):
        assert statuses(ai_governance.model_not_retired, []) == {}


class TestPhiStaysInZone:
    def test_pass_regional_or_non_phi(self, raw_register):
        docs = [deployment("gpt-clinical-docs"), deployment("gpt-helpdesk", sku="GlobalStandard"),
                *register(raw_register)]
        assert statuses(ai_governance.phi_stays_in_zone, docs) == {"gpt-clinical-docs": Status.PASS, "gpt-helpdesk": Status.PASS}

    def test_fail_phi_or_unregistered_on_global_standard(self, raw_register):
        docs = [deployment("gpt-clinical-docs", sku="GlobalStandard"), deployment("other", sku="GlobalStandard"),
                *register(raw_register)]
        assert statuses(ai_governance.phi_stays_in_zone, docs) == {"gpt-clinical-docs": Status.FAIL, "other": Status.FAIL}

    def test_empty(self):
        assert statuses(ai_governance.phi_stays_in_zone, []) == {}


class TestRegisterControls:
    def test_pass_on_the_realistic_register(self, raw_register):
        docs = register(raw_register)
        for check in (ai_governance.oversight_named, ai_governance.abuse_monitoring_recorded, ai_governance.review_in_date):
            assert set(statuses(check, docs).values()) == {Status.PASS}, check.id

    def test_fail_each_register_rule(self, raw_register):
        docs = register(raw_register)
        del docs[0]["properties"]["humanOversight"]  # a document edited outside carelift's validation
        docs[0]["properties"]["abuseMonitoring"] = None
        assert statuses(ai_governance.oversight_named, docs)["ambient-note-summaries"] is Status.FAIL
        assert statuses(ai_governance.abuse_monitoring_recorded, docs)["ambient-note-summaries"] is Status.FAIL
        late = register(raw_register, datetime.date(2027, 3, 1))
        assert statuses(ai_governance.review_in_date, late) == {"ambient-note-summaries": Status.PASS,
                                                     "it-helpdesk-assistant": Status.FAIL}

    def test_empty(self):
        for check in (ai_governance.oversight_named, ai_governance.abuse_monitoring_recorded, ai_governance.review_in_date):
            assert statuses(check, []) == {}
