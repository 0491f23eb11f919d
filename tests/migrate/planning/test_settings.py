"""Plan settings refuse what cannot be meant (issue 10): impossible dates, NaN and infinities,
absurd magnitudes, dates outside a planning range, alias bombs — each an error naming its key."""

from __future__ import annotations

import pytest

from infra.stackfile import MAX_ALIASES
from migrate.planning.model import InfeasiblePlan
from migrate.planning.schedule import schedule
from migrate.planning.settings import SettingsError, load_settings, parse_settings


def problems_of(tmp_path, text: str) -> tuple[str, ...]:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert raised.value.source == str(path)
    return raised.value.problems


@pytest.mark.parametrize("text, expected", [
    ("start_date: 2027-02-30\n", "start_date: must be a real date YYYY-MM-DD, got '2027-02-30'"),
    ("blackout_dates: [2027-02-29]\n", "blackout_dates[0]: must be a real date"),
    ("start_date: 0001-01-01\n", "start_date: must be a date between 2000-01-01 and 2099-12-31, got 0001-01-01"),
    ("blackout_dates: [2027-12-20..9999-12-25]\n", "blackout_dates[0]: must lie between 2000-01-01 and 2099-12-31"),
    ("wave: {max_replication_tb: .nan}\n", "wave.max_replication_tb: must be a finite number"),
    ("sizing: {headroom: .inf}\n", "sizing.headroom: must be a finite number between 1 and 3, got inf"),
    ("replication_utilization: -.inf\n", "replication_utilization: must be a finite number"),
    ("bandwidth_mbps: .inf\n", "bandwidth_mbps: must be an integer between 1 and 10,000,000, got inf"),
    ("wave_length_days: 100000000000000000000\n", "wave_length_days: must be an integer between 1 and 365"),
    ("wave: {max_servers: 1e400}\n", "wave.max_servers: must be an integer"),
    ("wave: {max_replication_tb: 1e300}\n", "wave.max_replication_tb: must be a finite number between 0.001 and 1e+06"),
    ("pins: [{server: a, wave: 99999999}]\n", "pins[0].wave: must be a wave number between 0 and 10,000"),
    ("dependency_window: {max_age_months: 0}\n", "dependency_window.max_age_months: must be an integer between 1"),
])
def test_impossible_values_are_errors_naming_the_key(tmp_path, text, expected):
    problems = problems_of(tmp_path, text)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_long_value_is_quoted_capped():
    with pytest.raises(SettingsError) as raised:
        parse_settings({"wave_length_days": "x" * 100_000})
    (problem,) = raised.value.problems
    assert len(problem) < 200 and "100,002 characters" in problem


def test_aliases_past_the_stack_files_limit_are_refused(tmp_path):
    anchors = "a: &a [1, 2]\n" + "".join(f"k{i}: *a\n" for i in range(MAX_ALIASES + 1))
    (problem,) = problems_of(tmp_path, anchors)
    assert problem.startswith("not valid YAML at line") and f"more than {MAX_ALIASES} aliases" in problem


def test_unquoted_dates_and_clock_times_still_read(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("start_date: 2027-02-01\nblackout_dates: [2027-11-25, 2027-12-20..2028-01-03]\n"
                    "cutover_window: {start: 22:00, end: 04:00}\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.start_date == "2027-02-01"
    assert settings.blackout_dates == (("2027-11-25", "2027-11-25"), ("2027-12-20", "2028-01-03"))
    assert (settings.cutover_window.start, settings.cutover_window.end) == ("22:00", "04:00")


def test_a_calendar_past_the_year_9999_is_infeasible_not_a_crash():
    settings = parse_settings({"start_date": "2099-01-04", "wave_length_days": 365})
    with pytest.raises(InfeasiblePlan) as raised:
        schedule(range(8000), settings)
    assert raised.value.problems[0].constraint == "wave_length_days"
