"""Stored UTC times shown in the configured zone, with the zone named."""
from __future__ import annotations

from datetime import date, datetime, timezone

from workbench.config import load_settings
from workbench.localtime import local_time, offset_name, settings_zone, zone

SHANGHAI = zone("Asia/Shanghai")


def test_utc_times_read_in_the_zone_with_its_offset():
    assert local_time("2026-12-04T07:30:00.123456+00:00", SHANGHAI) == "2026-12-04 15:30 (UTC+8)"
    assert local_time("2026-12-04T23:30:00Z", SHANGHAI) == "2026-12-05 07:30 (UTC+8)"
    assert local_time("2026-12-04T07:30:09", SHANGHAI, seconds=True) == \
        "2026-12-04 15:30:09 (UTC+8)"  # naive stored times are UTC
    moment = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    assert local_time(moment, zone("America/New_York")) == "2026-06-01 08:00 (UTC-4)"


def test_dates_and_other_text_stay_as_they_are():
    assert local_time("2026-12-31", SHANGHAI) == "2026-12-31"
    assert local_time(date(2026, 12, 31), SHANGHAI) == "2026-12-31"
    assert local_time("", SHANGHAI) == "" and local_time(None, SHANGHAI) == ""
    assert local_time("yesterday", SHANGHAI) == "yesterday"


def test_offsets_are_named_like_people_write_them():
    from datetime import timedelta

    assert offset_name(timedelta(hours=8)) == "UTC+8"
    assert offset_name(timedelta(hours=-3, minutes=-30)) == "UTC-3:30"
    assert offset_name(timedelta(hours=5, minutes=45)) == "UTC+5:45"
    assert offset_name(timedelta()) == "UTC"


def test_the_setting_and_its_environment_variable(tmp_path, monkeypatch):
    assert settings_zone(load_settings(tmp_path)).key == "Asia/Shanghai"  # the default
    monkeypatch.setenv("WORKBENCH_TIMEZONE", "Europe/Berlin")
    assert settings_zone(load_settings(tmp_path)).key == "Europe/Berlin"
    # An unknown zone falls back to the default rather than breaking every page.
    assert settings_zone({"TIMEZONE": "Mars/Olympus"}).key == "Asia/Shanghai"
