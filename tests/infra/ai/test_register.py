from __future__ import annotations

import datetime

from infra.ai.register import governance, pinned, safety_tier
from tests.infra.ai.conftest import TODAY, deployments_of, parse


def rules(raw, today=TODAY):
    use_cases, problems = parse(raw)
    assert problems == []
    return [(i.rule, i.key, i.warning) for i in governance(use_cases, deployments_of(raw), today=today)]


def messages(raw, today=TODAY):
    use_cases, _ = parse(raw)
    return [i.message for i in governance(use_cases, deployments_of(raw), today=today)]


def test_realistic_register_is_valid_and_governed(raw_register):
    use_cases, problems = parse(raw_register)
    assert problems == []
    assert [u.id for u in use_cases] == ["ambient-note-summaries", "it-helpdesk-assistant"]
    assert rules(raw_register) == []


def test_shape_problems_name_their_keys(raw_register):
    ambient = raw_register["useCases"][0]
    del ambient["clinicalSponsor"]
    ambient["category"] = "diagnosis"
    ambient["deployment"] = "gpt-nowhere"
    ambient["approval"]["approver"] = "the CMIO"
    _, problems = parse(raw_register)
    assert "carelift:openai.useCases[0].category: must be one of" in "\n".join(problems)
    assert any(p.startswith("carelift:openai.useCases[0].deployment: names no deployment") for p in problems)
    assert "carelift:openai.useCases[0].approval.approver: must be an e-mail address; got 'the CMIO'" in problems


def test_clinical_use_case_needs_sponsor_and_oversight(raw_register):
    ambient = raw_register["useCases"][0]
    del ambient["clinicalSponsor"], ambient["humanOversight"]
    _, problems = parse(raw_register)
    assert "carelift:openai.useCases[0].clinicalSponsor: is required" in problems
    assert "carelift:openai.useCases[0].humanOversight: is required" in problems


def test_administrative_low_risk_needs_neither(raw_register):
    helpdesk = raw_register["useCases"][1]
    assert "clinicalSponsor" not in helpdesk and "humanOversight" not in helpdesk
    _, problems = parse(raw_register)
    assert problems == []


def test_quotas_may_not_exceed_the_deployment_capacity(raw_register):
    raw_register["useCases"][1]["tokensPerMinute"] = 60000  # gpt-helpdesk has 50K
    _, problems = parse(raw_register)
    assert problems == ["carelift:openai.useCases: approved use cases of deployment 'gpt-helpdesk' have quotas of "
                        "60,000 tokens per minute in all, more than its capacity of 50,000"]


def test_suspending_the_only_use_case_leaves_its_deployment_ungoverned(raw_register):
    raw_register["useCases"][1]["status"] = "suspended"
    assert rules(raw_register) == [("registered", "openai.deployments[1]", False)]
    assert "it-helpdesk-assistant: suspended" in messages(raw_register)[0]


def test_overdue_review_fails_both_the_use_case_and_its_deployment(raw_register):
    after = datetime.date(2027, 2, 21)
    found = rules(raw_register, today=after)
    assert ("review", "openai.useCases[1].reviewDue", False) in found
    assert ("registered", "openai.deployments[1]", False) in found


def test_model_retiring_before_review_date_fails(raw_register):
    raw_register["deployments"][0].update(model="gpt-5-mini", version="2025-08-07")  # retires 2027-02-06
    found = rules(raw_register)
    assert ("lifecycle", "openai.deployments[0].version", False) in found
    assert "before the review date 2027-04-01" in " ".join(messages(raw_register))


def test_retired_model_fails_and_nearly_retired_warns(raw_register):
    raw_register["deployments"][1].update(model="gpt-4o", version="2024-11-20")
    assert ("lifecycle", "openai.deployments[1].version", False) in rules(raw_register)
    raw_register["deployments"][1].update(model="gpt-5-mini", version="2025-08-07")
    raw_register["useCases"][1]["reviewDue"] = "2027-01-15"
    assert ("lifecycle", "openai.deployments[1].version", True) in rules(raw_register)


def test_phi_may_not_run_on_global_standard(raw_register):
    raw_register["deployments"][0]["sku"] = "GlobalStandard"
    assert ("data-zone", "openai.deployments[0].sku", False) in rules(raw_register)


def test_phi_use_case_records_modified_abuse_monitoring(raw_register):
    del raw_register["useCases"][0]["abuseMonitoring"]
    assert ("abuse-monitoring", "openai.useCases[0].abuseMonitoring", False) in rules(raw_register)


def test_clinical_deployment_is_pinned_and_strictly_filtered(raw_register):
    use_cases, _ = parse(raw_register)
    assert pinned(use_cases, "gpt-clinical-docs") and not pinned(use_cases, "gpt-helpdesk")
    assert safety_tier(use_cases, "gpt-clinical-docs").harm_threshold == "Low"
    assert safety_tier(use_cases, "gpt-helpdesk").harm_threshold == "Medium"
