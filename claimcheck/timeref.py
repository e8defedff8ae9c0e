"""Time: when an article was written (its anchor), and which day or period each figure refers to.

An article's anchor is its front-matter `published` date, else a date in its dateline (the first line that is
only a date, or "date 2013-05-13", or a date at the start of the first paragraph), else none. A figure's
reference time is the period its clause names, resolved against the anchor: explicit dates ("January 12",
"24th April 2013", "2004"), weekdays ("on Saturday": the last Saturday on or before the anchor), "yesterday",
"last night", "this morning", "last month", "last year", "a year ago", "this year", "so far", "since April 20".
dateparser resolves what this module's own rules do not cover. A figure whose clause names no time refers to the
anchor: news states the figures of its day.

Intervals are (first day, last day) as ISO dates, inclusive.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from .units import MONTHS

Interval = tuple[str, str]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
WRITTEN_DATE = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+([A-Z][a-z]+)\.?,?\s+(\d{4})|([A-Z][a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(\d{4}))\b")
DATELINE_CHARS = 200
DATELINE = re.compile(r"^(?:[A-Z][A-Za-z.\-' ]{1,40},\s*){0,2}(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\s+\d{4})")


def parse_published(value: str | None) -> date | None:
    """A front-matter date ("2013-05-10", "2013-05-10T08:00:00Z", "10 May 2013"), else None."""
    if not value:
        return None
    match = ISO_DATE.search(str(value))
    if match:
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    return _written_date(str(value))


def article_anchor(published: str | None, text: str) -> tuple[date | None, str]:
    """(anchor date, basis): basis is "published", "dateline" or "" when the article cannot be dated."""
    stated = parse_published(published)
    if stated:
        return stated, "published"
    head = text.lstrip()[:DATELINE_CHARS]
    first_line = head.split("\n", 1)[0]
    match = ISO_DATE.search(first_line)
    if match:
        found = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        if found:
            return found, "dateline"
    # A dateline opens the text: "Jan 24, 2010", or "PORT-AU-PRINCE, Haiti, Jan. 24, 2010 (AP) -". A date later
    # in the first sentence dates what it tells of ("On April 23, 2013 the building collapsed"), not the page.
    match = DATELINE.match(head)
    found = _written_date(match.group(0)) if match else None
    if found is None and len(first_line) <= 40:
        found = _written_date(first_line)
    return (found, "dateline") if found else (None, "")


def _written_date(text: str) -> date | None:
    match = WRITTEN_DATE.search(text)
    if not match:
        return None
    day, month, year = (match[1], match[2], match[3]) if match[1] else (match[5], match[4], match[6])
    month_number = MONTHS.get(month.lower()[:3]) if month.lower() in MONTHS or month.lower()[:3] in MONTHS else None
    return _safe_date(int(year), month_number, int(day)) if month_number else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day(d: date) -> Interval:
    return d.isoformat(), d.isoformat()


def _month_span(year: int, month: int) -> Interval:
    first = date(year, month, 1)
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
    return first.isoformat(), last.isoformat()


def _year_span(year: int) -> Interval:
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def resolve(expression: str, anchor: date | None) -> Interval | None:
    """The interval a time expression names, resolved against the article's anchor; None when unknown."""
    text = " ".join(expression.lower().replace("’", "'").replace("'s", "").split())
    text = re.sub(r"^(?:on|in|at|by|during|the|of)\s+", "", text)
    if not text:
        return None
    if re.fullmatch(r"(?:19|20)\d{2}", text):
        return _year_span(int(text))
    own = _relative(text, anchor) if anchor else None
    if own is not None:
        return own
    explicit = _explicit(text, anchor)
    if explicit is not None:
        return explicit
    return _dateparser(text, anchor)


def _relative(text: str, anchor: date) -> Interval | None:
    if text in ("today", "tonight", "this morning", "this afternoon", "this evening", "so far", "now", "currently"):
        return _day(anchor)
    if text in ("yesterday", "last night", "overnight"):
        return _day(anchor - timedelta(days=1))
    words = text.split()
    weekday = next((w for w in words if w in WEEKDAYS), None)
    if weekday and len(words) <= 3:
        back = (anchor.weekday() - WEEKDAYS.index(weekday)) % 7
        back += 7 if words[0] == "last" and back == 0 else 0
        return _day(anchor - timedelta(days=back))
    if text in ("this year", "earlier this year", "the year so far"):
        return anchor.replace(month=1, day=1).isoformat(), anchor.isoformat()
    if text in ("last year", "a year ago", "one year ago", "a year earlier"):
        return _year_span(anchor.year - 1) if text == "last year" else _day(_years_back(anchor, 1))
    if text in ("this month",):
        return anchor.replace(day=1).isoformat(), anchor.isoformat()
    if text in ("last month",):
        previous = anchor.replace(day=1) - timedelta(days=1)
        return _month_span(previous.year, previous.month)
    if text in ("this week", "last week"):
        start = anchor - timedelta(days=anchor.weekday() + (7 if text == "last week" else 0))
        return start.isoformat(), (start + timedelta(days=6)).isoformat()
    match = re.fullmatch(r"last (\w+)", text)
    if match and match[1] in MONTHS:
        month = MONTHS[match[1]]
        year = anchor.year if month < anchor.month else anchor.year - 1
        return _month_span(year, month)
    match = re.fullmatch(r"(\w+|\d+) (day|week|month|year)s? ago", text)
    if match:
        return _day(_back(anchor, match[1], match[2]))
    match = re.fullmatch(r"since (.+)", text)
    if match:
        start = _explicit(match[1], anchor)
        return (start[0], anchor.isoformat()) if start else None
    return None


NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10}


def _back(anchor: date, amount: str, unit: str) -> date:
    n = int(amount) if amount.isascii() and amount.isdecimal() else NUMBER_WORDS.get(amount, 1)
    if unit == "year":
        return _years_back(anchor, n)
    if unit == "month":
        month = anchor.month - n
        year = anchor.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, min(anchor.day, 28))
    return anchor - timedelta(days=n * (7 if unit == "week" else 1))


def _years_back(anchor: date, n: int) -> date:
    return anchor.replace(year=anchor.year - n, day=min(anchor.day, 28) if anchor.month == 2 else anchor.day)


def _explicit(text: str, anchor: date | None) -> Interval | None:
    """ "12 january", "january 12, 2010", "24th april", "december 2002", "april 2015"."""
    text = text.replace(",", " ")
    words = [w.rstrip(".") for w in text.split()]
    months = [w for w in words if w in MONTHS]
    if len(months) != 1 or len(words) > 4:
        return None
    month = MONTHS[months[0]]
    years = [int(w) for w in words if re.fullmatch(r"(?:19|20)\d{2}", w)]
    days = [int(re.sub(r"(st|nd|rd|th)$", "", w)) for w in words
            if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", w) and 1 <= int(re.sub(r"(st|nd|rd|th)$", "", w)) <= 31]
    if years:
        year = years[0]
    elif anchor is not None:
        # A date without a year is the latest such date not after the anchor (news looks back).
        year = anchor.year if (month, days[0] if days else 1) <= (anchor.month, anchor.day) else anchor.year - 1
    else:
        return None
    if days:
        found = _safe_date(year, month, days[0])
        return _day(found) if found else None
    return _month_span(year, month)


def _dateparser(text: str, anchor: date | None) -> Interval | None:
    """The expressions our rules do not read ("the day before", "friday evening"), through dateparser."""
    if anchor is None or not re.search(r"[a-z]", text) or len(text.split()) > 5:
        return None
    import datetime as dt

    import dateparser  # imported on first use: it takes a second to load its language data

    settings = {"RELATIVE_BASE": dt.datetime(anchor.year, anchor.month, anchor.day), "PREFER_DATES_FROM": "past",
                "REQUIRE_PARTS": [], "RETURN_TIME_AS_PERIOD": False}
    try:
        found = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # noqa: BLE001 - dateparser raises many types on odd input; an unreadable time is unknown
        return None
    return _day(found.date()) if found and found.date() <= anchor else None


def overlaps(a: Interval, b: Interval, slack_days: int = 0) -> bool:
    """Whether two intervals share a day, allowing `slack_days` (inferred dates are ±1 day)."""
    start_a, end_a = date.fromisoformat(a[0]), date.fromisoformat(a[1])
    start_b, end_b = date.fromisoformat(b[0]), date.fromisoformat(b[1])
    slack = timedelta(days=slack_days)
    return start_a - slack <= end_b and start_b - slack <= end_a


def midpoint(interval: Interval) -> date:
    start, end = date.fromisoformat(interval[0]), date.fromisoformat(interval[1])
    return start + (end - start) / 2


def label(interval: Interval | None) -> str | None:
    """An interval as one ISO date when it is a day, else "start/end" (ISO 8601 interval)."""
    if interval is None:
        return None
    return interval[0] if interval[0] == interval[1] else f"{interval[0]}/{interval[1]}"
