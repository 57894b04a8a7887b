"""One way to write dates: "7 Dec 2026" and "7 Dec 2026, 14:05 UTC" for people, ISO for
machines, whatever the value's type (date, aware or naive UTC datetime, ISO text)."""

from __future__ import annotations

import datetime as dt

from webapp.report import dates

MOMENT = dt.datetime(2026, 12, 7, 14, 5, 9, 123456, tzinfo=dt.UTC)


def test_a_day_is_written_without_a_leading_zero_and_with_a_short_month():
    assert dates.day(dt.date(2026, 3, 5)) == "5 Mar 2026"
    assert dates.day("2026-03-05") == "5 Mar 2026"
    assert dates.day(MOMENT) == "7 Dec 2026"
    assert dates.day(None) == "" and dates.day("") == ""


def test_a_moment_says_utc_and_naive_timestamps_are_read_as_utc():
    assert dates.moment(MOMENT) == "7 Dec 2026, 14:05 UTC"
    assert dates.moment(MOMENT.replace(tzinfo=None)) == "7 Dec 2026, 14:05 UTC"
    berlin = dt.timezone(dt.timedelta(hours=1))
    assert dates.moment(dt.datetime(2026, 12, 8, 0, 30, tzinfo=berlin)) == \
        "7 Dec 2026, 23:30 UTC"
    assert dates.moment(dt.date(2026, 12, 7)) == "7 Dec 2026"


def test_exports_get_iso_8601():
    assert dates.iso(MOMENT) == "2026-12-07T14:05:09Z"
    assert dates.iso(MOMENT.replace(tzinfo=None)) == "2026-12-07T14:05:09Z"
    assert dates.iso(dt.date(2026, 12, 7)) == "2026-12-07"
    assert dates.iso("2026-12-07T14:05:09+00:00") == "2026-12-07T14:05:09Z"
    assert dates.iso(None) is None


def test_pages_get_a_time_element_with_the_machine_value():
    assert str(dates.moment_tag(MOMENT)) == \
        '<time datetime="2026-12-07T14:05:09Z">7 Dec 2026, 14:05 UTC</time>'
    assert str(dates.day_tag(dt.date(2026, 1, 2))) == \
        '<time datetime="2026-01-02">2 Jan 2026</time>'
    assert str(dates.day_tag(None)) == ""
