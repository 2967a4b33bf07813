"""Declines and cancellations reported since a programme's last plan, as the programme
keeps them until a plan has used them: `"pair#index"` -> `declined`, `declined by
executive`, `declined by mentor` or `cancelled`. A decline whose author is not known (a
meeting removed in Outlook, a decline reported without `person`) leaves both people's
local days of the declined start (see `after_decline`)."""

from __future__ import annotations

from typing import Any

from scheduler.domain import Decliner

DECLINED_BY = "declined by "


def release_key(pair: str, index: int) -> str:
    return f"{pair}#{index}"


def declined(by: Decliner | None) -> str:
    return "declined" if by is None else DECLINED_BY + by


def current_fields(kept: str | None) -> dict[str, Any]:
    """The `status` (and `declined_by`) a kept release gives the session in `current`."""
    if kept is None:
        return {}
    if kept.startswith(DECLINED_BY):
        return {"status": "declined", "declined_by": kept.removeprefix(DECLINED_BY)}
    return {"status": kept}
