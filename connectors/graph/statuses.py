"""Graph's words for free/busy and for attendees' answers, read whatever their case.

Graph documents them in camel case (`busy`, `workingElsewhere`, `tentativelyAccepted`), but
answers in the wild, Microsoft's own samples among them, write `Busy` and `Tentative`: an
exact comparison would read a busy person as free. A status Tandem does not know blocks
the time (fail closed), and is logged once per process and value: only the value, cut
short and escaped, never whose calendar it came from.
"""

from __future__ import annotations

import logging
import threading

from connectors.shown_text import shown as shown_value

log = logging.getLogger(__name__)
SHOWN_CHARACTERS = 40
REPORTED_AT_MOST = 1000

# scheduleItem.status -> the scenario's busy status; None blocks nothing.
BUSY_STATUSES: dict[str, str | None] = {
    "busy": "busy",
    "tentative": "tentative",
    "oof": "oof",
    "unknown": "busy",  # Graph could not say: the time is not offered
    "free": None,
    "workingelsewhere": None,  # working, just not at the desk
}
# attendee.status.response, in Graph's own spelling.
RESPONSES = {
    r.lower(): r
    for r in ("none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded")
}

_reported: set[tuple[str, str]] = set()
_reported_lock = threading.Lock()


def busy_status(value: object) -> str | None:
    """The busy status of a schedule item: `busy`, `tentative`, `oof`, or None for time
    that blocks nothing; an unknown value is `busy`."""
    key = value.lower() if isinstance(value, str) else ""
    if key in BUSY_STATUSES:
        return BUSY_STATUSES[key]
    _report_once("schedule item status", value, "the time counts as busy")
    return "busy"


def attendee_response(value: object) -> str:
    """An attendee's answer in Graph's spelling (`declined`, not `Declined`); an unknown
    one is kept as it came (cut short), and is no decline."""
    text = value if isinstance(value, str) else ""
    if text.lower() in RESPONSES:
        return RESPONSES[text.lower()]
    _report_once("attendee response", value, "it is not read as a decline")
    return text[:SHOWN_CHARACTERS]


def _report_once(kind: str, value: object, consequence: str) -> None:
    shown = shown_value(value, SHOWN_CHARACTERS)
    with _reported_lock:
        if (kind, shown) in _reported or len(_reported) >= REPORTED_AT_MOST:
            return  # a service that invents a new word per item must not flood the log
        _reported.add((kind, shown))
    log.warning("Graph sent the %s %s, which Tandem does not know; %s", kind, shown, consequence)
