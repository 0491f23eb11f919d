"""`carelift ai register` and `carelift ai card` through CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner

from migrate.cli import main
from tests.conftest import STACKS

PROD = str(STACKS / "Pulumi.prod.yaml")
CHAI = Path(__file__).resolve().parents[4] / "shared" / "reference" / "chai" / "applied-model-card-v0.2.xsd"
DSIG_STUB = Path(__file__).resolve().parents[2] / "infra" / "ai" / "xmldsig-stub.xsd"


def run(*args: str, as_of: str = "2026-12-06"):
    return CliRunner().invoke(main, list(args), env={"CARELIFT_AS_OF": as_of, "COLUMNS": "200"})


def test_register_lists_every_use_case_with_review_state():
    result = run("ai", "register", "--stack", PROD, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["asOf"] == "2026-12-06"
    by_id = {u["id"]: u for u in report["useCases"]}
    assert set(by_id) == {"ambient-note-summaries", "patient-education-drafts", "prior-auth-letters",
                          "it-helpdesk-assistant"}
    assert by_id["ambient-note-summaries"]["risk"] == "high" and by_id["ambient-note-summaries"]["quota"] == 90000
    assert {u["review"] for u in report["useCases"]} == {"in date"}


def test_register_flags_overdue_reviews():
    result = run("ai", "register", "--stack", PROD, "--format", "csv", as_of="2027-03-01")
    rows = list(csv.DictReader(io.StringIO(result.output.split("warning:")[0])))
    assert {r["id"]: r["review"] for r in rows}["it-helpdesk-assistant"] == "overdue"
    assert "approved use case(s) are overdue for review as of 2027-03-01" in result.output
    table = run("ai", "register", "--stack", PROD, as_of="2027-03-01")
    assert "overdue" in table.output and "ambient-note-summaries" in table.output


@pytest.mark.parametrize("use_case", ["ambient-note-summaries", "patient-education-drafts", "prior-auth-letters",
                                      "it-helpdesk-assistant"])
def test_every_prod_card_validates_against_chai_v02(use_case, tmp_path):
    if not CHAI.is_file():
        pytest.skip(f"CHAI schema not found at {CHAI}")
    schema = xmlschema.XMLSchema(str(CHAI), locations={"http://www.w3.org/2000/09/xmldsig#": str(DSIG_STUB)})
    out = tmp_path / f"{use_case}.xml"
    result = run("ai", "card", use_case, "--stack", PROD, "-o", str(out))
    assert result.exit_code == 0, result.output
    schema.validate(out.read_text(encoding="utf-8"))
    html = run("ai", "card", use_case, "--stack", PROD, "--format", "html")
    assert html.exit_code == 0 and "<h1>Applied Model Card:" in html.output


def test_unknown_use_case_and_missing_facts_exit_2(stack_copy):
    unknown = run("ai", "card", "nope", "--stack", PROD)
    assert unknown.exit_code == 2 and "known: ambient-note-summaries" in unknown.output

    def incomplete(cfg):
        helpdesk = cfg["carelift:openai"]["useCases"][3]
        helpdesk["status"] = "proposed"
        del helpdesk["card"]["population"]

    result = run("ai", "card", "it-helpdesk-assistant", "--stack", str(stack_copy(incomplete)))
    assert result.exit_code == 2
    assert "carelift:openai.useCases[3].card.population (CHAI TargetedPatientPopulation) is required" in result.output
