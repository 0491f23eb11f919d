from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from infra.ai.card import CardContext, CardError, card_html, card_xml
from infra.ai.register import pinned, safety_tier
from tests.infra.ai.conftest import HERE, deployments_of, parse

SCHEMA = Path(__file__).resolve().parents[4] / "shared" / "reference" / "chai" / "applied-model-card-v0.2.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    if not SCHEMA.is_file():
        pytest.skip(f"CHAI schema not found at {SCHEMA} (../shared beside the repository)")
    # The schema imports XML-Signature from w3.org; resolve it to a local stand-in, never the network.
    return xmlschema.XMLSchema(str(SCHEMA), locations={"http://www.w3.org/2000/09/xmldsig#":
                                                       str(HERE / "xmldsig-stub.xsd")})


def context(raw, use_case) -> CardContext:
    use_cases, _ = parse(raw)
    return CardContext(organization="Riverbend Health", location="eastus2",
                       deployment=deployments_of(raw)[use_case.deployment],
                       tier=safety_tier(use_cases, use_case.deployment),
                       pinned=pinned(use_cases, use_case.deployment), gateway=True)


def test_every_registered_card_validates_against_chai_v02(raw_register, schema):
    use_cases, problems = parse(raw_register)
    assert problems == []
    for use_case in use_cases:
        xml = card_xml(use_case, context(raw_register, use_case))
        schema.validate(xml)


def test_card_carries_register_and_deployment_facts(raw_register):
    use_cases, _ = parse(raw_register)
    ambient = use_cases[0]
    xml = card_xml(ambient, context(raw_register, ambient))
    assert "<ModelName>Ambient clinical documentation summaries</ModelName>" in xml
    assert "gpt-5.1 version 2025-11-13 on Azure OpenAI (DataZoneStandard)" in xml
    assert "United States data zone" in xml
    assert "pinned (NoAutoUpgrade)" in xml
    assert "prompt bodies are not logged for PHI" in xml
    assert "low severity and above" in xml  # the high-risk tier
    assert '{"kind":"single","value":4.2,"unit":"minutes"}' in xml


def test_card_is_refused_naming_each_missing_fact(raw_register):
    raw_register["useCases"][0]["status"] = "proposed"
    del raw_register["useCases"][0]["card"]["population"]
    del raw_register["useCases"][0]["card"]["metrics"]["fairness"]
    use_cases, problems = parse(raw_register)
    assert problems == []  # a proposed use case may still be incomplete
    with pytest.raises(CardError) as caught:
        card_xml(use_cases[0], context(raw_register, use_cases[0]))
    text = str(caught.value)
    assert "card.population (CHAI TargetedPatientPopulation) is required" in text
    assert "card.metrics.fairness is required" in text


def test_hostile_register_text_is_escaped_in_xml_and_html(raw_register, schema):
    raw_register["useCases"][1]["purpose"] = "<script>alert(1)</script> & ]]>"
    use_cases, _ = parse(raw_register)
    helpdesk = use_cases[1]
    xml = card_xml(helpdesk, context(raw_register, helpdesk))
    schema.validate(xml)
    assert "<script>" not in xml
    html = card_html(helpdesk, context(raw_register, helpdesk))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html  # self-contained: nothing fetched


def test_schema_check_can_fail(raw_register, schema):
    # Guards the validation above: a card missing a required CHAI element must not validate.
    use_cases, _ = parse(raw_register)
    xml = card_xml(use_cases[1], context(raw_register, use_cases[1]))
    start, end = xml.index("<BasicInfo>"), xml.index("</BasicInfo>") + len("</BasicInfo>")
    assert not schema.is_valid(xml[:start] + xml[end:])
