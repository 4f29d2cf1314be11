"""The USPS business-day calendar: federal holidays, business days, the acceptance day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

CUTOFF = time(17, 0)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 for the last) given weekday (Mon=0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _federal_holidays_of(year: int) -> list[date]:
    days = [
        date(year, 1, 1),  # New Year's Day
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        date(year, 7, 4),  # Independence Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        date(year, 11, 11),  # Veterans Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
        date(year, 12, 25),  # Christmas Day
    ]
    if year >= 2021:
        days.append(date(year, 6, 19))  # Juneteenth
    return days


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[date]:
    """Non-business days of `year` from federal holidays: the date and its observed day."""
    out = set()
    for y in (year - 1, year, year + 1):
        for day in _federal_holidays_of(y):
            out.add(day)
            if day.weekday() == 5:
                out.add(day - timedelta(days=1))
            elif day.weekday() == 6:
                out.add(day + timedelta(days=1))
    return frozenset(d for d in out if d.year == year)


def is_business_day(day: date) -> bool:
    return day.weekday() != 6 and day not in holidays(day.year)


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(start: date, days: int) -> date:
    """`start` moved forward by `days` business days (0 gives `start` back)."""
    for _ in range(days):
        start = next_business_day(start)
    return start


def business_days_between(start: date, end: date) -> int:
    """Business days in (start, end]; negative when `end` is before `start`."""
    if end < start:
        return -business_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_business_day(day)
    return count


def acceptance_day(when: datetime, cutoff: time = CUTOFF) -> date:
    """The business day transit counts from, for a pickup at local wall time `when`."""
    day = when.date()
    if is_business_day(day) and when.time().replace(tzinfo=None) <= cutoff:
        return day
    return next_business_day(day)
