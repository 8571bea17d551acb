"""Times for people: stored in UTC, shown in the configured zone with the zone named.

Every stored timestamp is UTC (``audit.now_iso()``). Pages and exports show them
in ``TIMEZONE`` (``WORKBENCH_TIMEZONE``, default ``Asia/Shanghai``) and say which
zone that is, so ``2026-12-04T07:30:00+00:00`` reads ``2026-12-04 15:30 (UTC+8)``.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
log = logging.getLogger(__name__)


@lru_cache(maxsize=16)
def zone(name: str | None) -> ZoneInfo:
    """The zone of that IANA name; the default zone (with a warning) when it is unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("Unknown TIMEZONE %r; showing times in %s", name, DEFAULT_ZONE)
        return ZoneInfo(DEFAULT_ZONE)


def settings_zone(settings: Mapping[str, Any] | None) -> ZoneInfo:
    """The zone the settings configure (``TIMEZONE``)."""
    return zone((settings or {}).get("TIMEZONE") or DEFAULT_ZONE)


def offset_name(offset: timedelta | None) -> str:
    """A UTC offset as people write it: UTC+8, UTC-3:30, UTC."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def parse_utc(value: str | datetime | None) -> datetime | None:
    """A stored timestamp as an aware datetime (naive values are UTC); None if it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip().replace("Z", "+00:00")
        if len(text) <= 10:  # a date alone has no time to convert
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_time(value: str | datetime | date | None, where: ZoneInfo, *,
               seconds: bool = False, with_zone: bool = True) -> str:
    """``value`` in the zone ``where``: ``2026-12-04 15:30 (UTC+8)``.

    A date without a time is shown as it is; text that is not a timestamp too.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    moment = parse_utc(value)
    if moment is None:
        return "" if value is None else str(value)
    local = moment.astimezone(where)
    shown = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{shown} ({offset_name(local.utcoffset())})" if with_zone else shown
