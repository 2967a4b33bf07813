"""What the `tandem` command needs from its surroundings, checked before the work starts:
output paths it can write (a solve of minutes is never lost to a path that is a folder)
and a database it can reach. Each failure is a `CommandError`: one line, no traceback."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

EXIT_INVALID, EXIT_ENVIRONMENT = 2, 3


class CommandError(Exception):
    """A command that cannot go on; its message is printed as `error: ...`."""

    def __init__(self, message: str, exit_code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def writable_file(path: Path, option: str) -> None:
    """`path` can be written as a file: not a folder, in a folder that exists or can be
    made, and that takes a new file (tried, not guessed from permissions)."""
    if path.is_dir():
        raise CommandError(f"{option} {path}: is a folder; give a file name")
    _folder_takes_files(path.parent, f"{option} {path}")


def writable_folder(path: Path, option: str) -> None:
    if path.exists() and not path.is_dir():
        raise CommandError(f"{option} {path}: is a file; give a folder")
    _folder_takes_files(path, f"{option} {path}")


def _folder_takes_files(folder: Path, what: str) -> None:
    existing = next((f for f in (folder, *folder.parents) if f.exists()), None)
    if existing is not None and not existing.is_dir():
        raise CommandError(f"{what}: cannot be written ({existing} is a file, not a folder)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tandem-check-"):
            pass
    except OSError as problem:
        raise CommandError(f"{what}: cannot be written ({_reason(problem)})") from None


def write_atomically(path: Path, data: bytes) -> None:
    """Written whole or not at all: a reader never sees half a plan, and a failure leaves
    any earlier file in place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def open_database(url: str) -> Any:
    """The service's database, its schema brought up to date; a `CommandError` naming it
    (without its password) when it cannot be reached or used."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.storage.database import make_engine, upgrade

    try:
        engine = make_engine(url)
        upgrade(engine)
    except SQLAlchemyError as problem:
        reason = str(getattr(problem, "orig", None) or problem).strip().splitlines()[0][:300]
        raise CommandError(
            f"the database {shown_url(url)} cannot be used (TANDEM_DATABASE_URL): {reason}",
            EXIT_ENVIRONMENT,
        ) from None
    return engine


def sqlite_file_missing(url: str) -> bool:
    """`url` names an SQLite file that does not exist (yet)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file:")
    return parsed.get_backend_name() == "sqlite" and not in_memory and not Path(database).exists()


def shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def _reason(problem: OSError) -> str:
    return problem.strerror or type(problem).__name__
