"""The outbox: each plan change becomes exactly the calendar operations it needs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.invitations.desired import check_plan_against, wanted_meetings
from api.invitations.outbox import write_changes
from api.programmes import Basis, record_plan
from api.storage.models import Meeting, OutboxEntry, Programme, Tenant
from scheduler.errors import ScenarioError
from scheduler.plan_format import PlanDocument
from scheduler.scenario_checks import validate_scenario
from tests.builders import executive, mentor, pair, scenario


def document(**invitations: Any) -> dict[str, Any]:
    return scenario(
        people=[
            mentor("m1", name="Mia", email="mia@contoso.example", timezone="Europe/Paris"),
            executive("e1", name="Eve", email="eve@contoso.example", timezone="America/New_York"),
            mentor("m2", email="max@contoso.example"),
            executive("e2", email="ed@contoso.example"),
        ],
        pairs=[pair("p1", "m1", "e1", sessions=2), pair("p2", "m2", "e2", sessions=1)],
        **({"invitations": invitations} if invitations else {}),
    )


def session_of(pair_id: str, index: int, start: str, mentor_id: str, mentee: str) -> dict[str, Any]:
    end = start.replace(":00:00Z", ":45:00Z")
    return {
        "pair": pair_id,
        "index": index,
        "mentor": mentor_id,
        "mentee": mentee,
        "start": start,
        "end": end,
        "moved": False,
    }


def plan(*sessions: dict[str, Any]) -> PlanDocument:
    return PlanDocument.read({"sessions": list(sessions), "unplaced": []})


A = session_of("p1", 0, "2027-01-05T09:00:00Z", "m1", "e1")
B = session_of("p1", 1, "2027-01-07T09:00:00Z", "m1", "e1")
C = session_of("p2", 0, "2027-01-06T10:00:00Z", "m2", "e2")


def programme_in(store: sessionmaker[Session], raw: dict[str, Any]) -> str:
    with store() as session:
        tenant = Tenant(id=str(uuid.uuid4()), name=uuid.uuid4().hex, created_at=datetime.now(UTC))
        programme = Programme(
            id=str(uuid.uuid4()),
            tenant_id=tenant.id,
            name="test",
            scenario=raw,
            statuses={},
            version=0,
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
            invitations=True,
        )
        session.add(tenant)
        session.flush()  # no relationship tells the unit of work the order
        session.add(programme)
        session.commit()
        return programme.id


def apply(store: sessionmaker[Session], programme_id: str, new_plan: dict[str, Any]) -> list[str]:
    with store() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        changes = write_changes(session, programme, validate_scenario(programme.scenario), new_plan)
        session.commit()
    return [f"{c.operation} {c.pair}#{c.index}" for c in changes]


def test_create_move_cancel_and_a_new_meeting_when_a_session_returns(
    store: sessionmaker[Session],
) -> None:
    programme_id = programme_in(store, document())
    assert sorted(apply(store, programme_id, plan(A, B, C))) == [
        "create p1#0",
        "create p1#1",
        "create p2#0",
    ]
    assert apply(store, programme_id, plan(A, B, C)) == []  # the same plan: nothing to send
    moved_b = {**B, "start": "2027-01-08T09:00:00Z", "end": "2027-01-08T09:45:00Z"}
    assert sorted(apply(store, programme_id, plan(A, moved_b))) == ["cancel p2#0", "move p1#1"]
    assert apply(store, programme_id, plan(A, moved_b, C)) == ["create p2#0"]
    with store() as session:
        p2 = session.scalars(
            select(Meeting).where(Meeting.pair == "p2").order_by(Meeting.generation)
        ).all()
        assert [(m.generation, m.wanted) for m in p2] == [(1, "cancelled"), (2, "live")]
        assert p2[0].tag != p2[1].tag  # a new meeting gets a new tag and transactionId
        b = session.scalars(select(Meeting).where(Meeting.pair == "p1", Meeting.index == 1)).one()
        assert (b.start, b.revision) == (datetime(2027, 1, 8, 9, 0, tzinfo=UTC), 2)
        entries = session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)).all()
        assert [e.operation for e in entries] == [
            "create",
            "create",
            "create",
            "move",
            "cancel",
            "create",
        ]
        assert all(e.status == "pending" for e in entries)


def test_template_organiser_attendees_and_time_zone() -> None:
    raw = document(subject="Tandem: {mentor} x {executive}", body="Session {number} of {total}")
    wanted = wanted_meetings(validate_scenario(raw), plan(A, B, C))
    first = wanted[("p1", 0)]
    assert first.organiser == "mia@contoso.example"
    assert first.attendees == (("eve@contoso.example", "Eve"),)  # the executive, nobody else
    assert first.time_zone == "Europe/Paris"  # the organiser's
    assert first.content["subject"] == "Tandem: Mia x Eve"
    assert first.content["body"] == "Session 1 of 2"
    assert first.content["sensitivity"] == "private"
    by_mailbox = wanted_meetings(
        validate_scenario(document(organizer="mentoring@contoso.example")), plan(A)
    )[("p1", 0)]
    assert by_mailbox.organiser == "mentoring@contoso.example"
    assert [a for a, _ in by_mailbox.attendees] == ["mia@contoso.example", "eve@contoso.example"]
    # A mentor in a zone given by its rule (an Outlook custom zone): no name says it.
    ruled = document()
    ruled["people"][0]["timezone"] = "<+0930>-9:30<+1030>-10:30,M10.1.0/2,M4.1.0/3"
    assert wanted_meetings(validate_scenario(ruled), plan(A))[("p1", 0)].time_zone == "UTC"


def test_an_organiser_change_replaces_the_meeting(store: sessionmaker[Session]) -> None:
    programme_id = programme_in(store, document())
    apply(store, programme_id, plan(A))
    with store() as session:
        programme = session.get(Programme, programme_id)
        assert programme is not None
        programme.scenario = document(organizer="mentoring@contoso.example")
        session.commit()
    assert sorted(apply(store, programme_id, plan(A))) == ["cancel p1#0", "create p1#0"]


def test_addresses_are_required_and_named() -> None:
    raw = document()
    del raw["people"][3]["email"]
    with pytest.raises(ScenarioError) as error:
        wanted_meetings(validate_scenario(raw), plan(A, C))
    assert [str(e) for e in error.value.errors] == [
        "people[3].email: required: invitations go through Outlook"
    ]


def test_a_plan_of_another_scenario_is_refused_with_its_field() -> None:
    stranger = {**A, "pair": "p9"}
    wrong_people = {**C, "mentor": "m1"}
    naive = {**B, "start": "2027-01-07T09:00:00"}
    with pytest.raises(ScenarioError) as error:
        raw = {"sessions": [stranger, wrong_people, naive], "unplaced": []}
        check_plan_against(validate_scenario(document()), raw, "x")
    assert [str(e) for e in error.value.errors] == [
        "sessions[0].pair: unknown pair 'p9'",
        "sessions[1]: mentor and mentee are not those of pair 'p2'",
        "sessions[2].start: needs an offset (a plan's times do)",
    ]


@pytest.mark.parametrize(
    ("invitations", "message"),
    [
        ({"subject": "Hi {boss}"}, "invitations.subject: unknown placeholder '{boss}'"),
        ({"body": "{mentor!r}"}, "invitations.body: unknown placeholder '{mentor}'"),
        ({"organizer": "someone"}, "invitations.organizer: 'mentor' or the e-mail address"),
        ({"sensitivity": "secret"}, "invitations.sensitivity"),
    ],
)
def test_invitation_settings_are_checked(invitations: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError) as error:
        validate_scenario(document(**invitations))
    assert any(str(e).startswith(message) for e in error.value.errors), error.value.errors


def test_a_change_reported_while_a_plan_is_made_waits_for_the_next_plan(
    store: sessionmaker[Session],
) -> None:
    programme_id = programme_in(store, document())
    set_statuses(store, programme_id, {"p1#0": "declined"}, ["e1"])  # known when it started
    with store() as session:
        basis = Basis.of(session.get_one(Programme, programme_id))
    set_statuses(store, programme_id, {"p1#0": "declined", "p2#0": "declined"}, ["e1", "m2"])
    with store() as session:
        programme = session.get_one(Programme, programme_id)
        record_plan(session, programme, plan(A, B, C), basis)
        session.commit()
        assert programme.statuses == {"p2#0": "declined"}
        assert programme.changed_people == ["m2"]
        assert programme.planned_revision == basis.scenario_revision
        assert programme.replans_incrementally
        record_plan(session, programme, plan(A, B, C))
        session.commit()
        assert programme.statuses == {}
        assert programme.changed_people == []


def set_statuses(
    store: sessionmaker[Session],
    programme_id: str,
    statuses: dict[str, str],
    changed_people: list[str] | None = None,
) -> None:
    with store() as session:
        programme = session.get_one(Programme, programme_id)
        programme.statuses = statuses
        programme.changed_people = changed_people or []
        session.commit()
