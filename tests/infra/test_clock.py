"""The one day carelift judges by: CARELIFT_AS_OF, else today's UTC date."""

from __future__ import annotations

import datetime

import pytest

from infra import clock
from infra.ai.governance import as_of
from infra.config import ConfigError, utc_today


def test_the_variable_sets_the_day_for_every_dated_judgement(monkeypatch):
    monkeypatch.setenv("CARELIFT_AS_OF", "2030-02-28")
    day = datetime.date(2030, 2, 28)
    # AI reviews, Azure's dated defaults, renders (the budget's month) and plans all read the same day.
    assert clock.today() == as_of() == utc_today() == day


def test_without_the_variable_the_day_is_utc_today(monkeypatch):
    monkeypatch.delenv("CARELIFT_AS_OF", raising=False)
    before = datetime.datetime.now(datetime.timezone.utc).date()
    day = clock.today()
    assert before <= day <= datetime.datetime.now(datetime.timezone.utc).date()


def test_an_empty_variable_means_unset(monkeypatch):
    monkeypatch.setenv("CARELIFT_AS_OF", "")
    assert clock.today() == datetime.datetime.now(datetime.timezone.utc).date()


@pytest.mark.parametrize("value", ["07/12/2026", "2026-13-01", "tomorrow", "2026-12-07T10:00:00+05:00 extra"])
def test_a_malformed_day_is_a_config_error_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("CARELIFT_AS_OF", value)
    with pytest.raises(ConfigError) as raised:
        clock.today()
    assert "CARELIFT_AS_OF" in str(raised.value) and "YYYY-MM-DD" in str(raised.value)
