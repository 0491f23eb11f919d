"""infra/ai/views.py: the register's rows and a use case's model card, without the CLI."""

from __future__ import annotations

import datetime

import pytest

from infra import api
from infra.ai.card import CardError
from infra.ai.views import REVIEW_SOON_DAYS, UnknownUseCase, model_card, register_rows


@pytest.fixture(scope="module")
def prod():
    return api.stack_config("prod")


def test_rows_follow_the_register_and_judge_each_review_on_the_day(prod):
    helpdesk = next(u for u in prod.openai.use_cases if u.id == "it-helpdesk-assistant")
    due = helpdesk.review_due
    states = {day: {r.id: r.review for r in register_rows(prod, day)}["it-helpdesk-assistant"]
              for day in (due - datetime.timedelta(days=REVIEW_SOON_DAYS + 1),
                          due - datetime.timedelta(days=REVIEW_SOON_DAYS), due, due + datetime.timedelta(days=1))}
    assert list(states.values()) == ["in date", "due soon", "due soon", "overdue"]
    assert [r.id for r in register_rows(prod, due)] == [u.id for u in prod.openai.use_cases]


def test_a_use_case_not_approved_has_no_review_state(prod, stack_copy):
    def propose(cfg):
        cfg["carelift:openai"]["useCases"][0]["status"] = "proposed"

    config = api.stack_config(str(stack_copy(propose)))
    assert register_rows(config, datetime.date(2026, 12, 6))[0].review == "-"


def test_rows_name_the_intended_users_and_mark_a_group_without_object_id(prod, stack_copy):
    assert {r.id: r.users for r in register_rows(prod, datetime.date(2026, 12, 6))}["it-helpdesk-assistant"] == (
        "grp-all-staff")

    def unmap(cfg):
        cfg["carelift:openai"]["useCases"][0]["status"] = "proposed"  # out of force: the stack stays valid
        cfg["carelift:openai"]["useCases"][0]["intendedUsers"].append("grp-night-shift")

    config = api.stack_config(str(stack_copy(unmap)))
    assert register_rows(config, datetime.date(2026, 12, 6))[0].users == (
        "grp-ambient-pilot-clinicians, grp-night-shift (no object id)")


def test_an_unknown_use_case_names_the_known_ones(prod):
    with pytest.raises(UnknownUseCase) as caught:
        model_card(prod, "nope", "xml")
    assert caught.value.title == "stack prod has no AI use case 'nope'"
    assert "ambient-note-summaries" in caught.value.problems[0]


def test_a_card_missing_facts_names_the_stack_use_case_and_key(stack_copy):
    def incomplete(cfg):
        helpdesk = cfg["carelift:openai"]["useCases"][3]
        helpdesk["status"] = "proposed"
        del helpdesk["card"]["population"]

    with pytest.raises(CardError) as caught:
        model_card(api.stack_config(str(stack_copy(incomplete))), "it-helpdesk-assistant", "xml")
    assert caught.value.title == "stack prod: use case 'it-helpdesk-assistant' lacks facts its model card needs"
    assert any("useCases[3].card.population" in p for p in caught.value.problems)


def test_cards_come_in_both_formats(prod):
    assert model_card(prod, "ambient-note-summaries", "xml").startswith("<?xml")
    assert "<h1>Applied Model Card:" in model_card(prod, "ambient-note-summaries", "html")
