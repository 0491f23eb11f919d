"""The Markdown summary: short, the wave table, the risks, and inventory text that cannot break it."""

from __future__ import annotations

from migrate.reports.markdown import markdown_report
from tests.migrate.reports.conftest import HOSTILE_NOTE, SPEND


def test_the_sample_plan_fits_a_ticket_with_every_wave_and_the_risks(plan):
    text = markdown_report(plan)
    lines = text.splitlines()
    assert len(lines) <= 200
    rows = [line for line in lines if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert [int(r.split("|")[1]) for r in rows] == [w["number"] for w in plan["waves"]]
    first = next(r for r in rows if r.split("|")[1].strip() == "0")
    assert f"${plan['waves'][0]['metrics']['monthly_cost']:,.2f}" in first
    assert "## Risks" in text and "Tier-0 cutover" in text and "End-of-life system" in text
    assert f"${plan['metrics']['monthly_cost']:,.2f}" in text


def test_inventory_text_cannot_add_markup_or_break_a_table(hostile_plan):
    text = markdown_report(hostile_plan)
    assert HOSTILE_NOTE not in text
    assert "\\<script\\>" in text and "\\| \\*\\*bold\\*\\*" in text
    for line in text.splitlines():
        if line.startswith("| Plan note"):
            assert line.count(" | ") == 3  # four cells: the note's pipe is escaped


def test_same_plan_same_text(plan):
    assert markdown_report(plan) == markdown_report(plan)


def test_the_spend_estimate_is_one_line(plan):
    plan["spend"] = SPEND
    text = markdown_report(plan)
    assert "One-time migration cost $1,234.56" in text and "last cutover $5,000.50" in text
