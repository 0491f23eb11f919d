"""The HTML audit report opens with what needs attention: failures, lapsing waivers, unused waivers."""

from __future__ import annotations

import dataclasses

from infra.compliance.engine import evaluate
from infra.compliance.model import Waiver
from infra.compliance.outputs import AuditMeta, html
from tests.infra.compliance.outputs.conftest import CONTROLS, WAIVER, make_sample

UNUSED = Waiver(control="CL-KV-002", resource="*/vaults/kv-gone-*", justification="Retired vault (RR-9).",
                approver="sam.lee@riverbend.example", category="waiver", expires="2026-12-31")


def test_failures_come_first_and_before_the_safeguards(sample):
    page = html.render(sample.result, sample.controls, sample.meta)
    attention = html.attention(sample.result, sample.meta)
    assert attention.failures and all(f.status.value in ("fail", "error") for f in attention.failures)
    assert [f.severity.rank for f in attention.failures] == sorted(f.severity.rank for f in attention.failures)
    assert page.index('id="attention"') < page.index("<main>")
    for finding in attention.failures:
        assert finding.resource_id in page[page.index('id="attention"'):page.index("<main>")]


def test_waivers_expiring_within_30_days_and_waivers_that_matched_nothing(sample):
    documents = sample.documents
    result = evaluate(documents, CONTROLS, [WAIVER, UNUSED])
    early = AuditMeta(source="s", generated_at="2026-03-01T12:00:00Z", tool_version="0")
    assert html.attention(result, early).expiring == ()  # WAIVER expires 2026-06-30: four months away
    late = dataclasses.replace(early, generated_at="2026-06-10T08:00:00Z")
    attention = html.attention(result, late)
    assert [(w.control, n) for w, n in attention.expiring] == [("CL-KV-001", 1)]
    assert attention.unused == (UNUSED,)
    page = html.render(result, CONTROLS, late)
    head = page[page.index('id="attention"'):page.index("<main>")]
    assert "Waivers expiring within 30 days" in head and "2026-06-30" in head
    assert "Waivers that matched nothing" in head and "*/vaults/kv-gone-*" in head


def test_a_clean_audit_says_so(sample):
    clean = make_sample()
    result = dataclasses.replace(clean.result, findings=tuple(f for f in clean.result.findings
                                                              if f.status.value == "pass"))
    page = html.render(result, clean.controls, clean.meta)
    assert "No failed or errored finding." in page
