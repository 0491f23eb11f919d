"""Azure Migrate dependency export `Time slot` labels → first/last seen.

The slot is a label that counts observations; it is written in the appliance's locale and
version, e.g. `7/28/2026 12:00-18:00`, `28/07/2026 12:00 - 18:00`,
`2026-07-28 12:00 - 2026-07-28 18:00`, with hours up to `24:00` (midnight at the slot's end).
This module only turns labels into ISO timestamps for first/last seen:

- a slot is `DATE TIME SEP [DATE] TIME`; SEP is `-`, `–` or `to`, with or without spaces; an
  end without a date is on the start's day (`24:00` is the next day's midnight, and an end
  earlier than the start rolls over to the next day); `AM`/`PM` and seconds are accepted;
- DATE is `YYYY-MM-DD`, `M/D/YYYY` or `D/M/YYYY`, `D.M.YYYY`; a slashed date is read the way
  the whole file can be read: month-first when every slashed label of the file is a valid
  month-first date, else day-first when every one is a valid day-first date (one export comes
  from one appliance, hence one locale); a file mixing both reads an ambiguous label the way
  most of its unambiguous labels are written;
- a range of whole days, `2026-08-21..2026-09-20` (an aggregated export), runs from the first
  day's midnight to the midnight after the last;
- any other form ISO 8601 or one timestamp (`parse_period`) understands is accepted too;
- a label none of this reads still counts as an observation, only without first/last seen.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from migrate.inventory.dependencies.common import parse_period

_DATE = r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{4})"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?"
_SLOT = re.compile(rf"(?P<d1>{_DATE})[ T]+(?P<t1>{_TIME})\s*(?:-|–|\bto\b)\s*(?:(?P<d2>{_DATE})[ T]+)?(?P<t2>{_TIME})",
                   re.IGNORECASE)
_DAYS = re.compile(rf"(?P<d1>{_DATE})\s*(?:\.\.|-|–|\bto\b)\s*(?P<d2>{_DATE})", re.IGNORECASE)

Period = tuple[str, str]


def _date(text: str, day_first: bool) -> date | None:
    try:
        if "-" in text:
            year, month, day = map(int, text.split("-"))
        else:
            a, b, year = map(int, re.split(r"[/.]", text))
            dotted = "." in text  # `28.07.2026` is day-first in every locale that writes it
            day, month = (a, b) if (day_first or dotted) else (b, a)
        return date(year, month, day)
    except ValueError:
        return None


def _time(text: str) -> timedelta | None:
    """Time of day as an offset from midnight; `24:00` is allowed (the next midnight)."""
    text = text.strip().upper()
    meridiem = text[-2:] if text.endswith(("AM", "PM")) else ""
    numbers = [int(part) for part in text.removesuffix(meridiem).strip().split(":")]
    hours, minutes, seconds = (numbers + [0])[:3]
    if meridiem:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if meridiem == "PM" else 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        return None
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _slashed(text: str) -> bool:
    return "/" in text


class SlotReader:
    """Reads the labels of one export; `period(label)` once every label has been `seen`."""

    def __init__(self) -> None:
        self._labels: dict[str, re.Match | None] = {}

    def see(self, label: str) -> None:
        if label not in self._labels:
            self._labels[label] = _SLOT.fullmatch(label.strip()) or _DAYS.fullmatch(label.strip())

    def periods(self) -> dict[str, Period | None]:
        """Every label seen → (start, end) in ISO form, or None when it cannot be read."""
        slashed = [m for m in self._labels.values() if m and (_slashed(m["d1"]) or (m["d2"] and _slashed(m["d2"])))]
        order: bool | None = None  # day_first for the whole file, None: each label on its own
        if all(self._read(m, False) for m in slashed):
            order = False
        elif all(self._read(m, True) for m in slashed):
            order = True
        # Labels only one order reads vote for the ambiguous ones when the file mixes orders.
        day_first_votes = sum(1 for m in slashed if self._read(m, True) and not self._read(m, False))
        month_first_votes = sum(1 for m in slashed if self._read(m, False) and not self._read(m, True))
        preferred = day_first_votes > month_first_votes
        result = {}
        for label, match in self._labels.items():
            period = None
            if match is not None:
                period = self._read(match, order) if order is not None else \
                    (self._read(match, preferred) or self._read(match, not preferred))
            result[label] = period or parse_period(label)
        return result

    @staticmethod
    def _read(match: re.Match, day_first: bool) -> Period | None:
        start_day = _date(match["d1"], day_first)
        end_day = _date(match["d2"], day_first) if match["d2"] else start_day
        days = "t1" not in match.re.groupindex  # a range of whole days
        start_time = timedelta(0) if days else _time(match["t1"])
        end_time = timedelta(days=1) if days else _time(match["t2"])
        if start_day is None or end_day is None or start_time is None or end_time is None:
            return None
        start = datetime.combine(start_day, datetime.min.time()) + start_time
        end = datetime.combine(end_day, datetime.min.time()) + end_time
        if end < start and not match["d2"]:  # (a range of days always has both dates)
            end += timedelta(days=1)  # `18:00-00:00`: the slot ends at the next midnight
        if end < start:
            return None
        return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")
