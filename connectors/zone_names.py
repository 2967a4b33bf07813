"""Time-zone names as calendars write them, to IANA names: IANA names themselves, Windows
zone ids (current, legacy and the newest) and the display names Windows shows for its
zones (`(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna`). One table serves
every calendar source (ICS files and Microsoft Graph): `windows_zones.tsv`, which names
its sources.

A display name is read after a normalisation, never by guessing: spaces around the name
are dropped and runs of spaces count as one; letter case does not matter; the offset in
front may say `UTC` or `GMT` (as Windows XP did), with or without a space before the sign
(`(GMT +01:00)`), or be left out altogether (`Amsterdam, Berlin, Bern, Rome, Stockholm,
Vienna`). The list of places names the zone; only where one list has named two zones over
the years (`Minsk`) does the offset choose between them, and without an offset, or with one
that fits neither, the name is ambiguous and an error.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

TABLE_FILE = "windows_zones.tsv"
OFFSET_PREFIX = re.compile(
    r"^\(\s*(?:UTC|GMT)\s*(?:(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?\s*\)"
    r"\s*(?P<places>.*)$",
    re.IGNORECASE,
)


class ZoneNameError(ValueError):
    """A zone name that names no zone, or more than one; the message says which (without
    repeating the name: the caller says where it was written)."""


@dataclass(frozen=True)
class _Table:
    windows: dict[str, str]  # casefolded Windows id -> IANA name
    places: dict[str, dict[int | None, set[str]]]  # places -> offset in minutes -> IANA names


def iana_name(name: str) -> str | None:
    """The IANA zone of an IANA name, a Windows zone id or a Windows display name, or None
    when the name names no zone or is ambiguous."""
    try:
        return iana_zone(name)
    except ZoneNameError:
        return None


def iana_zone(name: str) -> str:
    """The IANA zone of an IANA name, a Windows zone id or a Windows display name; a
    ZoneNameError says why there is none."""
    text = " ".join(name.split())
    table = _table()
    if text.casefold() in table.windows:
        return table.windows[text.casefold()]
    if is_iana_name(text):
        return text
    return _display_name_zone(text, table)


def is_iana_name(name: str) -> bool:
    """Whether the time zone database lists `name` (`Europe/Paris`, `UTC`)."""
    return name in _iana_names()


@cache
def _iana_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _display_name_zone(name: str, table: _Table) -> str:
    offset, places = _offset_and_places(name)
    if offset is not None and not places:
        raise ZoneNameError(
            "an offset alone, which names no time zone (it does not say when daylight "
            "saving time applies)"
        )
    by_offset = table.places.get(places)
    if not by_offset:
        raise ZoneNameError("not an IANA time zone, a Windows time zone or a Windows display name")
    zones = set().union(*by_offset.values())
    if len(zones) == 1:
        return zones.pop()
    if offset is not None and len(by_offset.get(offset, ())) == 1:
        return next(iter(by_offset[offset]))
    raise ZoneNameError(
        f"ambiguous: Windows has used these places for {', '.join(sorted(zones))}; "
        "give the offset in front, as in (UTC+03:00)"
    )


def _offset_and_places(name: str) -> tuple[int | None, str]:
    """`(GMT +01:00) Amsterdam, ...` -> (60, `amsterdam, ...`); no offset in front: None."""
    match = OFFSET_PREFIX.match(name)
    if match is None:
        return None, name.casefold()
    minutes = int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
    return (-minutes if match["sign"] == "-" else minutes), match["places"].casefold()


@cache
def _table() -> _Table:
    windows: dict[str, str] = {}
    places: dict[str, dict[int | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    text = resources.files("connectors").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        windows_id, iana, display = line.split("\t")
        windows[windows_id.casefold()] = iana
        if display:
            offset, named = _offset_and_places(display)
            places[named][offset].add(iana)
    return _Table(windows, {key: dict(value) for key, value in places.items()})
