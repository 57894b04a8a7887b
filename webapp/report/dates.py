"""One way to write dates and times, on every page, in every PDF and in every export.

People read "7 Dec 2026" (a day) and "7 Dec 2026, 14:05 UTC" (a moment: the server keeps
UTC and knows nothing of the reader's time zone, so it says so); machines read ISO 8601
("2026-12-07", "2026-12-07T14:05:09Z"). Pages wrap the human text in
`<time datetime="ISO">`. Jinja filters of the same names serve the app's and the report's
templates: `day`, `moment`, `iso`, `day_tag`, `moment_tag`.
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

Dateish = dt.date | dt.datetime | str | None


def _parse(value: Dateish) -> dt.date | dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):  # datetime is a date too
        return value
    text = str(value).strip()
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _utc(moment: dt.datetime) -> dt.datetime:
    """Stored timestamps are UTC; SQLite hands them back without a zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def day(value: Dateish) -> str:
    """"7 Dec 2026" (a moment gives its UTC day); "" for nothing."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if isinstance(parsed, dt.datetime):
        parsed = _utc(parsed).date()
    return f"{parsed.day} {parsed:%b %Y}"


def moment(value: Dateish) -> str:
    """"7 Dec 2026, 14:05 UTC"; a plain date gives its day; "" for nothing."""
    parsed = _parse(value)
    if parsed is None:
        return ""
    if not isinstance(parsed, dt.datetime):
        return day(parsed)
    parsed = _utc(parsed)
    return f"{day(parsed)}, {parsed:%H:%M} UTC"


def iso(value: Dateish) -> str | None:
    """ISO 8601 for exports and `datetime` attributes: "2026-12-07" for a day,
    "2026-12-07T14:05:09Z" for a moment (whole seconds, UTC); None for nothing."""
    parsed = _parse(value)
    if parsed is None:
        return None
    if not isinstance(parsed, dt.datetime):
        return parsed.isoformat()
    return _utc(parsed).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def day_tag(value: Dateish) -> Markup:
    """`<time datetime="2026-12-07">7 Dec 2026</time>`; empty for nothing."""
    return _tag(value, day)


def moment_tag(value: Dateish) -> Markup:
    """`<time datetime="2026-12-07T14:05:09Z">7 Dec 2026, 14:05 UTC</time>`."""
    return _tag(value, moment)


def _tag(value: Dateish, text) -> Markup:
    machine = iso(value)
    if machine is None:
        return Markup("")
    return Markup('<time datetime="{}">{}</time>').format(machine, escape(text(value)))


FILTERS = {"day": day, "moment": moment, "iso": iso, "day_tag": day_tag,
           "moment_tag": moment_tag}


def install(filters: dict) -> None:
    """Add the date filters to a Jinja environment's `filters`."""
    filters.update(FILTERS)
