"""The scenario loader on bytes built to break it: whatever the file holds, `tandem check`
either accepts it or refuses it with errors naming their place (exit 2). Any other
exception escaping the loader would be a traceback for the user, and fails here."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli import main

VALID = b"""\
version: 1
timezone: Europe/Paris
horizon: {start: 2027-01-04, weeks: 2}
rules: {cadence: weekly, min_notice_hours: 48}
people:
  - {id: m1, role: mentor, working_hours: {mon-fri: ["09:00-17:00"]}}
  - {id: e1, role: executive, busy: ["2027-01-05T10:00/2027-01-05T11:00 tentative"]}
pairs:
  - {id: p1, mentor: m1, mentee: e1, preferred: {between: "12:00-14:00"}}
variations:
  - {name: v, set: {rules.cadence: biweekly}}
"""
# Pieces that reach the corners of YAML and of the format: anchors, tags, escapes,
# surrogates, NUL, deep nesting, huge numbers, dates past 9999, duplicate keys.
PIECES = [
    b"&a ",
    b"*a",
    b"!!python/object:os.system ",
    b"!!binary ",
    b'"\\ud800"',
    b'"\\0"',
    b"\x00",
    b"\xff\xfe",
    b"[" * 80,
    b"{" * 80,
    b"9" * 40,
    b"1e400",
    b"-0x1F",
    b"09",
    b"9999-12-31T23:59:59Z",
    b"0001-01-01",
    b"? ",
    b": ",
    b"- ",
    b"\n  ",
    b"---\n",
    b"%YAML 1.1\n",
    b"<<: *a\n",
    b"id: m1\n",
    b"pair: p1\n",
]


def check_exit_code(path: Path) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["check", str(path)])


def spliced(data: st.DataObject) -> bytes:
    """The valid scenario with a few pieces (or random bytes) put in at random places."""
    content = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(content)))
        piece = data.draw(st.sampled_from(PIECES) | st.binary(min_size=1, max_size=8))
        cut = data.draw(st.integers(0, 6))
        content = content[:at] + piece + content[at + cut :]
    return content


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), suffix=st.sampled_from([".yaml", ".json"]))
def test_spliced_scenarios_are_accepted_or_refused_never_crash(
    tmp_path_factory: object, data: st.DataObject, suffix: str
) -> None:
    folder = Path(tmp_path_factory.mktemp("fuzz"))  # type: ignore[attr-defined]
    path = folder / f"s{suffix}"
    path.write_bytes(spliced(data))
    assert check_exit_code(path) in (0, 2)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(content=st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".json"]))
def test_random_bytes_are_refused_never_crash(
    tmp_path_factory: object, content: bytes, suffix: str
) -> None:
    folder = Path(tmp_path_factory.mktemp("fuzz"))  # type: ignore[attr-defined]
    path = folder / f"s{suffix}"
    path.write_bytes(content)
    assert check_exit_code(path) == 2  # no random bytes make a valid scenario


def test_the_valid_scenario_the_fuzzer_starts_from_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(VALID)
    assert check_exit_code(path) == 0
