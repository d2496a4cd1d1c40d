"""A store's opening hours: per weekday, the periods it is open (none: closed that day), in the
merchant's time zone. Stored and sent as `{"mon": [{"open": "09:00", "close": "13:00"}, …], …,
"sun": []}`; the staff UI writes a day as text, "09:00-13:00, 15:00-19:30"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_PERIODS = 4
TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
END_OF_DAY = "24:00"  # a close at midnight; a night past it goes on the next day from 00:00
SHORT_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")

Period = dict[str, str]
Hours = dict[str, list[Period]]
Problem = tuple[str, str]


def _period_problem(period: Any) -> Problem | None:
    if not isinstance(period, Mapping) or set(period) != {"open", "close"}:
        return ("invalid_hours", 'Each period is {"open": "HH:MM", "close": "HH:MM"}.')
    opens, closes = period["open"], period["close"]
    if not (isinstance(opens, str) and TIME.match(opens)):
        return ("invalid_time", "Write times as HH:MM, from 00:00 to 23:59.")
    if not (isinstance(closes, str) and (TIME.match(closes) or closes == END_OF_DAY)):
        return ("invalid_time", "Write times as HH:MM, from 00:00 to 24:00.")
    if closes <= opens:
        return ("closes_before_opening", "A period closes after it opens (past midnight: up to 24:00).")
    return None


def _day_problem(periods: Any) -> Problem | None:
    if not isinstance(periods, list):
        return ("invalid_hours", "A day is a list of periods; none: closed.")
    if len(periods) > MAX_PERIODS:
        return ("too_many_periods", f"At most {MAX_PERIODS} periods a day.")
    for period in periods:
        problem = _period_problem(period)
        if problem is not None:
            return problem
    ordered = sorted(periods, key=lambda period: period["open"])
    if any(later["open"] < earlier["close"] for earlier, later in pairwise(ordered)):
        return ("overlapping_periods", "The periods of a day must not overlap.")
    return None


def checked_hours(hours: Mapping[str, Any]) -> tuple[Hours, dict[str, Problem]]:
    """The hours with every day (a day left out: closed), each day's periods in order; and the
    problems, per day (`opening_hours.<day>`), or of the whole (`opening_hours`)."""
    problems: dict[str, Problem] = {}
    unknown = sorted(set(hours) - set(DAYS))
    if unknown:
        problems["opening_hours"] = (
            "invalid_day",
            f"The days are {', '.join(DAYS)}; not {', '.join(unknown)}.",
        )
    clean: Hours = {}
    for day in DAYS:
        periods = hours.get(day, [])
        problem = _day_problem(periods)
        if problem is not None:
            problems[f"opening_hours.{day}"] = problem
            continue
        clean[day] = [
            {"open": period["open"], "close": period["close"]}
            for period in sorted(periods, key=lambda period: period["open"])
        ]
    return clean, problems


def _time(text: str) -> str:
    """ "9" or "9.30" as 09:00 and 09:30; anything else as typed, for the check to refuse."""
    found = SHORT_TIME.match(text.strip())
    if found is None:
        return text.strip()
    return f"{int(found.group(1)):02d}:{found.group(2) or '00'}"


def parse_day(text: str) -> list[Period]:
    """A day as staff type it: periods "open-close" separated by commas; empty: closed. Never
    refuses: what does not fit comes out as typed, and `checked_hours` says what is wrong."""
    periods = []
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        opens, _dash, closes = re.sub("\\s*[-\u2013\u2014]\\s*", "-", part.strip()).partition("-")
        periods.append({"open": _time(opens), "close": _time(closes)})
    return periods


def day_text(periods: list[Period]) -> str:
    return ", ".join(f"{period['open']}-{period['close']}" for period in periods)
