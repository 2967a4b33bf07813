"""Programmes kept by the service: stored scenarios, their plans, changes and history.

A programme's first plan places everything; every later one is a re-plan whose `current`
is the previous plan (with declines and cancellations reported since), so sessions move
as little as they can, and each move is written to the history with its reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from api.invitations.locks import lock_programme
from api.invitations.outbox import Change, write_changes
from api.jobs import queue_programme_plan, requeue_waiting_plan
from api.problems import Problem
from api.releases import current_fields, declined, release_key
from api.settings import ServiceSettings
from api.storage.models import PlanJob, Programme, ProgrammeSession, SessionEvent
from api.validation import check_submitted
from connectors.scenarios import problem_from_data
from scheduler.domain import Decliner
from scheduler.errors import FieldError, ScenarioError
from scheduler.plan_format import (
    PlanDocument,
    PlanSession,
    PlanUnplaced,
    current_entry,
    declined_entry,
    instant_text,
    plan_declines,
)
from scheduler.scenario_checks import validate_scenario
from scheduler.suggestions import without_suggestion

RELEASES = ("decline", "cancel")  # changes that free a booked session


def now() -> datetime:
    return datetime.now(UTC)


def create(
    session: Session, settings: ServiceSettings, tenant_id: str, scenario: dict[str, Any]
) -> Programme:
    checked = check_submitted(settings, scenario)
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


def find(
    session: Session, tenant_id: str, programme_id: str, with_scenario: bool = False
) -> Programme:
    """The tenant's programme, or 404. Its scenario (the calendars: tens of MB) is read
    only if it is used; `with_scenario` reads it with the programme, in one statement, so
    that both are of the same moment (unlocked, two reads could straddle a PUT)."""
    query = select(Programme).where(Programme.id == programme_id, Programme.tenant_id == tenant_id)
    if with_scenario:
        query = query.options(joinedload(Programme.scenario_row))
    programme = session.scalar(query)
    if programme is None:
        raise Problem(404, "Not Found", f"no programme {programme_id}")
    return programme


def etag(programme: Programme) -> str:
    """The programme's entity tag: which writing of its scenario a client has read."""
    return f'"{programme.scenario_writes}"'


def replace_scenario(
    session: Session,
    settings: ServiceSettings,
    tenant_id: str,
    programme_id: str,
    scenario: dict[str, Any],
    if_match: str | None,
) -> Programme:
    """A new scenario, replacing the stored one whole, busy times and leaves reported
    through changes included: the caller names the scenario it read (`If-Match`), so that
    none is replaced unseen. The next plan is a full one (anything may differ)."""
    checked = check_submitted(settings, scenario)
    exists(session, tenant_id, programme_id)
    lock_programme(session, programme_id)
    programme = find(session, tenant_id, programme_id)  # read once, under the lock
    _check_precondition(programme, if_match)
    programme.scenario_writes += 1
    programme.scenario, programme.name, programme.updated_at = (
        scenario,
        checked.name or programme.name,
        now(),
    )
    programme.scenario_revision += 1
    requeue_waiting_plan(session, settings, programme)
    session.commit()
    return programme


def _check_precondition(programme: Programme, if_match: str | None) -> None:
    """428 without `If-Match`, 412 when the scenario was written since the tag was read
    (`*` replaces whatever is stored, knowingly)."""
    if if_match is None:
        raise Problem(
            428,
            "Precondition Required",
            "send If-Match with the ETag of GET /v1/programmes/{id} (or If-Match: * to replace "
            "the scenario whatever it holds): a PUT replaces the busy times and leaves reported "
            "through /changes too",
        )
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(programme) not in tags:
        raise Problem(
            412,
            "Precondition Failed",
            f"the programme's scenario changed since it was read (ETag now {etag(programme)}): "
            "read it again, apply your edit to it, and send it with the new ETag",
            headers={"ETag": etag(programme)},
        )


def plan(session: Session, settings: ServiceSettings, tenant_id: str, programme_id: str) -> PlanJob:
    """Plan the programme (re-plan it once it has a plan), unless a plan already waits."""
    job = queue_programme_plan(session, settings, find(session, tenant_id, programme_id))
    session.commit()
    return job


def report_change(
    session: Session,
    settings: ServiceSettings,
    tenant_id: str,
    programme_id: str,
    change: dict[str, Any],
) -> PlanJob:
    """Record a change, and re-plan (coalesced with a re-plan already waiting)."""
    exists(session, tenant_id, programme_id)
    lock_programme(session, programme_id)
    programme = find(session, tenant_id, programme_id)
    apply_change(session, programme, change)
    job = queue_programme_plan(session, settings, programme)
    session.commit()
    return job


def apply_change(session: Session, programme: Programme, change: dict[str, Any]) -> None:
    """A new busy time, a decline, a cancellation, or a person leaving the programme."""
    kind = change["kind"]
    if kind in RELEASES:
        booked = _booked(session, programme.id, change["pair"], change["index"])
        statuses = dict(programme.statuses or {})
        statuses[release_key(booked.pair, booked.index)] = (
            declined(_decliner(booked, change.get("person"))) if kind == "decline" else "cancelled"
        )
        programme.statuses, programme.updated_at = statuses, now()
        return
    scenario = deepcopy(programme.scenario)
    if kind == "busy":
        person = _person(scenario, change["person"])
        busy = {
            "start": change["start"],
            "end": change["end"],
            "status": change.get("status", "busy"),
        }
        person["busy"] = [*person.get("busy", []), busy]
        _mark_changed(programme, [change["person"]])
    elif kind == "leave":
        _remove_person(programme, scenario, change["person"])
    validate_scenario(scenario)
    programme.scenario, programme.updated_at = scenario, now()
    programme.scenario_writes += 1


def _remove_person(programme: Programme, scenario: dict[str, Any], leaving: str) -> None:
    _person(scenario, leaving)
    scenario["people"] = [p for p in scenario["people"] if p["id"] != leaving]
    kept: list[dict[str, Any]] = []
    left: list[dict[str, Any]] = []
    for p in scenario["pairs"]:
        (left if leaving in (p["mentor"], p["mentee"]) else kept).append(p)
    scenario["pairs"] = kept
    gone = {p["id"] for p in left}
    if "declined" in scenario:  # the declines of the pairs that left go with them
        scenario["declined"] = [d for d in scenario["declined"] if d["pair"] not in gone]
    programme.changed_people = [p for p in programme.changed_people or [] if p != leaving]
    # Their partners have time again, which their other pairs may use.
    _mark_changed(programme, [p["mentor"] if p["mentee"] == leaving else p["mentee"] for p in left])


def _booked(session: Session, programme_id: str, pair: str, index: int) -> ProgrammeSession:
    """Only a session of the last plan can be declined or cancelled: one of the rows the
    plan's sessions are kept in (reading the whole plan would take a large programme's
    decline a fifth of a second)."""
    booked = session.get(ProgrammeSession, (programme_id, pair, index))
    if booked is None:
        message = f"the plan has no session {index} of pair '{pair}'"
        raise Problem(404, "Not Found", message, errors=[{"path": "index", "message": message}])
    return booked


def _decliner(session: ProgrammeSession, person: str | None) -> Decliner | None:
    """Who declined: the person the change names, the session's mentor or executive;
    not known when it names nobody."""
    if person is None:
        return None
    roles: dict[str, Decliner] = {session.mentor: "mentor", session.mentee: "executive"}
    if person not in roles:
        raise ScenarioError(
            [FieldError("person", f"'{person}' is neither the mentor nor the executive")]
        )
    return roles[person]


def _mark_changed(programme: Programme, people: list[str]) -> None:
    """The next re-plan re-plans these people's groups (their calendars changed)."""
    changed = list(programme.changed_people or [])
    changed.extend(p for p in people if p not in changed)
    programme.changed_people = changed


def _person(scenario: dict[str, Any], person_id: str) -> dict[str, Any]:
    return _item(scenario["people"], person_id, "person")


def _item(items: list[dict[str, Any]], item_id: str, kind: str) -> dict[str, Any]:
    """The person or pair with this id, or the error a change names it with."""
    for item in items:
        if item["id"] == item_id:
            return item
    raise ScenarioError([FieldError(kind, f"unknown {kind} '{item_id}'")])


def last_plan(programme: Programme) -> PlanDocument | None:
    return None if not programme.plan else PlanDocument.read(programme.plan, "the last plan")


def replanning_document(programme: Programme, moment: datetime) -> dict[str, Any]:
    """The programme's scenario with its last plan as `current` (and the declines and
    cancellations reported since), and the starts the plan remembers its sessions were
    declined at added to `declined`. A new top-level mapping over the stored scenario's
    parts: nothing below is changed."""
    document: dict[str, Any] = dict(programme.scenario)
    plan = last_plan(programme)
    if plan is None:
        return document
    required = _still_required(programme, plan, document)
    statuses = programme.statuses or {}
    document["current"] = [
        {**current_entry(s), **current_fields(statuses.get(release_key(*s.key)))}
        for s in plan.sessions
        if s.key in required
    ]
    remembered = [
        declined_entry(pair, index, decline)
        for pair, index, decline in plan_declines(plan)
        if (pair, index) in required
    ]
    document["declined"] = [*document.get("declined", []), *remembered]
    document["now"] = instant_text(moment)
    return document


def _still_required(
    programme: Programme, plan: PlanDocument, document: dict[str, Any]
) -> set[tuple[str, int]]:
    """The last plan's sessions the scenario still asks for. Under the scenario the plan
    was made from, that is every session of a pair still there (changes since only add
    busy times and remove people); a replaced scenario is read to know."""
    if programme.replans_incrementally:
        pairs = {pair["id"] for pair in document["pairs"]}
        return {s.key for s in plan.sessions if s.pair in pairs}
    return {request.key for request in problem_from_data(document).sessions}


@dataclass(frozen=True)
class Basis:
    """What a plan of a programme was made from: the plan it re-plans (`version`), the
    declines and cancellations, the calendar changes and the scenario revision it saw.
    Changes reported while it was being made stay for the next plan."""

    version: int
    statuses: dict[str, str]
    changed_people: tuple[str, ...]
    scenario_revision: int

    def data(self) -> dict[str, Any]:
        return {**asdict(self), "changed_people": list(self.changed_people)}

    @classmethod
    def read(cls, data: dict[str, Any]) -> Basis:
        return cls(
            data["version"],
            dict(data["statuses"]),
            tuple(data["changed_people"]),
            data["scenario_revision"],
        )

    @classmethod
    def of(cls, programme: Programme) -> Basis:
        return cls(
            programme.version,
            dict(programme.statuses or {}),
            tuple(programme.changed_people or ()),
            programme.scenario_revision,
        )


def record_plan(
    session: Session,
    programme: Programme,
    plan: PlanDocument,
    basis: Basis | None = None,
) -> list[Change]:
    """Store the new plan and write what happened to each session into the history; when
    the programme sends invitations, the calendar changes go to the outbox in the same
    transaction. `basis` is what the plan was made from (the programme as it is now, when
    None)."""
    lock_programme(session, programme.id)
    session.refresh(programme)  # as the last writer left it
    return record_onto_locked(session, programme, plan, basis)


def record_if_current(
    session: Session, programme_id: str, plan: dict[str, Any], basis: Basis
) -> bool:
    """Record `plan` onto the programme if it is still at the version the plan was made
    from; False, writing nothing, when another plan was recorded since."""
    lock_programme(session, programme_id)
    programme = session.get_one(Programme, programme_id, populate_existing=True)
    if programme.version != basis.version:
        return False
    record_onto_locked(session, programme, PlanDocument.read(plan, "the job's plan"), basis)
    return True


def record_onto_locked(
    session: Session, programme: Programme, plan: PlanDocument, basis: Basis | None = None
) -> list[Change]:
    """`record_plan` for a caller that locked the programme and read it since."""
    changes = (
        write_changes(session, programme, validate_scenario(programme.scenario), plan)
        if programme.invitations
        else []
    )
    before = last_plan(programme)
    before_sessions = before.keyed() if before else {}
    version = programme.version + 1
    session.add_all(
        SessionEvent(programme_id=programme.id, plan_version=version, at=now(), **event)
        for event in _events(before, plan)
    )
    basis = basis or Basis.of(programme)
    programme.plan, programme.version = plan.data(), version
    programme.statuses = {
        k: v for k, v in (programme.statuses or {}).items() if basis.statuses.get(k) != v
    }
    programme.changed_people = [
        p for p in programme.changed_people or [] if p not in basis.changed_people
    ]
    programme.planned_revision = basis.scenario_revision
    _write_session_rows(session, programme.id, before_sessions, plan.keyed())
    return changes


def _events(before: PlanDocument | None, plan: PlanDocument) -> Iterator[dict[str, Any]]:
    """What happened to each session since the last plan: placed, moved, or unplaced
    (once, when it becomes unplaced or its reason changes: not again at every plan, nor
    when only the suggested change does, whose count of starts follows other sessions)."""
    placed = before.keyed() if before else {}
    unplaced = {u.key: _cause(u) for u in before.unplaced} if before else {}
    for s in plan.sessions:
        old = placed.get(s.key)
        if old is None:
            yield _event(s.key, (s.mentor, s.mentee), "placed", None, s.start, None)
        elif s.start != old.start:
            yield _event(s.key, (s.mentor, s.mentee), "moved", old.start, s.start, s.moved_because)
    for u in plan.unplaced:
        if unplaced.get(u.key) == _cause(u):
            continue
        old = placed.get(u.key)
        people = (old.mentor, old.mentee) if old else _pair_people(u.people)
        yield _event(u.key, people, "unplaced", old.start if old else None, None, u.reason)


def _cause(u: PlanUnplaced) -> str:
    """Why the session is unplaced, without the change suggested for it."""
    return without_suggestion(u.unplaced()).reason


def _pair_people(people: tuple[str, ...]) -> tuple[str | None, str | None]:
    """An unplaced session's people, as its reason names them: the mentor, the mentee."""
    return (people[0], people[1]) if len(people) == 2 else (None, None)


def _event(
    key: tuple[str, int],
    people: tuple[str | None, str | None],
    kind: str,
    old_start: datetime | None,
    new_start: datetime | None,
    reason: str | None,
) -> dict[str, Any]:
    return {
        "pair": key[0],
        "index": key[1],
        "mentor": people[0],
        "mentee": people[1],
        "kind": kind,
        "old_start": old_start,
        "new_start": new_start,
        "reason": reason,
    }


def _write_session_rows(
    session: Session,
    programme_id: str,
    before: dict[tuple[str, int], PlanSession],
    after: dict[tuple[str, int], PlanSession],
) -> None:
    """The programme's session rows as the new plan has them, writing only the rows that
    differ from the last plan's (a re-plan after one decline writes one or two rows, not
    every session of the programme)."""
    for pair, index in before.keys() - after.keys():
        session.execute(
            delete(ProgrammeSession).where(
                ProgrammeSession.programme_id == programme_id,
                ProgrammeSession.pair == pair,
                ProgrammeSession.index == index,
            )
        )
    for key, s in after.items():
        row = _row(s)
        old = before.get(key)
        if old is None:
            session.add(
                ProgrammeSession(programme_id=programme_id, pair=key[0], index=key[1], **row)
            )
        elif _row(old) != row:
            session.execute(
                update(ProgrammeSession)
                .where(
                    ProgrammeSession.programme_id == programme_id,
                    ProgrammeSession.pair == key[0],
                    ProgrammeSession.index == key[1],
                )
                .values(**row)
            )


def _row(s: PlanSession) -> dict[str, Any]:
    return {
        "mentor": s.mentor,
        "mentee": s.mentee,
        "start": s.start,
        "end": s.end,
        "moved": s.moved,
        "moves": s.moves,
        "kind": s.kind,
        "mentor_local": _local_text(s.mentor_local),
        "mentee_local": _local_text(s.mentee_local),
    }


def _local_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
