"""The AI use-case register: why each model deployment exists, who approved it, and until when.

It lives in the stack config (``carelift:openai.useCases``) and is validated with the rest of it.
Two kinds of rule:

- *shape* rules (required facts, known categories, references to deployments, e-mail addresses,
  quotas within capacity) are always configuration errors;
- *governance* rules (a deployment that no approved, in-date use case references; a model retiring
  before the review date; PHI on GlobalStandard; an unpinned clinical deployment; behind the AI
  gateway, a use case in force naming a group without an Entra ID object id) are
  configuration errors before a deployment (``infra validate``/``render``/``pulumi up``: nothing
  ungoverned is deployed) and failing controls in an audit, where the auditor wants the finding,
  with its control and citation, rather than a refusal to look. ``governance()`` returns them.

This module does not import ``infra.config`` (which imports it): it takes the config reader as an
argument.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Protocol

from infra.ai.lifecycle import WARNING_DAYS, Lifecycle, model_lifecycle
from infra.ai.safety import RISK_LEVELS, SafetyTier, tier_for

CATEGORIES = ("clinical-decision-support", "clinical-documentation", "patient-communication",
              "administrative", "research")
CLINICAL_CATEGORIES = frozenset({"clinical-decision-support", "clinical-documentation", "patient-communication"})
STATUSES = ("proposed", "approved", "suspended", "retired")
DATA_CLASSES = ("phi", "pii", "internal", "public")
PHI_SKUS = frozenset({"Standard", "DataZoneStandard", "ProvisionedManaged", "DataZoneProvisionedManaged"})
"""SKUs that keep processing in the deployment's region or the US data zone (not GlobalStandard)."""
USE_CASE_ID = re.compile(r"[a-z][a-z0-9-]{1,46}[a-z0-9]")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")

# Card facts: register key -> what CHAI's Applied Model Card calls it. Required for an approved
# use case, because a card must be publishable for everything in use.
CARD_FACTS = {
    "workflow": "IntendedUseAndWorkflow",
    "howToUse": "HowToUse",
    "population": "TargetedPatientPopulation",
    "outOfScope": "CautionedOutOfScopeSettings",
    "outputs": "OutcomesAndOutputs",
    "inputs": "InputDataSource",
    "dataTypes": "OutputAndInputDataTypes",
    "risksAndLimitations": "KnownRisksAndLimitations",
    "biasConsiderations": "KnownBiasesOrEthicalConsiderations",
    "biasMitigation": "BiasMitigationApproaches",
    "developmentData": "DevelopmentDataCharacterization",
    "maintenance": "OngoingMaintenance",
    "fundingSource": "FundingSource",
    "stakeholdersConsulted": "StakeholdersConsulted",
    "publications": "PeerReviewedPublications",
    "consentDisclosure": "PatientConsentOrDisclosure",
}
CARD_OPTIONAL = ("keywords", "ehr", "evaluationReferences", "bibliography")
METRIC_KINDS = {"usefulness": "UsefulnessUsabilityEfficacy", "fairness": "FairnessEquity",
                "safety": "SafetyReliability"}
METRIC_FACTS = ("goal", "interpretation", "testType", "testingData", "validation")


class Reader(Protocol):
    """The stack config's reader (``infra.config._Reader``): records problems against config keys."""

    issues: list[Any]
    def fail(self, key: str, message: str) -> None: ...
    def mapping(self, raw: Any, key: str, allowed: Iterable[str] | None) -> dict[str, Any]: ...
    def items(self, raw: Any, key: str) -> list[Any]: ...
    def string(self, raw: Mapping[str, Any], name: str, key: str, *, default: str | None = None,
               pattern: re.Pattern[str] | None = None, rule: str = "",
               choices: Iterable[str] | None = None) -> str | None: ...
    def integer(self, raw: Mapping[str, Any], name: str, key: str, *, default: int | None = None,
                minimum: int | None = None, maximum: int | None = None, why: str = "") -> int | None: ...
    def strings(self, raw: Mapping[str, Any], name: str, key: str, check: Any = None) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Approval:
    approver: str
    date: datetime.date
    reference: str


@dataclass(frozen=True)
class AbuseMonitoring:
    """Microsoft's approval of modified abuse monitoring (an application, not a setting)."""

    reference: str
    date: datetime.date


@dataclass(frozen=True)
class Metric:
    kind: str
    """usefulness, fairness or safety."""
    goal: str
    results: tuple[tuple[str, str], ...]
    """(label, ValueJson) pairs, e.g. ("Clinician edit rate", '{"kind":"single","value":12,"unit":"%"}')."""
    interpretation: str
    test_type: str
    testing_data: str
    validation: str


@dataclass(frozen=True)
class UseCase:
    id: str
    name: str
    purpose: str
    category: str
    business_owner: str
    risk_level: str
    data_classification: str
    deployment: str
    tokens_per_minute: int
    status: str
    intended_users: tuple[str, ...]
    """Entra ID groups whose members may call the use case through the gateway."""
    clinical_sponsor: str | None = None
    human_oversight: str | None = None
    """What a person reviews before an output reaches a patient or a record."""
    approval: Approval | None = None
    review_due: datetime.date | None = None
    abuse_monitoring: AbuseMonitoring | None = None
    card: Mapping[str, str] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    ehr: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    group_ids: tuple[tuple[str, str], ...] = ()
    """(intendedUsers group, its Entra ID object id) for each group the stack's ``entraGroups`` maps, in
    ``intendedUsers`` order; a group left out has no object id on record (``unmapped_groups``)."""

    @property
    def unmapped_groups(self) -> tuple[str, ...]:
        """intendedUsers groups with no object id on record: the gateway cannot grant them the product."""
        mapped = {name for name, _ in self.group_ids}
        return tuple(g for g in self.intended_users if g not in mapped)

    @property
    def clinical(self) -> bool:
        return self.category in CLINICAL_CATEGORIES

    @property
    def pinned(self) -> bool:
        """Clinical and high-risk use cases change models only through change control."""
        return self.clinical or self.risk_level == "high"

    def in_force(self, today: datetime.date) -> bool:
        """Approved and within its review date: the only state in which it gets access and quota."""
        return self.status == "approved" and self.review_due is not None and today <= self.review_due

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "purpose": self.purpose, "category": self.category,
            "businessOwner": self.business_owner, "clinicalSponsor": self.clinical_sponsor,
            "riskLevel": self.risk_level, "dataClassification": self.data_classification,
            "humanOversight": self.human_oversight, "intendedUsers": list(self.intended_users),
            "intendedUserObjectIds": {name: object_id for name, object_id in self.group_ids},
            "deployment": self.deployment, "tokensPerMinute": self.tokens_per_minute, "status": self.status,
            "approval": None if self.approval is None else {
                "approver": self.approval.approver, "date": self.approval.date.isoformat(),
                "reference": self.approval.reference},
            "reviewDue": self.review_due.isoformat() if self.review_due else None,
            "abuseMonitoring": None if self.abuse_monitoring is None else {
                "reference": self.abuse_monitoring.reference, "date": self.abuse_monitoring.date.isoformat()},
        }


@dataclass(frozen=True)
class DeploymentFacts:
    """What governance needs to know of one model deployment."""

    name: str
    model: str
    version: str
    sku: str
    capacity: int
    """Thousands of tokens per minute (or PTUs)."""


# ---------------------------------------------------------------------------- parsing


def _date(r: Reader, raw: Mapping[str, Any], name: str, key: str, *, required: bool) -> datetime.date | None:
    full = f"{key}.{name}"
    value = raw.get(name)
    if value is None:
        if required:
            r.fail(full, "is required (YYYY-MM-DD)")
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        r.fail(full, f"must be a date (YYYY-MM-DD); got {str(value)[:40]!r}")
        return None


def _email(r: Reader, raw: Mapping[str, Any], name: str, key: str, *, required: bool) -> str | None:
    if raw.get(name) is None and not required:
        return None
    return r.string(raw, name, key, pattern=EMAIL, rule="must be an e-mail address")


def _text(r: Reader, raw: Mapping[str, Any], name: str, key: str, *, required: bool = True) -> str | None:
    if raw.get(name) is None and not required:
        return None
    value = r.string(raw, name, key)
    return value.strip() if value else None


def parse_use_cases(r: Reader, raw: Any, key: str,
                    deployments: Mapping[str, DeploymentFacts] | None) -> tuple[UseCase, ...]:
    """Read ``openai.useCases``; shape problems go to ``r`` against their keys.

    ``deployments`` None (a register file audited beside a template) skips the reference and quota
    checks: the audit's controls judge those against the deployments it finds.
    """
    out, seen = [], set()
    for i, item in enumerate(r.items(raw, key)):
        uk = f"{key}[{i}]"
        use_case = _parse_use_case(r, item, uk, deployments)
        if use_case is None:
            continue
        if use_case.id in seen:
            r.fail(f"{uk}.id", f"duplicates another use case with id {use_case.id!r}")
            continue
        seen.add(use_case.id)
        out.append(use_case)
    if deployments is not None:
        _check_quotas(r, out, key, deployments)
    return tuple(out)


USE_CASE_KEYS = ("id", "name", "purpose", "category", "businessOwner", "clinicalSponsor", "riskLevel",
                 "dataClassification", "humanOversight", "intendedUsers", "deployment", "tokensPerMinute",
                 "status", "approval", "reviewDue", "abuseMonitoring", "card")


def _parse_use_case(r: Reader, item: Any, uk: str,
                    deployments: Mapping[str, DeploymentFacts] | None) -> UseCase | None:
    if not isinstance(item, Mapping):
        r.mapping(item, uk, USE_CASE_KEYS)  # reports "must be a mapping"
        return None
    u = r.mapping(item, uk, USE_CASE_KEYS)
    before = len(r.issues)
    uid = r.string(u, "id", uk, pattern=USE_CASE_ID,
                   rule="must be 3-48 lowercase letters, digits or hyphens, starting with a letter")
    name = _text(r, u, "name", uk)
    purpose = _text(r, u, "purpose", uk)
    category = r.string(u, "category", uk, choices=CATEGORIES)
    owner = _email(r, u, "businessOwner", uk, required=True)
    risk = r.string(u, "riskLevel", uk, choices=RISK_LEVELS)
    data = r.string(u, "dataClassification", uk, choices=DATA_CLASSES)
    status = r.string(u, "status", uk, choices=STATUSES)
    clinical = category in CLINICAL_CATEGORIES
    sponsor = _email(r, u, "clinicalSponsor", uk, required=clinical or risk == "high")
    oversight = _text(r, u, "humanOversight", uk, required=clinical or risk == "high")
    users = r.strings(u, "intendedUsers", uk)
    if not users:
        r.fail(f"{uk}.intendedUsers", "needs at least one Entra ID group (who may use it)")
    deployment = r.string(u, "deployment", uk)
    if deployment and deployments is not None and deployment not in deployments:
        r.fail(f"{uk}.deployment", f"names no deployment in openai.deployments "
                                   f"({', '.join(sorted(deployments)) or 'none'}); got {deployment!r}")
    tpm = r.integer(u, "tokensPerMinute", uk, minimum=1000, maximum=100_000_000, why=" tokens per minute")
    approval = _parse_approval(r, u.get("approval"), f"{uk}.approval", required=status in ("approved", "suspended"))
    review_due = _date(r, u, "reviewDue", uk, required=status == "approved")
    if approval and review_due and review_due < approval.date:
        r.fail(f"{uk}.reviewDue", f"({review_due.isoformat()}) is before the approval date "
                                  f"({approval.date.isoformat()})")
    abuse = _parse_abuse(r, u.get("abuseMonitoring"), f"{uk}.abuseMonitoring")
    card, keywords, ehr, metrics = _parse_card(r, u.get("card"), f"{uk}.card", required=status == "approved")
    if len(r.issues) > before or None in (uid, name, purpose, category, owner, risk, data, status,
                                                          deployment, tpm):
        return None
    return UseCase(id=uid, name=name, purpose=purpose, category=category, business_owner=owner,  # type: ignore[arg-type]
                   risk_level=risk, data_classification=data, deployment=deployment,  # type: ignore[arg-type]
                   tokens_per_minute=tpm, status=status, intended_users=users,  # type: ignore[arg-type]
                   clinical_sponsor=sponsor, human_oversight=oversight, approval=approval,
                   review_due=review_due, abuse_monitoring=abuse, card=card, keywords=keywords, ehr=ehr,
                   metrics=metrics)


def _parse_approval(r: Reader, raw: Any, key: str, *, required: bool) -> Approval | None:
    if raw is None:
        if required:
            r.fail(key, "is required for an approved or suspended use case (approver, date, reference)")
        return None
    a = r.mapping(raw, key, ("approver", "date", "reference"))
    approver = _email(r, a, "approver", key, required=True)
    day = _date(r, a, "date", key, required=True)
    reference = _text(r, a, "reference", key)
    if approver and day and reference:
        return Approval(approver, day, reference)
    return None


def _parse_abuse(r: Reader, raw: Any, key: str) -> AbuseMonitoring | None:
    if raw is None:
        return None
    a = r.mapping(raw, key, ("reference", "date"))
    reference = _text(r, a, "reference", key)
    day = _date(r, a, "date", key, required=True)
    return AbuseMonitoring(reference, day) if reference and day else None


def _parse_card(r: Reader, raw: Any, key: str, *, required: bool
                ) -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...], tuple[Metric, ...]]:
    c = r.mapping(raw, key, tuple(CARD_FACTS) + CARD_OPTIONAL + ("metrics",))
    if raw is None and required:
        r.fail(key, "is required for an approved use case: its CHAI Applied Model Card must be publishable")
        return {}, (), (), ()
    card = {}
    for name in CARD_FACTS:
        value = _text(r, c, name, key, required=required)
        if value:
            card[name] = value
    for name in ("evaluationReferences", "bibliography"):
        value = _text(r, c, name, key, required=False)
        if value:
            card[name] = value
    keywords = r.strings(c, "keywords", key)
    ehr = r.strings(c, "ehr", key)
    metrics = []
    m = r.mapping(c.get("metrics"), f"{key}.metrics", tuple(METRIC_KINDS))
    for kind in METRIC_KINDS:
        if m.get(kind) is None:
            if required:
                r.fail(f"{key}.metrics.{kind}", "is required (goal, results, interpretation, testType, "
                                                "testingData, validation)")
            continue
        metric = _parse_metric(r, m[kind], f"{key}.metrics.{kind}", kind)
        if metric:
            metrics.append(metric)
    return card, keywords, ehr, tuple(metrics)


def _parse_metric(r: Reader, raw: Any, key: str, kind: str) -> Metric | None:
    m = r.mapping(raw, key, METRIC_FACTS + ("results",))
    facts = {name: _text(r, m, name, key) for name in METRIC_FACTS}
    results = []
    items = r.items(m.get("results"), f"{key}.results")
    if not items:
        r.fail(f"{key}.results", "needs at least one result (label and value)")
    for j, item in enumerate(items):
        rk = f"{key}.results[{j}]"
        res = r.mapping(item, rk, ("label", "value", "unit"))
        label = _text(r, res, "label", rk)
        value = res.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            r.fail(f"{rk}.value", "must be a number")
            continue
        unit = res.get("unit", "")
        if label:
            results.append((label, _value_json(value, str(unit))))
    if any(v is None for v in facts.values()) or not results:
        return None
    return Metric(kind, facts["goal"], tuple(results), facts["interpretation"], facts["testType"],  # type: ignore[arg-type]
                  facts["testingData"], facts["validation"])  # type: ignore[arg-type]


def _value_json(value: float, unit: str) -> str:
    return json.dumps({"kind": "single", "value": value, "unit": unit}, separators=(",", ":"))


def _check_quotas(r: Reader, use_cases: list[UseCase], key: str, deployments: Mapping[str, DeploymentFacts]) -> None:
    """Quotas are carved out of the deployment's capacity: their sum may not promise more than it has."""
    for name, deployment in sorted(deployments.items()):
        total = sum(u.tokens_per_minute for u in use_cases if u.deployment == name and u.status == "approved")
        if total > deployment.capacity * 1000:
            r.fail(key, f"approved use cases of deployment {name!r} have quotas of {total:,} tokens per minute in "
                        f"all, more than its capacity of {deployment.capacity * 1000:,}")


def with_group_ids(use_cases: tuple[UseCase, ...], groups: Mapping[str, str]) -> tuple[UseCase, ...]:
    """The use cases with the object ids ``groups`` (name -> object id) gives their intendedUsers."""
    return tuple(replace(u, group_ids=tuple((g, groups[g]) for g in u.intended_users if g in groups))
                 for u in use_cases)


# ---------------------------------------------------------------------------- governance


@dataclass(frozen=True)
class GovernanceIssue:
    rule: str
    """Short rule id shared with the matching control, e.g. ``registered``."""
    key: str
    """The config key at fault (without the ``carelift:`` namespace)."""
    message: str
    warning: bool = False


def governance(use_cases: tuple[UseCase, ...], deployments: Mapping[str, DeploymentFacts], *,
               today: datetime.date, key: str = "openai", lifecycle: Lifecycle | None = None,
               gateway: bool = False) -> list[GovernanceIssue]:
    """Every governance rule the register breaks on ``today`` (see the module docstring).

    With ``gateway`` (the stack puts the AI gateway in front of the account), every intendedUsers group
    of a use case in force needs its Entra ID object id (``entraGroups``): the gateway grants the use
    case's product to those groups and no one else.
    """
    lifecycle = lifecycle or model_lifecycle()
    issues: list[GovernanceIssue] = []
    index = {u.id: i for i, u in enumerate(use_cases)}
    for d_index, (name, deployment) in enumerate(deployments.items()):
        dk = f"{key}.deployments[{d_index}]"
        serving = [u for u in use_cases if u.deployment == name]
        live = [u for u in serving if u.in_force(today)]
        if not live:
            why = _why_not_in_force(serving, today)
            issues.append(GovernanceIssue("registered", dk, f"deployment {name!r} is referenced by no approved, "
                                                            f"in-date use case ({why})"))
        version = lifecycle.find(deployment.model, deployment.version)
        horizon = max((u.review_due for u in live if u.review_due), default=today)
        if version is None:
            issues.append(GovernanceIssue("lifecycle", f"{dk}.version", f"{deployment.model} {deployment.version} "
                                          f"is not in the model lifecycle table (as of {lifecycle.as_of}); "
                                          f"its retirement date cannot be checked", warning=True))
        elif version.retires_by(today):
            issues.append(GovernanceIssue("lifecycle", f"{dk}.version", f"{version.describe()}: it is retired"))
        elif version.retires_by(horizon):
            issues.append(GovernanceIssue("lifecycle", f"{dk}.version", f"{version.describe()}, before the review "
                                          f"date {horizon.isoformat()} of the use cases it serves"))
        elif version.may_retire_by(today + datetime.timedelta(days=WARNING_DAYS)):
            issues.append(GovernanceIssue("lifecycle", f"{dk}.version", f"{version.describe()}: within "
                                          f"{WARNING_DAYS} days; evaluate the replacement now", warning=True))
        phi = [u.id for u in serving if u.data_classification == "phi" and u.status != "retired"]
        if phi and deployment.sku not in PHI_SKUS:
            issues.append(GovernanceIssue("data-zone", f"{dk}.sku", f"deployment {name!r} serves PHI use cases "
                                          f"({', '.join(phi)}) on {deployment.sku}, which may process data in any "
                                          f"Azure region; use Standard or DataZoneStandard"))
    for u in use_cases:
        uk = f"{key}.useCases[{index[u.id]}]"
        if u.status == "approved" and u.review_due and u.review_due < today:
            issues.append(GovernanceIssue("review", f"{uk}.reviewDue", f"use case {u.id!r} was due for review on "
                                          f"{u.review_due.isoformat()}: re-approve it or suspend it"))
        if gateway and u.in_force(today) and u.unmapped_groups:
            missing = ", ".join(repr(g) for g in u.unmapped_groups)
            issues.append(GovernanceIssue("intended-users", f"{uk}.intendedUsers", f"use case {u.id!r} is in force "
                                          f"but {missing} has no object id in entraGroups.groups: the AI gateway "
                                          f"cannot grant it the product"))
        if u.data_classification == "phi" and u.status == "approved" and u.abuse_monitoring is None:
            issues.append(GovernanceIssue("abuse-monitoring", f"{uk}.abuseMonitoring", f"PHI use case {u.id!r} "
                                          f"records no Microsoft approval of modified abuse monitoring "
                                          f"(reference and date)"))
    return issues


def _why_not_in_force(serving: list[UseCase], today: datetime.date) -> str:
    if not serving:
        return "no use case names it"
    states = []
    for u in serving:
        if u.status == "approved" and u.review_due and u.review_due < today:
            states.append(f"{u.id}: review overdue since {u.review_due.isoformat()}")
        else:
            states.append(f"{u.id}: {u.status}")
    return "; ".join(states)


def safety_tier(use_cases: tuple[UseCase, ...], deployment: str) -> SafetyTier:
    """The content-safety tier a deployment needs: that of the riskiest use case it serves (retired ones aside)."""
    return tier_for([u.risk_level for u in use_cases if u.deployment == deployment and u.status != "retired"])


def pinned(use_cases: tuple[UseCase, ...], deployment: str) -> bool:
    """True when any use case of the deployment is clinical or high-risk (model changes are change control)."""
    return any(u.pinned for u in use_cases if u.deployment == deployment and u.status != "retired")
