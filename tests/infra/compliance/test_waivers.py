"""Waiver files: every problem reported with entry and line, expiry enforced, waivers applied by the engine."""

from __future__ import annotations

import datetime
import textwrap

import pytest

from infra.compliance.controls import keyvault
from infra.compliance.engine import evaluate
from infra.compliance.model import Status, Waiver
from infra.compliance.waivers import WaiverError, load_waivers
from tests.infra.compliance.arm import resource

TODAY = datetime.date(2026, 3, 1)
CONTROLS = ("CL-KV-001", "CL-KV-007")
VAULT_PATTERN = "/subscriptions/*/providers/Microsoft.KeyVault/vaults/kv-lab-*"

GOOD_ENTRY = f"""\
  - control: CL-KV-001
    resource: {VAULT_PATTERN}
    justification: Lab vaults hold synthetic data only (risk register RR-112).
    approver: jane.doe@riverbend.example
    category: Mitigated
    expires: 2026-06-30
"""


def write(tmp_path, text: str):
    path = tmp_path / "waivers.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path, text: str) -> tuple[str, ...]:
    with pytest.raises(WaiverError) as caught:
        load_waivers(write(tmp_path, text), TODAY, CONTROLS)
    return caught.value.problems


class TestLoading:
    def test_mapping_form(self, tmp_path):
        waivers = load_waivers(write(tmp_path, "waivers:\n" + GOOD_ENTRY), TODAY, CONTROLS)
        assert waivers == (Waiver(control="CL-KV-001", resource=VAULT_PATTERN,
                                  justification="Lab vaults hold synthetic data only (risk register RR-112).",
                                  approver="jane.doe@riverbend.example", category="mitigated",
                                  expires="2026-06-30"),)

    def test_list_form_and_quoted_date(self, tmp_path):
        text = GOOD_ENTRY.replace("2026-06-30", '"2026-06-30"').replace("  - ", "- ").replace("\n    ", "\n  ")
        (waiver,) = load_waivers(write(tmp_path, text), TODAY, CONTROLS)
        assert waiver.expires == "2026-06-30"

    def test_empty_file_and_empty_list_mean_no_waivers(self, tmp_path):
        assert load_waivers(write(tmp_path, ""), TODAY, CONTROLS) == ()
        assert load_waivers(write(tmp_path, "waivers: []\n"), TODAY, CONTROLS) == ()

    def test_a_waiver_is_valid_through_its_expiry_date(self, tmp_path):
        text = "waivers:\n" + GOOD_ENTRY.replace("2026-06-30", TODAY.isoformat())
        assert load_waivers(write(tmp_path, text), TODAY, CONTROLS)[0].expires == "2026-03-01"

    def test_controls_default_to_the_catalog(self, tmp_path):
        assert load_waivers(write(tmp_path, "waivers:\n" + GOOD_ENTRY), TODAY)[0].control == "CL-KV-001"


class TestProblems:
    def test_expired_waiver_is_an_error(self, tmp_path):
        assert problems(tmp_path, "waivers:\n" + GOOD_ENTRY.replace("2026-06-30", "2026-02-28")) == (
            "entry 1 (line 2): expires: the waiver expired on 2026-02-28 (today is 2026-03-01): renew or remove it",)

    def test_every_problem_of_every_entry_with_its_line(self, tmp_path):
        text = "waivers:\n" + GOOD_ENTRY + """\
  - control: CL-XX-999
    resource: kv-lab-01
    approver: ""
    category: accepted
    expires: next year
    color: red
  - just a string
  - control: CL-KV-007
    resource: /subscriptions/*
    justification: j
    approver: a
    category: waiver
"""
        assert problems(tmp_path, text) == (
            "entry 2 (line 8): color: unknown key (expected control, resource, justification, approver, category, expires)",
            "entry 2 (line 8): justification: required, a non-empty string",
            "entry 2 (line 8): approver: required, a non-empty string",
            "entry 2 (line 8): control: unknown control 'CL-XX-999' (see `carelift audit controls`)",
            "entry 2 (line 8): resource: 'kv-lab-01' is not a resource id pattern (it starts with "
            "'/subscriptions/…', '/providers/…' or '*')",
            "entry 2 (line 8): category: 'accepted' is not one of waiver, mitigated",
            "entry 2 (line 8): expires: 'next year' is not an ISO date (YYYY-MM-DD)",
            "entry 3 (line 14): must be a mapping with keys control, resource, justification, approver, category, expires",
            "entry 4 (line 15): approver: 'a' has no e-mail address (name the person who approved it, e.g. "
            "jane.doe@example.org)",
            "entry 4 (line 15): expires: required, an ISO date (YYYY-MM-DD): every waiver expires",
        )

    def test_a_timestamp_is_not_a_date(self, tmp_path):
        assert problems(tmp_path, "waivers:\n" + GOOD_ENTRY.replace("2026-06-30", "2026-06-30T10:00:00")) == (
            "entry 1 (line 2): expires: '2026-06-30T10:00:00' has a time; give a date (YYYY-MM-DD)",)

    @pytest.mark.parametrize("written", ["2027-02-30", "'2027-02-30'"])
    def test_an_impossible_date_quoted_or_not_is_an_error_on_its_entry(self, tmp_path, written):
        assert problems(tmp_path, "waivers:\n" + GOOD_ENTRY.replace("2026-06-30", written)) == (
            "entry 1 (line 2): expires: '2027-02-30' is not a real date (day is out of range for month)",)

    def test_the_approver_names_an_e_mail_address(self, tmp_path):
        text = "waivers:\n" + GOOD_ENTRY.replace("jane.doe@riverbend.example", "Jane Doe (privacy officer)")
        assert problems(tmp_path, text) == (
            "entry 1 (line 2): approver: 'Jane Doe (privacy officer)' has no e-mail address (name the person who "
            "approved it, e.g. jane.doe@example.org)",)
        ok = "waivers:\n" + GOOD_ENTRY.replace("jane.doe@riverbend.example", "Jane Doe <jane.doe@riverbend.example>")
        assert load_waivers(write(tmp_path, ok), TODAY, CONTROLS)[0].approver == "Jane Doe <jane.doe@riverbend.example>"


class TestWarnings:
    def load(self, tmp_path, text: str, **options) -> list[str]:
        warnings: list[str] = []
        load_waivers(write(tmp_path, text), TODAY, CONTROLS, warnings=warnings, **options)
        return [w.split(": ", 1)[1] for w in warnings]

    def test_a_good_waiver_has_no_warning(self, tmp_path):
        assert self.load(tmp_path, "waivers:\n" + GOOD_ENTRY) == []

    def test_every_resource_is_a_warning(self, tmp_path):
        text = "waivers:\n" + GOOD_ENTRY.replace(VAULT_PATTERN, "'*'")
        assert self.load(tmp_path, text) == [
            "entry 1 (line 2): resource: '*' waives CL-KV-001 for every resource; name the resources it covers"]

    def test_a_term_past_the_maximum_is_a_warning(self, tmp_path):
        text = "waivers:\n" + GOOD_ENTRY.replace("2026-06-30", "2027-03-02")
        assert self.load(tmp_path, text) == [
            "entry 1 (line 2): expires: 2027-03-02 is 366 days away, longer than the 365-day maximum term; "
            "review it sooner"]
        assert self.load(tmp_path, text, max_term_days=400) == []
        assert len(self.load(tmp_path, "waivers:\n" + GOOD_ENTRY, max_term_days=30)) == 1

    def test_duplicate_control_and_pattern(self, tmp_path):
        assert problems(tmp_path, "waivers:\n" + GOOD_ENTRY + GOOD_ENTRY) == (
            "entry 2 (line 8): resource: repeats entry 1 for the same control and pattern",)

    def test_wrong_shapes(self, tmp_path):
        assert problems(tmp_path, "waivers: {control: CL-KV-001}\nextra: 1\n") == (
            "line 1: unknown top-level key(s) extra (expected only 'waivers')",
            "line 1: waivers: must be a list of waiver entries")
        assert problems(tmp_path, "42\n") == ("line 1: expected a list of waivers or a mapping with a 'waivers' list",)

    def test_invalid_yaml_names_the_line(self, tmp_path):
        (problem,) = problems(tmp_path, "waivers:\n  - control: [unclosed\n")
        assert problem.startswith("line 3: not valid YAML")

    def test_unreadable_file(self, tmp_path):
        with pytest.raises(WaiverError) as caught:
            load_waivers(tmp_path / "missing.yaml", TODAY, CONTROLS)
        assert caught.value.path == tmp_path / "missing.yaml"
        assert caught.value.problems[0].startswith("cannot read the file:")

    def test_error_message_carries_the_path(self, tmp_path):
        with pytest.raises(WaiverError, match=r"waivers\.yaml: 5 waiver problem\(s\): entry 1 \(line 1\): resource: required"):
            load_waivers(write(tmp_path, "- control: CL-KV-001\n"), TODAY, CONTROLS)


def test_the_engine_reports_matching_failures_as_waived(tmp_path):
    (waiver,) = load_waivers(write(tmp_path, "waivers:\n" + GOOD_ENTRY), TODAY, CONTROLS)
    lab = resource("Microsoft.KeyVault/vaults", "KV-LAB-01", {})
    prod = resource("Microsoft.KeyVault/vaults", "kv-prod-01", {})
    result = evaluate([lab, prod], [keyvault.purge_protection], [waiver])
    assert {f.resource_id.rsplit("/", 1)[-1]: (f.status, f.waiver) for f in result.findings} == {
        "KV-LAB-01": (Status.WAIVED, waiver), "kv-prod-01": (Status.FAIL, None)}
