"""The wave calendar: spans, cutover windows in their time zone (DST), blackouts and sliding."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from migrate.planning.schedule import CutoverCalendar, schedule
from migrate.planning.settings import parse_settings


def plan_settings(**raw):
    return parse_settings(raw)


def cutovers(waves):
    return {w.number: (w.start, w.cutover, w.cutover_end) for w in waves}


def test_defaults_two_week_waves_cut_over_on_the_last_saturday_night_of_their_span():
    waves = schedule([0, 1, 2, 3], plan_settings())  # 2027-01-04 (Monday), 14 days, Saturday 00:00-06:00 Chicago
    assert cutovers(waves) == {
        0: ("2027-01-04", "2027-01-09T00:00:00-06:00", "2027-01-09T06:00:00-06:00"),  # first window: foundation
        1: ("2027-01-04", "2027-01-16T00:00:00-06:00", "2027-01-16T06:00:00-06:00"),
        2: ("2027-01-18", "2027-01-30T00:00:00-06:00", "2027-01-30T06:00:00-06:00"),
        3: ("2027-02-01", "2027-02-13T00:00:00-06:00", "2027-02-13T06:00:00-06:00"),
    }


def test_wave_numbers_are_sorted_and_deduplicated_and_gaps_keep_their_span():
    waves = schedule([3, 1, 1], plan_settings())
    assert [w.number for w in waves] == [1, 3]
    assert waves[1].start == "2027-02-01"


def test_offsets_follow_daylight_saving_time():
    waves = schedule(range(1, 41), plan_settings(start_date="2027-03-01", wave_length_days=7))
    offsets = {w.cutover[:10]: w.cutover[-6:] for w in waves}
    # US daylight saving time in 2027: 2027-03-14 to 2027-11-07.
    assert (offsets["2027-03-13"], offsets["2027-03-20"]) == ("-06:00", "-05:00")
    assert (offsets["2027-11-06"], offsets["2027-11-13"]) == ("-05:00", "-06:00")
    assert all(w.cutover[11:19] == "00:00:00" for w in waves)


def test_a_window_spanning_the_spring_forward_change_is_three_hours_long():
    settings = plan_settings(start_date="2027-03-08", wave_length_days=7,
                             cutover_window={"weekday": "sunday", "start": "01:00", "end": "05:00",
                                             "time_zone": "America/Chicago"})
    wave = schedule([1], settings)[0]
    assert (wave.cutover, wave.cutover_end) == ("2027-03-14T01:00:00-06:00", "2027-03-14T05:00:00-05:00")
    length = datetime.fromisoformat(wave.cutover_end) - datetime.fromisoformat(wave.cutover)
    assert length.total_seconds() == 3 * 3600


def test_a_start_time_the_clocks_skip_is_the_instant_they_jump():
    settings = plan_settings(start_date="2027-03-08", wave_length_days=7,
                             cutover_window={"weekday": "sunday", "start": "02:30", "end": "05:00"})
    assert schedule([1], settings)[0].cutover == "2027-03-14T03:30:00-05:00"


def test_a_start_time_that_happens_twice_is_the_first_one():
    settings = plan_settings(start_date="2027-11-01", wave_length_days=7,
                             cutover_window={"weekday": "sunday", "start": "01:30", "end": "04:00"})
    wave = schedule([1], settings)[0]
    assert (wave.cutover, wave.cutover_end) == ("2027-11-07T01:30:00-05:00", "2027-11-07T04:00:00-06:00")


def test_other_time_zones_use_their_own_rules():
    settings = plan_settings(start_date="2027-03-22", wave_length_days=7,
                             cutover_window={"weekday": "sunday", "start": "00:00", "end": "06:00",
                                             "time_zone": "Europe/Berlin"})
    wave = schedule([1], settings)[0]  # EU summer time starts on 2027-03-28 at 02:00
    assert (wave.cutover, wave.cutover_end) == ("2027-03-28T00:00:00+01:00", "2027-03-28T06:00:00+02:00")


def test_a_window_crossing_midnight_ends_the_next_day():
    settings = plan_settings(cutover_window={"weekday": "friday", "start": "22:00", "end": "04:00"})
    waves = schedule([1, 2], settings)
    assert (waves[0].cutover, waves[0].cutover_end) == ("2027-01-15T22:00:00-06:00", "2027-01-16T04:00:00-06:00")
    assert waves[1].cutover == "2027-01-29T22:00:00-06:00"


def test_a_window_whose_end_falls_on_a_blackout_date_is_not_used():
    settings = plan_settings(cutover_window={"weekday": "friday", "start": "22:00", "end": "04:00"},
                             blackout_dates=["2027-01-16"])
    assert schedule([1], settings)[0].cutover == "2027-01-08T22:00:00-06:00"


def test_a_window_ending_at_midnight_does_not_touch_the_next_day():
    settings = plan_settings(cutover_window={"weekday": "friday", "start": "18:00", "end": "00:00"},
                             blackout_dates=["2027-01-16"])
    wave = schedule([1], settings)[0]
    assert (wave.cutover, wave.cutover_end) == ("2027-01-15T18:00:00-06:00", "2027-01-16T00:00:00-06:00")


def test_a_blacked_out_window_falls_back_to_an_earlier_one_in_the_span():
    waves = schedule([1], plan_settings(blackout_dates=["2027-01-16"]))
    assert waves[0].cutover == "2027-01-09T00:00:00-06:00"


def test_a_span_without_a_usable_window_slides_and_later_waves_shift():
    settings = plan_settings(blackout_dates=["2027-01-23..2027-02-14"])
    waves = schedule([1, 2, 3, 4], settings)
    # Wave 2 (2027-01-18..31) has only blacked-out Saturdays: it slides to 2027-02-20 (20 days past its
    # span) and waves 3 and 4 keep their two-week rhythm from there.
    assert cutovers(waves) == {
        1: ("2027-01-04", "2027-01-16T00:00:00-06:00", "2027-01-16T06:00:00-06:00"),
        2: ("2027-01-18", "2027-02-20T00:00:00-06:00", "2027-02-20T06:00:00-06:00"),
        3: ("2027-02-21", "2027-03-06T00:00:00-06:00", "2027-03-06T06:00:00-06:00"),
        4: ("2027-03-07", "2027-03-20T00:00:00-05:00", "2027-03-20T06:00:00-05:00"),
    }


def test_year_end_freeze_pushes_the_waves_into_january():
    settings = plan_settings(start_date="2027-11-29", blackout_dates=["2027-12-13..2028-01-03", "2027-11-25"])
    waves = schedule([1, 2, 3], settings)
    assert [w.cutover[:10] for w in waves] == ["2027-12-11", "2028-01-08", "2028-01-22"]


def test_one_week_waves_with_a_foundation_wave_take_one_window_each():
    waves = schedule([0, 1, 2], plan_settings(wave_length_days=7))
    # One Saturday per span: the foundation takes it, wave 1 slides a week and wave 2 follows.
    assert [w.cutover[:10] for w in waves] == ["2027-01-09", "2027-01-16", "2027-01-23"]
    assert [w.start for w in waves] == ["2027-01-04", "2027-01-04", "2027-01-17"]


def test_every_cutover_is_a_window_start_outside_blackouts_and_strictly_ordered():
    settings = plan_settings(start_date="2027-02-01", wave_length_days=10,
                             cutover_window={"weekday": "sunday", "start": "02:00", "end": "06:00"},
                             blackout_dates=["2027-03-01..2027-03-20", "2027-07-04", "2027-11-25..2027-11-28",
                                             "2027-12-15..2028-01-05"])
    waves = schedule(range(0, 60), settings)
    calendar = CutoverCalendar(settings)
    moments = [datetime.fromisoformat(w.cutover) for w in waves]
    assert all(calendar.is_window_start(m) for m in moments)
    assert all(not calendar.is_blackout(m.date()) for m in moments)
    assert moments == sorted(moments) and len(set(moments)) == len(moments)
    assert all(date.fromisoformat(w.start) <= m.date() for w, m in zip(waves, moments))


def test_the_window_check_rejects_other_moments():
    settings = plan_settings(blackout_dates=["2027-01-16"])
    calendar = CutoverCalendar(settings)
    assert calendar.is_window_start(datetime.fromisoformat("2027-01-09T00:00:00-06:00"))
    assert calendar.is_window_start(datetime.fromisoformat("2027-01-09T06:00:00+00:00"))  # same instant
    assert not calendar.is_window_start(datetime.fromisoformat("2027-01-09T01:00:00-06:00"))
    assert not calendar.is_window_start(datetime.fromisoformat("2027-01-10T00:00:00-06:00"))
    assert not calendar.is_window_start(datetime.fromisoformat("2027-01-16T00:00:00-06:00"))  # blackout


def test_same_settings_same_calendar():
    settings = plan_settings(blackout_dates=["2027-02-01..2027-02-10"])
    assert schedule(range(30), settings) == schedule(list(reversed(range(30))), settings)


@pytest.mark.parametrize("numbers", [[], [0]])
def test_empty_and_foundation_only(numbers):
    waves = schedule(numbers, plan_settings())
    assert [w.cutover for w in waves] == ["2027-01-09T00:00:00-06:00"][:len(numbers)]
