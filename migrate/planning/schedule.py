"""The calendar: when each wave starts replicating and when it cuts over.

Rules (also in the README, "Migration plan"):

- Wave k ≥ 1 spans `wave_length_days` days from `start_date + (k − 1) × wave_length_days`.
  The foundation wave 0 shares wave 1's span: it starts on `start_date` too (its servers —
  directory, DNS, monitoring, backup — replicate alongside the pilot) and takes the *first*
  cutover window of the span, so the shared services are in Azure before any workload that
  needs them.
- Every other wave cuts over in the *last* window of its span (the most replication time),
  and always in a later window than the wave before it: one wave per window, in order.
- A window is a weekday plus a local start and end time in an IANA time zone; an end at or
  before the start means the window crosses midnight. Offsets come from zoneinfo, so a window
  on a daylight-saving change day gets the right offset at each end. A start time the clocks
  skip (02:30 on spring-forward day) is the instant the clocks jump past it; a start time that
  happens twice (fall back) is its first occurrence.
- A window touching a blackout date (its start or its end falls on one) is not used. If a
  wave's span holds no usable window, the wave slides to the next usable window after the span
  and every later wave shifts by the same number of days.

Pure and deterministic: the dates depend on the settings and the wave numbers only.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from migrate.planning.model import Infeasibility, InfeasiblePlan, WaveDates
from migrate.planning.settings import WEEKDAYS, PlanSettings

ONE_DAY = timedelta(days=1)
CALENDAR_END = date(9000, 1, 1)


def schedule(wave_numbers: Iterable[int], settings: PlanSettings) -> list[WaveDates]:
    """Dates of every wave in `wave_numbers` (0 = foundation), in wave order."""
    calendar = CutoverCalendar(settings)
    first_day = date.fromisoformat(settings.start_date)
    length = settings.wave_length_days
    shift = 0  # days every later wave moved because an earlier one slid past its span
    previous: date | None = None  # day of the previous wave's cutover window
    out = []
    numbers = sorted(set(wave_numbers))
    if numbers and (CALENDAR_END - first_day).days < (numbers[-1] + 1) * length:
        # Python's calendar ends in 9999; a plan that long is a settings mistake, not a crash. (Blackouts
        # end by 2099, so sliding past them adds less than a century: 9000 leaves room.)
        raise InfeasiblePlan([Infeasibility(
            "wave_length_days", f"{numbers[-1]} waves of {length} days from {settings.start_date} run past the "
                                "year 9999: shorten wave_length_days or raise the wave limits")])
    for number in numbers:
        start = first_day + timedelta(days=(max(number, 1) - 1) * length + shift)
        last = start + timedelta(days=length - 1)
        earliest = start if previous is None else max(start, previous + ONE_DAY)
        usable = calendar.usable_days(earliest, last)
        if usable:
            day = usable[0] if number == 0 else usable[-1]
        else:
            day = calendar.next_usable_day(max(earliest, last + ONE_DAY))
            shift += (day - last).days
        begins, ends = calendar.window(day)
        out.append(WaveDates(number=number, start=start.isoformat(), cutover=_iso(begins), cutover_end=_iso(ends)))
        previous = day
    for wave in out:  # a scheduling bug must never put a clinical cutover outside its window
        if not calendar.is_window_start(datetime.fromisoformat(wave.cutover)):
            raise AssertionError(f"wave {wave.number} cuts over outside a cutover window: {wave.cutover}")
    return out


class CutoverCalendar:
    """The cutover windows of the settings and the blackout dates that close them."""

    def __init__(self, settings: PlanSettings):
        window = settings.cutover_window
        self.zone = ZoneInfo(window.time_zone)
        self.weekday = WEEKDAYS.index(window.weekday)
        self.opens = time.fromisoformat(window.start)
        self.closes = time.fromisoformat(window.end)
        self.crosses_midnight = self.closes <= self.opens
        self._blackout_firsts = [date.fromisoformat(first) for first, _ in settings.blackout_dates]
        self._blackout_lasts = [date.fromisoformat(last) for _, last in settings.blackout_dates]
        # Ranges come sorted by first day; the running maximum of the last days lets one bisect
        # answer "is this day inside any range" even when ranges overlap.
        self._reach = []
        furthest = date.min
        for last in self._blackout_lasts:
            furthest = max(furthest, last)
            self._reach.append(furthest)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Start and end of the window opening on `day`, as aware local datetimes."""
        end_day = day + ONE_DAY if self.crosses_midnight else day
        return self._local(day, self.opens), self._local(end_day, self.closes)

    def is_blackout(self, day: date) -> bool:
        i = bisect.bisect_right(self._blackout_firsts, day)
        return i > 0 and self._reach[i - 1] >= day

    def is_usable(self, day: date) -> bool:
        """A window opens on `day` and neither its first nor its last minute falls on a blackout date."""
        if day.weekday() != self.weekday:
            return False
        begins, ends = self.window(day)
        last_minute = (ends - timedelta(minutes=1)).date()  # a window ending at 00:00 does not touch that day
        return not (self.is_blackout(begins.date()) or self.is_blackout(last_minute))

    def usable_days(self, first: date, last: date) -> list[date]:
        """Days in [first, last] on which a usable window opens."""
        if last < first:
            return []
        day = first + timedelta(days=(self.weekday - first.weekday()) % 7)
        out = []
        while day <= last:
            if self.is_usable(day):
                out.append(day)
            day += timedelta(days=7)
        return out

    def next_usable_day(self, first: date) -> date:
        """The first day on or after `first` with a usable window (blackouts are finite ranges)."""
        day = first + timedelta(days=(self.weekday - first.weekday()) % 7)
        while not self.is_usable(day):
            day += timedelta(days=7)
        return day

    def is_window_start(self, moment: datetime) -> bool:
        """`moment` is the start of a usable window (the check every cutover must pass)."""
        day = moment.astimezone(self.zone).date()
        candidates = (day, day - ONE_DAY)  # a skipped start time moves to the hour after, never a day
        # Compared in UTC: Python deems an ambiguous local time unequal to every other zone's (PEP 495).
        instant = moment.astimezone(timezone.utc)
        return any(self.is_usable(d) and self.window(d)[0].astimezone(timezone.utc) == instant for d in candidates)

    def _local(self, day: date, clock: time) -> datetime:
        # Through UTC and back: a wall-clock time inside a spring-forward gap becomes the real
        # instant with its real offset instead of a time that never shows on a clock.
        naive = datetime.combine(day, clock, tzinfo=self.zone)
        return naive.astimezone(timezone.utc).astimezone(self.zone)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
