"""Which calendar files a scenario may make Tandem read: `calendar: {ics: PATH}` names a
regular file in the scenario's folder or below it (or in a folder allowed with
`TANDEM_CALENDAR_FOLDERS`). A scenario from someone else must not turn `tandem plan` into a
reader of `/proc/self/environ`, a device, or a file a symlink leads out to: such a path is
refused before it is opened, and its content never reaches an error message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from connectors.documents import too_large_message

ALLOWED_FOLDERS = "TANDEM_CALENDAR_FOLDERS"  # more folders, separated by os.pathsep
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))


class CalendarPathError(Exception):
    """A calendar path that may not be read; the message says why, without content."""


def calendar_file(scenario_folder: Path, written: str, max_bytes: int) -> Path:
    """The file `written` (relative to the scenario's folder) resolves to, once it is
    known to be a regular file inside an allowed folder and within the size limit."""
    resolved = (scenario_folder / written).resolve()
    if any(resolved.is_relative_to(system) for system in SYSTEM_FOLDERS):
        raise CalendarPathError(f"{written}: a system file, not a calendar")
    folders = allowed_folders(scenario_folder)
    if not any(resolved.is_relative_to(folder) for folder in folders):
        raise CalendarPathError(
            f"{written}: outside the scenario's folder ({folders[0]}); calendars are read "
            f"from that folder and below, or from folders listed in {ALLOWED_FOLDERS}"
        )
    try:
        found = resolved.stat()
    except FileNotFoundError:
        raise CalendarPathError(f"{scenario_folder / written}: no such file") from None
    except OSError as problem:
        raise CalendarPathError(f"{written}: cannot be read ({problem.strerror})") from None
    if not stat.S_ISREG(found.st_mode):
        raise CalendarPathError(f"{written}: not a regular file")
    if found.st_size > max_bytes:
        raise CalendarPathError(f"{written}: {too_large_message(max_bytes)}")
    return resolved


def allowed_folders(scenario_folder: Path) -> list[Path]:
    listed = os.environ.get(ALLOWED_FOLDERS, "")
    extra = [Path(part).resolve() for part in listed.split(os.pathsep) if part.strip()]
    return [scenario_folder.resolve(), *extra]
