"""Responsible-AI governance: model deployments judged against the AI use-case register.

The register reaches the index as ``Carelift.AI/useCases`` pseudo-documents (infra.ai.documents):
from the stack for ``--stack``, from ``--ai-register FILE`` for ``--arm`` and live audits. Without
a register nothing can prove why a deployment exists, so the deployment controls fail.
Citations: 45 CFR 164 where the Security Rule applies, and the NIST AI RMF function served.
"""

from __future__ import annotations

import datetime

from infra import clock
from infra.ai.documents import USE_CASE_TYPE
from infra.ai.lifecycle import WARNING_DAYS, model_lifecycle
from infra.ai.register import PHI_SKUS
from infra.ai.safety import RISK_LEVELS, shortfalls, tier_for
from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex, get, parent_id
from infra.compliance.model import Document, Outcome, failed, passed
from infra.compliance.registry import control

DEPLOYMENTS = ("Microsoft.CognitiveServices/accounts/deployments",)
USE_CASES = (USE_CASE_TYPE,)
NO_REGISTER = ("no AI use-case register was supplied (the stack's openai.useCases, or --ai-register FILE), "
               "so nothing records why it exists")


def _serving(deployment: Document, index: ResourceIndex) -> list[Document]:
    name = str(deployment.get("name", "")).rsplit("/", 1)[-1].lower()
    return [u for u in index.of_type(USE_CASE_TYPE)
            if str(get(u, "properties.deployment", "")).lower() == name and get(u, "properties.status") != "retired"]


def register_day(index: ResourceIndex) -> datetime.date:
    """The day the register was judged on (its documents carry it), else the tool's day (`infra.clock`)."""
    dates = [get(u, "properties.asOf") for u in index.of_type(USE_CASE_TYPE)]
    return datetime.date.fromisoformat(max(d for d in dates if d)) if any(dates) else clock.today()


def _in_force(use_case: Document, today: datetime.date) -> bool:
    due = get(use_case, "properties.reviewDue")
    return get(use_case, "properties.status") == "approved" and bool(due) and today <= datetime.date.fromisoformat(due)


def _ids(use_cases: list[Document]) -> str:
    return ", ".join(sorted(str(u.get("name")) for u in use_cases))


@control(
    id="CL-AI-013", title="Every model deployment serves an approved, in-date AI use case", severity="high",
    scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(B)", "45 CFR 164.308(a)(8)", "NIST AI RMF GOVERN 1.6"), types=DEPLOYMENTS,
    remediation="Register the use case in openai.useCases (purpose, owner, risk level, oversight, quota), have the "
                "AI governance committee approve it with a review date, or remove the deployment.",
)
def deployment_registered(deployment: Document, index: ResourceIndex) -> Outcome:
    """Nothing AI runs unless someone accountable approved why, and that approval is current."""
    if not index.of_type(USE_CASE_TYPE):
        return failed(sentence(deployment, f"cannot be judged: {NO_REGISTER}"))
    today = register_day(index)
    serving = _serving(deployment, index)
    live = [u for u in serving if _in_force(u, today)]
    if live:
        return passed(sentence(deployment, f"serves approved, in-date use case(s) {_ids(live)}"))
    if not serving:
        return failed(sentence(deployment, "is referenced by no use case in the AI register"))
    states = "; ".join(f"{u.get('name')} is {get(u, 'properties.status')}"
                       + (f" with review due {get(u, 'properties.reviewDue')}"
                          if get(u, "properties.status") == "approved" else "") for u in serving)
    return failed(sentence(deployment, f"serves no approved, in-date use case ({states}, as of {today.isoformat()})"))


@control(
    id="CL-AI-014", title="Model deployments are filtered at least as strictly as their risk level requires",
    severity="high", scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(B)", "NIST AI RMF MANAGE 2.2"), types=DEPLOYMENTS,
    remediation="Point the deployment's raiPolicyName at a content filter that meets the tier of its riskiest use "
                "case (carelift derives it: high risk blocks from low severity with jailbreak, indirect-attack and "
                "protected-material shields).",
)
def filter_matches_risk(deployment: Document, index: ResourceIndex) -> Outcome:
    """A high-risk clinical use can never run under a weaker content filter than the table says."""
    serving = _serving(deployment, index)
    # Without a register the purpose is unknown: hold the deployment to the strictest tier.
    levels = [str(get(u, "properties.riskLevel")) for u in serving
              if get(u, "properties.riskLevel") in RISK_LEVELS] or ["high"]
    tier = tier_for(levels)
    name = get(deployment, "properties.raiPolicyName")
    policy = index.by_id(f"{parent_id(str(deployment['id']))}/raiPolicies/{name}") if name else None
    if policy is None:
        return failed(sentence(deployment, f"needs the {tier.risk_level}-risk content filter but its filter "
                                           f"{'is not defined on its account' if name else 'is not named'}"))
    missing = shortfalls(tier, list(get(policy, "properties.contentFilters", []) or []))
    basis = f"its use cases ({_ids(serving)})" if serving else "an unregistered purpose"
    if not missing:
        return passed(sentence(deployment, f"is filtered by '{name}', at least the {tier.risk_level}-risk tier that "
                                           f"{basis} require(s)"))
    return failed(sentence(deployment, f"is filtered by '{name}', weaker than the {tier.risk_level}-risk tier that "
                                       f"{basis} require(s): missing {', '.join(missing)}"))


@control(
    id="CL-AI-009", title="Clinical and high-risk model deployments pin their model version", severity="medium",
    scope="graph",
    citations=("45 CFR 164.308(a)(8)", "45 CFR 164.308(a)(1)(ii)(B)", "NIST AI RMF MANAGE 4.1"), types=DEPLOYMENTS,
    remediation="Set properties.versionUpgradeOption to NoAutoUpgrade for clinical or high-risk use and move to a "
                "new model version through change review; other use may take OnceCurrentVersionExpired.",
)
def version_pinned(deployment: Document, index: ResourceIndex) -> Outcome:
    """A model change alters clinical output: it is evaluated before it ships, not applied by the service."""
    option = get(deployment, "properties.versionUpgradeOption")
    if str(option).lower() == "noautoupgrade":
        return passed(sentence(deployment, "keeps its model version until changed through review"))
    serving = _serving(deployment, index)
    pinned = [u for u in serving if get(u, "properties.pinned") is True]
    found = "does not set versionUpgradeOption" if option is None else f"uses {option}"
    if serving and not pinned and str(option).lower() == "oncecurrentversionexpired":
        return passed(sentence(deployment, f"{found}: it serves no clinical or high-risk use case "
                                           f"({_ids(serving)}), so it follows the model's expiry"))
    why = (f"it serves clinical or high-risk use case(s) {_ids(pinned)}" if pinned else
           "its use is not registered as non-clinical and low-risk" if not serving else
           "only OnceCurrentVersionExpired or NoAutoUpgrade keep a version until it expires")
    return failed(sentence(deployment, f"{found}, so the service can replace its model version without review; "
                                       f"{why}"))


@control(
    id="CL-AI-015", title="Model deployments do not run a retired model", severity="high", scope="graph",
    citations=("45 CFR 164.308(a)(7)(ii)(E)", "45 CFR 164.308(a)(8)", "NIST AI RMF MANAGE 4.1"), types=DEPLOYMENTS,
    remediation="Move the deployment to the replacement Microsoft names (see infra/ai/data/openai-models.yaml and "
                "its source) after evaluating it for the use cases it serves.",
)
def model_not_retired(deployment: Document, index: ResourceIndex) -> Outcome:
    """A retired model returns errors: the clinical workflow behind it stops. Within 90 days it is flagged."""
    model = get(deployment, "properties.model.name")
    version = get(deployment, "properties.model.version")
    lifecycle = model_lifecycle()
    entry = lifecycle.find(str(model), str(version)) if model and version else None
    if entry is None:
        return failed(sentence(deployment, f"runs {model} {version}, which is not in the lifecycle table (as of "
                                           f"{lifecycle.as_of.isoformat()}), so its retirement cannot be checked"))
    today = register_day(index)
    if entry.retires_by(today):
        return failed(sentence(deployment, f"runs a retired model: {entry.describe()}"))
    soon = today + datetime.timedelta(days=WARNING_DAYS)
    if entry.may_retire_by(soon):
        return passed(sentence(deployment, f"runs a model that is not yet retired, but warning: {entry.describe()} "
                                           f"(within {WARNING_DAYS} days of {today.isoformat()}); evaluate the "
                                           f"replacement now"))
    return passed(sentence(deployment, f"runs a current model: {entry.describe()}"))


@control(
    id="CL-AI-016", title="PHI use cases run in a region or the US data zone, never GlobalStandard", severity="high",
    scope="graph",
    citations=("45 CFR 164.308(a)(1)(ii)(B)", "45 CFR 164.314(a)(1)", "NIST AI RMF MAP 4.1"), types=DEPLOYMENTS,
    remediation="Deploy models that serve PHI with sku Standard or DataZoneStandard (US data zone).",
)
def phi_stays_in_zone(deployment: Document, index: ResourceIndex) -> Outcome:
    """GlobalStandard may process prompts in any Azure region; PHI stays in the US under the BAA."""
    sku = str(get(deployment, "sku.name", ""))
    phi = [u for u in _serving(deployment, index) if get(u, "properties.dataClassification") == "phi"]
    if sku in PHI_SKUS:
        return passed(sentence(deployment, f"uses {sku}, which processes data in its region or the US data zone"))
    if not phi and index.of_type(USE_CASE_TYPE) and _serving(deployment, index):
        return passed(sentence(deployment, f"uses {sku or 'no sku'} and serves no PHI use case"))
    who = f"PHI use case(s) {_ids(phi)}" if phi else "use cases the register does not show to be free of PHI"
    return failed(sentence(deployment, f"uses {sku or 'no sku'}, which may process data in any Azure region, and "
                                       f"serves {who}"))


@control(
    id="CL-AI-017", title="Clinical and high-risk AI use cases name human oversight and a clinical sponsor",
    severity="high", scope="resource",
    citations=("45 CFR 164.308(a)(2)", "NIST AI RMF GOVERN 3.2"), types=USE_CASES,
    remediation="Record humanOversight (what a person reviews before an output reaches a patient or a record) "
                "and a clinicalSponsor for the use case.",
)
def oversight_named(use_case: Document, index: ResourceIndex) -> Outcome:
    """Someone clinically accountable reviews what the model produces before it can affect care."""
    if get(use_case, "properties.clinical") is not True and get(use_case, "properties.riskLevel") != "high":
        return passed(sentence(use_case, "is neither clinical nor high-risk, so oversight is the owner's call"))
    missing = [what for what, path in (("human oversight", "properties.humanOversight"),
                                       ("a clinical sponsor", "properties.clinicalSponsor")) if not get(use_case, path)]
    if not missing:
        return passed(sentence(use_case, f"names human oversight and clinical sponsor "
                                         f"{get(use_case, 'properties.clinicalSponsor')}"))
    return failed(sentence(use_case, f"is clinical or high-risk but does not name {' or '.join(missing)}"))


@control(
    id="CL-AI-018", title="PHI AI use cases record Microsoft's approval of modified abuse monitoring",
    severity="medium", scope="resource",
    citations=("45 CFR 164.308(b)(1)", "45 CFR 164.314(a)(1)", "NIST AI RMF GOVERN 6.1"), types=USE_CASES,
    remediation="Apply to Microsoft for modified abuse monitoring and record the approval's reference and date in "
                "the use case's abuseMonitoring.",
)
def abuse_monitoring_recorded(use_case: Document, index: ResourceIndex) -> Outcome:
    """Without the approval, Microsoft may store prompts with PHI for up to 30 days for human review."""
    if get(use_case, "properties.dataClassification") != "phi":
        return passed(sentence(use_case, "handles no PHI"))
    reference = get(use_case, "properties.abuseMonitoring.reference")
    if reference:
        return passed(sentence(use_case, f"records modified abuse monitoring approval {reference} of "
                                         f"{get(use_case, 'properties.abuseMonitoring.date')}"))
    return failed(sentence(use_case, "handles PHI but records no approval of modified abuse monitoring, so prompts "
                                     "may be retained by Microsoft for abuse review"))


@control(
    id="CL-AI-019", title="Approved AI use cases are within their review date", severity="high", scope="graph",
    citations=("45 CFR 164.308(a)(8)", "NIST AI RMF GOVERN 1.5"), types=USE_CASES,
    remediation="Have the AI governance committee re-review the use case and record a new approval and reviewDue, "
                "or set its status to suspended.",
)
def review_in_date(use_case: Document, index: ResourceIndex) -> Outcome:
    """Approval is periodic: performance, equity and safety are re-examined before it lapses."""
    status = get(use_case, "properties.status")
    if status != "approved":
        return passed(sentence(use_case, f"is {status}, so it has no access or quota to review"))
    due = get(use_case, "properties.reviewDue")
    today = register_day(index)
    if due and today <= datetime.date.fromisoformat(due):
        return passed(sentence(use_case, f"is approved until its review on {due}"))
    return failed(sentence(use_case, f"is approved but was due for review on {due or 'no date'} "
                                     f"(as of {today.isoformat()})"))
