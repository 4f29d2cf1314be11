"""Readable time zones for carrier events and shipments.

A USPS event carries only its local UTC offset and a place. An offset alone does not name a zone
(-05:00 is EST in winter and CDT in summer), but the offset together with the US state does: of
the zones the state spans, the one whose offset at that instant equals the event's is the zone.
When nothing matches (or the place is not a US state), only the offset is shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

MINUS = "\N{MINUS SIGN}"
_E, _C, _M, _P = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

# The zones each US state or territory spans, its main one first.
STATE_ZONES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ["CT", "DC", "DE", "GA", "MA", "MD", "ME", "NC", "NH", "NJ", "NY", "OH", "PA", "RI"],
        (_E,),
    ),
    **dict.fromkeys(["SC", "VA", "VT", "WV"], (_E,)),
    **dict.fromkeys(["AL", "AR", "IA", "IL", "LA", "MN", "MO", "MS", "OK", "WI"], (_C,)),
    **dict.fromkeys(["CO", "MT", "NM", "UT", "WY"], (_M,)),
    **dict.fromkeys(["CA", "WA"], (_P,)),
    "AK": ("America/Anchorage", "America/Adak"),
    "AZ": ("America/Phoenix", _M),
    "FL": (_E, _C),
    "HI": ("Pacific/Honolulu",),
    "ID": ("America/Boise", _P),
    "IN": ("America/Indiana/Indianapolis", _C),
    "KS": (_C, _M),
    "KY": ("America/Kentucky/Louisville", _C),
    "MI": ("America/Detroit", "America/Menominee"),
    "ND": (_C, _M),
    "NE": (_C, _M),
    "NV": (_P, _M),
    "OR": (_P, "America/Boise"),
    "SD": (_C, _M),
    "TN": (_C, _E),
    "TX": (_C, _M),
    "AS": ("Pacific/Pago_Pago",),
    "GU": ("Pacific/Guam",),
    "MP": ("Pacific/Saipan",),
    "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",),
}


# The ISO 3166 alpha-3 codes under which USPS states and territories may appear.
US_COUNTRIES = {"", "USA", "ASM", "GUM", "MNP", "PRI", "VIR"}


def us_state(state: str, country_iso3: str = "") -> str:
    """The state code when the place is in the US (a foreign province code is not a state)."""
    return state.strip().upper() if country_iso3.strip().upper() in US_COUNTRIES else ""


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return None


def offset_label(offset_minutes: int) -> str:
    """`UTC-06:00` (with a real minus sign, U+2212), `UTC+05:30`, `UTC±00:00`."""
    sign = "+" if offset_minutes > 0 else MINUS if offset_minutes < 0 else "±"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone_for_event(when: datetime, offset_minutes: int, state: str) -> ZoneInfo | None:
    """The zone of `state` whose offset at `when` is `offset_minutes`, or None."""
    for name in STATE_ZONES.get(state, ()):
        zone = _zone(name)
        if zone is not None and when.astimezone(zone).utcoffset() == timedelta(
            minutes=offset_minutes
        ):
            return zone
    return None


# Month abbreviations as strftime's %b writes them (Python leaves LC_TIME at "C"); formatting
# by hand takes a fraction of strftime's time, once per row on the result pages.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _local_label(local: datetime) -> str:
    """`Nov 20, 2026 14:05` (strftime's `%b %-d, %Y %H:%M`)."""
    month = MONTHS[local.month - 1]
    return f"{month} {local.day}, {local.year} {local.hour:02d}:{local.minute:02d}"


@cache
def _fixed(offset_minutes: int) -> dt_timezone:
    return dt_timezone(timedelta(minutes=offset_minutes))


def event_time_label(when: datetime, offset_minutes: int | None, state: str = "") -> str:
    """The event's own local time, its zone and offset: `Nov 20, 2026 14:05 CST (UTC-06:00)`."""
    if offset_minutes is None:
        local = timezone.localtime(when)
        return f"{_local_label(local)} {local.tzname()}"
    text = _local_label(when.astimezone(_fixed(offset_minutes)))
    zone = zone_for_event(when, offset_minutes, state)
    if zone is not None:
        text += f" {when.astimezone(zone).tzname()}"
    return f"{text} ({offset_label(offset_minutes)})"


def place_zone(state: str, country_code: str = "US") -> ZoneInfo | None:
    """The main zone of a US state or territory given with its ISO 3166 alpha-2 country."""
    if country_code.strip().upper() not in {"", "US", "AS", "GU", "MP", "PR", "VI"}:
        return None
    names = STATE_ZONES.get(state.strip().upper())
    return _zone(names[0]) if names else None


def _event_zone(checkpoint) -> ZoneInfo | None:
    return zone_for_event(
        checkpoint.checkpoint_time,
        checkpoint.utc_offset_minutes,
        us_state(checkpoint.state, checkpoint.country_iso3),
    )


def shipment_zone(shipment, checkpoints=()) -> ZoneInfo | dt_timezone:
    """The shipment's time zone: its destination's, else its latest event's, else the desk's.

    The destination state names the zone; where the state spans several, the latest event in
    that state picks among them by its offset. `checkpoints` come newest first.
    """
    state = us_state(shipment.destination_state, shipment.destination_country_iso3)
    located = [c for c in checkpoints if c.utc_offset_minutes is not None]
    at_destination = [c for c in located if state and us_state(c.state, c.country_iso3) == state]
    if at_destination and (zone := _event_zone(at_destination[0])):
        return zone
    if state in STATE_ZONES and (zone := _zone(STATE_ZONES[state][0])):
        return zone
    if located:
        latest = located[0]
        return _event_zone(latest) or dt_timezone(timedelta(minutes=latest.utc_offset_minutes))
    return timezone.get_current_timezone()
