"""Schema upgrades keep what is stored: instants written as text before revision 0009 are
the same instants after it (and again after a downgrade), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text

from api.storage.database import MIGRATIONS, make_engine, sessions
from api.storage.models import Meeting, Programme, ProgrammeScenario, ProgrammeSession, SessionEvent
from api.work.claims import as_utc


def migrate(engine: Engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def stored_as_text(engine: Engine) -> None:
    """A programme with one session and one event, as revision 0008 stored them."""
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO tenants (id, name, created_at) VALUES ('t', 't', :now)"),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO programmes (id, tenant_id, name, scenario, statuses, version, "
                "created_at, updated_at, invitations) VALUES ('p', 't', 'p', '{}', '{}', 1, "
                ":now, :now, false)"
            ),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text(
                'INSERT INTO programme_sessions (programme_id, pair, "index", mentor, mentee, '
                "start, \"end\", moved, moves) VALUES ('p', 'p1', 0, 'm1', 'e1', "
                "'2027-01-05T13:00:00Z', '2027-01-05T13:45:00Z', false, 0)"
            )
        )
        connection.execute(
            text(
                'INSERT INTO session_events (programme_id, pair, "index", kind, old_start, '
                "new_start, reason, plan_version, at) VALUES ('p', 'p1', 0, 'moved', "
                "'2027-01-04T09:00:00Z', '2027-01-05T13:00:00Z', 'r', 1, :now)"
            ),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text(
                'INSERT INTO meetings (id, programme_id, pair, "index", generation, tag, '
                'organiser, attendees, time_zone, content, start, "end", wanted, revision, '
                "synced_revision, attempted_revision, event_start, event_end, event_cancelled, "
                "responses, updated_at) VALUES ('mt', 'p', 'p1', 0, 1, 'tag', 'o@x', '[]', "
                "'UTC', '{}', '2027-01-05T13:00:00Z', '2027-01-05T13:45:00Z', 'live', 1, 1, 1, "
                "'2027-01-05T13:00:00Z', NULL, false, '{}', :now)"
            ),
            {"now": datetime.now(UTC)},
        )


def test_instants_stored_as_text_become_the_same_timestamps(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine, "0008")
    stored_as_text(engine)
    migrate(engine, "head")
    with sessions(engine)() as session:
        row = session.scalars(select(ProgrammeSession)).one()
        assert as_utc(row.start) == datetime(2027, 1, 5, 13, 0, tzinfo=UTC)
        assert as_utc(row.end) == datetime(2027, 1, 5, 13, 45, tzinfo=UTC)
        event = session.scalars(select(SessionEvent)).one()
        assert as_utc(event.old_start) == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # type: ignore[arg-type]
        meeting = session.get_one(Meeting, "mt")
        assert (meeting.start, meeting.event_start, meeting.event_end) == (
            datetime(2027, 1, 5, 13, 0, tzinfo=UTC),
            datetime(2027, 1, 5, 13, 0, tzinfo=UTC),
            None,
        )
        # compared as instants now: an hour before, in another zone, finds it
        after = datetime.fromisoformat("2027-01-05T13:30:00+01:00")
        assert session.scalars(
            select(ProgrammeSession.pair).where(ProgrammeSession.start >= after.astimezone(UTC))
        ).all() == ["p1"]
    migrate(engine, "0008", down=True)
    with engine.connect() as connection:
        assert connection.execute(text('SELECT start, "end" FROM programme_sessions')).one() == (
            "2027-01-05T13:00:00Z",
            "2027-01-05T13:45:00Z",
        )


def test_sessions_and_events_get_their_kind_local_times_and_people_from_the_plan(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    migrate(engine, "0008")
    stored_as_text(engine)
    migrate(engine, "0009")
    plan = {
        "sessions": [
            {
                "pair": "p1",
                "index": 0,
                "kind": "mentoring",
                "mentor": "m1",
                "mentee": "e1",
                "start": "2027-01-05T13:00:00Z",
                "end": "2027-01-05T13:45:00Z",
                "mentor_local": "2027-01-05T08:00:00-05:00",
                "mentee_local": "2027-01-05T14:00:00+01:00",
            }
        ],
        "unplaced": [],
    }
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE programmes SET plan = :plan WHERE id = 'p'"), {"plan": json.dumps(plan)}
        )
    migrate(engine, "head")
    with sessions(engine)() as session:
        row = session.scalars(select(ProgrammeSession)).one()
        assert (row.kind, row.mentor_local, row.mentee_local) == (
            "mentoring",
            "2027-01-05T08:00:00-05:00",
            "2027-01-05T14:00:00+01:00",
        )
        event = session.scalars(select(SessionEvent)).one()
        assert (event.mentor, event.mentee) == ("m1", "e1")
        assert session.scalar(select(Programme.scenario_writes)) == 0


def test_a_programmes_scenario_moves_to_its_own_row_and_back(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine, "0008")
    stored_as_text(engine)
    scenario = {"version": 1, "people": [{"id": "m1", "busy": ["2027-01-05T09:00/10:00"]}]}
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE programmes SET scenario = :scenario WHERE id = 'p'"),
            {"scenario": json.dumps(scenario)},
        )
    migrate(engine, "head")
    with sessions(engine)() as session:
        programme = session.get_one(Programme, "p")
        assert programme.scenario == scenario
        assert session.scalars(select(ProgrammeScenario.programme_id)).all() == ["p"]
    migrate(engine, "0010", down=True)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT scenario FROM programmes")).scalar_one()
    assert (json.loads(stored) if isinstance(stored, str) else stored) == scenario
