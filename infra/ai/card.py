"""CHAI Applied Model Cards (schema v0.2) for registered AI use cases.

Facts come from two places: the register (intended use, users, population, risks, bias, metrics,
consent) and the deployment (foundation model and version, where it runs, how it is secured). A
required card field the register lacks is a configuration error naming its key; nothing is made up.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from infra.ai.lifecycle import model_lifecycle
from infra.ai.register import CARD_FACTS, METRIC_KINDS, DeploymentFacts, UseCase
from infra.ai.safety import SafetyTier
from infra.errors import CareliftError

NAMESPACE = "https://mc.chai.org/v0.2/schema.xsd"
CATEGORY_LABELS = {
    "clinical-decision-support": "Clinical decision support", "clinical-documentation": "Clinical documentation",
    "patient-communication": "Patient communication", "administrative": "Administrative", "research": "Research",
}
SKU_PLACES = {
    "Standard": "processed in the deployment's Azure region ({location})",
    "DataZoneStandard": "processed within the United States data zone (account in {location})",
    "GlobalStandard": "may be processed in any Azure region (account in {location})",
    "ProvisionedManaged": "processed in the deployment's Azure region ({location}) on provisioned capacity",
}


class CardError(CareliftError):
    """The register lacks facts a card needs; ``problems`` name each config key."""

    def __init__(self, use_case: str, problems: list[str]):
        self.problems = problems
        self.title = f"use case {use_case!r} cannot have a model card yet"
        super().__init__(f"use case {use_case!r} cannot have a model card yet: " + "; ".join(problems))


@dataclass(frozen=True)
class CardContext:
    """Deployment-side facts the register does not hold."""

    organization: str
    """The health system publishing the card (the model's deployer)."""
    location: str
    deployment: DeploymentFacts
    tier: SafetyTier
    pinned: bool
    gateway: bool
    """True when applications reach the model only through the AI gateway."""
    key: str = "openai.useCases[?]"
    """Config key of the use case, for error messages."""


def card_fields(use_case: UseCase, ctx: CardContext) -> list[tuple[str, object]]:
    """The card as (CHAI element, content) pairs in schema order; nested elements are lists of pairs."""
    missing = [f"{ctx.key}.card.{name} (CHAI {chai})" for name, chai in CARD_FACTS.items()
               if not use_case.card.get(name)]
    have = {m.kind for m in use_case.metrics}
    missing += [f"{ctx.key}.card.metrics.{kind}" for kind in METRIC_KINDS if kind not in have]
    if use_case.approval is None:
        missing.append(f"{ctx.key}.approval (CHAI ReleaseDate)")
    if missing:
        raise CardError(use_case.id, [f"{m} is required" for m in missing])
    c = use_case.card
    d = ctx.deployment
    version = model_lifecycle().find(d.model, d.version)
    lifecycle_text = version.describe() if version else f"{d.model} {d.version} has no entry in the lifecycle table"
    upgrade = ("The model version is pinned (NoAutoUpgrade): a new version is a change-control event with "
               "re-validation." if ctx.pinned else
               "The model version upgrades when the current version expires (OnceCurrentVersionExpired).")
    approval = use_case.approval
    assert approval is not None
    security = (
        "Azure OpenAI reached only through a private endpoint (public network access disabled); key "
        "authentication disabled (Entra ID only); customer-managed encryption key; outbound access restricted "
        "to an allow-list; "
        + ("applications call the AI gateway (API Management, private), which authenticates with its managed "
           "identity and enforces a per-use-case token quota; " if ctx.gateway else "")
        + f"content filter: {ctx.tier.describe()}; audit and request logs go to the organization's Log Analytics "
          "workspace"
        + (" (prompt bodies are not logged for PHI)." if use_case.data_classification == "phi" else ".")
    )
    summary = use_case.purpose
    keywords = [CATEGORY_LABELS[use_case.category], *use_case.keywords]
    release: list[tuple[str, Any]] = [("ReleaseStage", f"{use_case.status.capitalize()} for internal use"),
               ("ReleaseDate", approval.date.isoformat()),
               ("ReleaseVersion", f"{d.name} ({d.model} {d.version})"),
               ("GlobalAvailability", f"Internal to {ctx.organization} only; "
                                      + SKU_PLACES.get(d.sku, "{location}").format(location=ctx.location))]
    if use_case.ehr:
        release.append(("EHRCompatibility", [("EHR", e) for e in use_case.ehr]))
    release.append(("RegulatoryApproval", f"Approved by {approval.approver} on {approval.date.isoformat()} "
                                          f"({approval.reference}); next review due "
                                          f"{use_case.review_due.isoformat() if use_case.review_due else 'not set'}."))
    oversight = f" Human oversight: {use_case.human_oversight}" if use_case.human_oversight else ""
    metrics = []
    for kind, element in METRIC_KINDS.items():
        m = next(m for m in use_case.metrics if m.kind == kind)
        metrics.append((element, [
            ("MetricGoal", m.goal),
            ("Results", [("MetricResult", [("Label", label), ("ValueJson", value)]) for label, value in m.results]),
            ("Interpretation", m.interpretation), ("TestType", m.test_type),
            ("TestingDataDescription", m.testing_data), ("ValidationProcessAndJustification", m.validation),
        ]))
    resources = []
    if c.get("evaluationReferences"):
        resources.append(("EvaluationReferences", c["evaluationReferences"]))
    resources += [("PeerReviewedPublications", c["publications"]),
                  ("PatientConsentOrDisclosure", c["consentDisclosure"])]
    return [
        ("BasicInfo", [("ModelName", use_case.name), ("ModelDeveloper", ctx.organization),
                       ("DeveloperContact", use_case.business_owner)]),
        ("ReleaseInfo", release),
        ("ModelSummary", [("Summary", summary), ("Keywords", [("Keyword", k) for k in keywords])]),
        ("UsesAndDirections", [
            ("IntendedUseAndWorkflow", c["workflow"]),
            ("PrimaryIntendedUsers", "Members of the Entra ID groups " + ", ".join(use_case.intended_users) + "."),
            ("HowToUse", c["howToUse"] + oversight),
            ("TargetedPatientPopulation", c["population"]),
            ("CautionedOutOfScopeSettings", c["outOfScope"]),
        ]),
        ("Warnings", [
            ("KnownRisksAndLimitations", c["risksAndLimitations"]),
            ("KnownBiasesOrEthicalConsiderations", c["biasConsiderations"]),
            ("ClinicalRiskLevel", use_case.risk_level.capitalize() + "." + oversight),
        ]),
        ("TrustIngredients", [
            ("AISystemFacts", [
                ("OutcomesAndOutputs", c["outputs"]),
                ("ModelType", "Generative large language model (Azure OpenAI), used without fine-tuning."),
                ("FoundationModels", f"{d.model} version {d.version} on Azure OpenAI ({d.sku}). {lifecycle_text}."),
                ("InputDataSource", c["inputs"]),
                ("OutputAndInputDataTypes", c["dataTypes"]),
                ("DevelopmentDataCharacterization", c["developmentData"]),
                ("BiasMitigationApproaches", c["biasMitigation"]),
                ("OngoingMaintenance", f"{c['maintenance']} {upgrade}"),
                ("Security", security),
                ("Transparency", f"Generated by carelift from the AI use-case register (use case {use_case.id}); "
                                 f"business owner {use_case.business_owner}"
                                 + (f", clinical sponsor {use_case.clinical_sponsor}" if use_case.clinical_sponsor
                                    else "") + "."),
            ]),
            ("TransparencyInformation", [
                ("FundingSource", c["fundingSource"]),
                ("ThirdPartyInformation", f"Foundation model by OpenAI, hosted by Microsoft Azure OpenAI "
                                          f"({d.model} {d.version})."),
                ("StakeholdersConsulted", c["stakeholdersConsulted"]),
            ]),
        ]),
        ("KeyMetrics", metrics),
        ("Resources", resources),
        ("Bibliography", c.get("bibliography", "")),
    ]


def card_xml(use_case: UseCase, ctx: CardContext) -> str:
    """The Applied Model Card as XML in CHAI's v0.2 namespace."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}AppliedModelCard")
    _append(root, card_fields(use_case, ctx))
    ET.indent(root, space="\t")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _append(parent: ET.Element, fields: list[tuple[str, object]]) -> None:
    for name, content in fields:
        element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
        if isinstance(content, list):
            _append(element, content)
        else:
            element.text = str(content)


def card_html(use_case: UseCase, ctx: CardContext, *, generated: datetime.date | None = None) -> str:
    """The same card as one self-contained, printable HTML page (autoescaped)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_HTML)
    return template.render(use_case=use_case, fields=card_fields(use_case, ctx), generated=generated,
                           title=_title)


def _title(name: str) -> str:
    """``KnownRisksAndLimitations`` -> ``Known risks and limitations``."""
    words, current = [], ""
    for ch in name:
        if ch.isupper() and current and not current[-1].isupper():
            words.append(current)
            current = ch
        else:
            current += ch
    words.append(current)
    text = " ".join(words)
    return text[:1] + text[1:].lower().replace("ehr", "EHR").replace("ai ", "AI ")


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Applied Model Card: {{ use_case.name }}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;max-width:60rem;margin:2rem auto;color:#111;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.1rem;border-bottom:2px solid #333;margin-top:1.6rem}
h3{font-size:1rem;margin:.9rem 0 .2rem} dl{margin:0} dt{font-weight:600;margin-top:.6rem} dd{margin:0 0 0 1rem}
.meta{color:#444} table{border-collapse:collapse} td,th{border:1px solid #999;padding:.2rem .5rem;text-align:left}
@media print{body{margin:0;max-width:none} h2{break-after:avoid} section{break-inside:avoid}}
</style></head><body>
<h1>Applied Model Card: {{ use_case.name }}</h1>
<p class="meta">Coalition for Health AI Applied Model Card (schema v0.2) &middot; use case {{ use_case.id }}
&middot; risk level {{ use_case.risk_level }} &middot; status {{ use_case.status }}{% if generated %} &middot; generated {{ generated.isoformat() }}{% endif %}</p>
{% macro render(items) %}
<dl>
{% for name, content in items %}
  <dt>{{ title(name) }}</dt>
  <dd>{% if content is string %}{{ content }}{% else %}{{ render(content) }}{% endif %}</dd>
{% endfor %}
</dl>
{% endmacro %}
{% for name, content in fields %}
<section><h2>{{ title(name) }}</h2>
{% if content is string %}<p>{{ content or "None listed." }}</p>{% else %}{{ render(content) }}{% endif %}
</section>
{% endfor %}
</body></html>
"""
