"""Programmes kept by the service: stored scenarios, their plans, changes and history.

A programme's first plan places everything; every later one is a re-plan whose `current`
is the previous plan (with declines and cancellations reported since), so sessions move
as little as they can, and each move is written to the history with its reason.
"""

from __future__ import annotations

import uuid
from copy import deepcopy
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from api.invitations.locks import lock_programme
from api.invitations.outbox import Change, write_changes
from api.jobs import queue_programme_plan
from api.problems import Problem
from api.settings import ServiceSettings
from api.storage.models import PlanJob, Programme, ProgrammeSession, SessionEvent
from api.validation import check_submitted
from connectors.scenarios import problem_from_data
from scheduler.errors import FieldError, ScenarioError
from scheduler.scenario_checks import validate_scenario


def now() -> datetime:
    return datetime.now(UTC)


def create(sessions: sessionmaker[Session], tenant_id: str, scenario: dict[str, Any]) -> Programme:
    check_submitted(scenario)
    checked = validate_scenario(scenario)
    programme = Programme(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        name=checked.name or "programme",
        scenario=scenario,
        statuses={},
        plan=None,
        version=0,
        created_at=now(),
        updated_at=now(),
    )
    with sessions() as session:
        session.add(programme)
        session.commit()
    return programme


def exists(session: Session, tenant_id: str, programme_id: str) -> None:
    """404 unless the tenant has this programme (reads no scenario and no plan)."""
    found = session.scalar(
        select(Programme.id).where(Programme.id == programme_id, Programme.tenant_id == tenant_id)
    )
    if found is None:
        raise Problem(404, "Not Found", f"no programme {programme_id}")


def find(session: Session, tenant_id: str, programme_id: str) -> Programme:
    programme = session.scalar(
        select(Programme).where(Programme.id == programme_id, Programme.tenant_id == tenant_id)
    )
    if programme is None:
        raise Problem(404, "Not Found", f"no programme {programme_id}")
    return programme


def replace_scenario(
    sessions: sessionmaker[Session], tenant_id: str, programme_id: str, scenario: dict[str, Any]
) -> Programme:
    check_submitted(scenario)
    checked = validate_scenario(scenario)
    with sessions() as session:
        programme = find(session, tenant_id, programme_id)
        programme.scenario, programme.name, programme.updated_at = (
            scenario,
            checked.name or programme.name,
            now(),
        )
        session.commit()
        return programme


def plan(
    sessions: sessionmaker[Session], settings: ServiceSettings, tenant_id: str, programme_id: str
) -> PlanJob:
    """Plan the programme (re-plan it once it has a plan), unless a plan already waits."""
    with sessions() as session:
        job = queue_programme_plan(session, settings, find(session, tenant_id, programme_id))
        session.commit()
        return job


def report_change(
    sessions: sessionmaker[Session],
    settings: ServiceSettings,
    tenant_id: str,
    programme_id: str,
    change: dict[str, Any],
) -> PlanJob:
    """Record a change, and re-plan (coalesced with a re-plan already waiting)."""
    with sessions() as session:
        programme = find(session, tenant_id, programme_id)
        lock_programme(session, programme.id)
        session.refresh(programme)
        apply_change(programme, change)
        job = queue_programme_plan(session, settings, programme)
        session.commit()
        return job


def apply_change(programme: Programme, change: dict[str, Any]) -> None:
    """A new busy time, a decline, a cancellation, or a person leaving the programme."""
    scenario = deepcopy(programme.scenario)
    kind = change["kind"]
    if kind == "busy":
        person = _person(scenario, change["person"])
        busy = {
            "start": change["start"],
            "end": change["end"],
            "status": change.get("status", "busy"),
        }
        person["busy"] = [*person.get("busy", []), busy]
    elif kind in ("decline", "cancel"):
        _pair(scenario, change["pair"])
        statuses = dict(programme.statuses or {})
        statuses[f"{change['pair']}#{change['index']}"] = (
            "declined" if kind == "decline" else "cancelled"
        )
        programme.statuses = statuses
    elif kind == "leave":
        _person(scenario, change["person"])
        scenario["people"] = [p for p in scenario["people"] if p["id"] != change["person"]]
        scenario["pairs"] = [
            p for p in scenario["pairs"] if change["person"] not in (p["mentor"], p["mentee"])
        ]
    validate_scenario(scenario)
    programme.scenario, programme.updated_at = scenario, now()


def _person(scenario: dict[str, Any], person_id: str) -> dict[str, Any]:
    return _item(scenario["people"], person_id, "person")


def _pair(scenario: dict[str, Any], pair_id: str) -> dict[str, Any]:
    return _item(scenario["pairs"], pair_id, "pair")


def _item(items: list[dict[str, Any]], item_id: str, kind: str) -> dict[str, Any]:
    """The person or pair with this id, or the error a change names it with."""
    for item in items:
        if item["id"] == item_id:
            return item
    raise ScenarioError([FieldError(kind, f"unknown {kind} '{item_id}'")])


def replanning_document(programme: Programme, moment: datetime) -> dict[str, Any]:
    """The programme's scenario with its last plan as `current` (and the reported declines)."""
    document: dict[str, Any] = deepcopy(programme.scenario)
    if not programme.plan:
        return document
    required = {request.key for request in problem_from_data(document).sessions}
    statuses = programme.statuses or {}
    document["current"] = [
        {
            "pair": s["pair"],
            "index": s["index"],
            "start": s["start"],
            "moves": s.get("moves", 0),
            "status": statuses.get(f"{s['pair']}#{s['index']}", "booked"),
        }
        for s in programme.plan["sessions"]
        if (s["pair"], s["index"]) in required
    ]
    document["now"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return document


def record_plan(
    session: Session,
    programme: Programme,
    plan: dict[str, Any],
    consumed: dict[str, str] | None = None,
) -> list[Change]:
    """Store the new plan and write what happened to each session into the history; when
    the programme sends invitations, the calendar changes go to the outbox in the same
    transaction. `consumed` are the declines and cancellations the plan was made with
    (all of them when None): one reported while it was being made stays for the next."""
    lock_programme(session, programme.id)
    session.refresh(programme)  # as the last writer left it
    changes = (
        write_changes(session, programme, validate_scenario(programme.scenario), plan)
        if programme.invitations
        else []
    )
    before = {(s["pair"], s["index"]): s for s in (programme.plan or {}).get("sessions", [])}
    version = programme.version + 1
    events = []
    for s in plan["sessions"]:
        old = before.get((s["pair"], s["index"]))
        if old is None:
            events.append(("placed", None, s["start"], None, s))
        elif s["start"] != old["start"]:
            events.append(("moved", old["start"], s["start"], s.get("moved_because"), s))
    for u in plan["unplaced"]:
        old = before.get((u["pair"], u["index"]))
        events.append(("unplaced", old["start"] if old else None, None, u["reason"], u))
    for kind, old_start, new_start, reason, item in events:
        session.add(
            SessionEvent(
                programme_id=programme.id,
                pair=item["pair"],
                index=item["index"],
                kind=kind,
                old_start=old_start,
                new_start=new_start,
                reason=reason,
                plan_version=version,
                at=now(),
            )
        )
    programme.plan, programme.version = plan, version
    programme.statuses = (
        {}
        if consumed is None
        else {k: v for k, v in (programme.statuses or {}).items() if consumed.get(k) != v}
    )
    session.execute(delete(ProgrammeSession).where(ProgrammeSession.programme_id == programme.id))
    session.add_all(
        ProgrammeSession(
            programme_id=programme.id,
            pair=s["pair"],
            index=s["index"],
            mentor=s["mentor"],
            mentee=s["mentee"],
            start=s["start"],
            end=s["end"],
            moved=s["moved"],
            moves=s.get("moves", 0),
        )
        for s in plan["sessions"]
    )
    return changes
