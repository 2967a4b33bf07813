"""The sender, for real: msal, httpx and HTTPS against the Graph stand-in, a real database.

Whatever fails, every planned session ends with exactly one meeting at its planned time,
and attendees receive one invitation per meeting, one update per move.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.invitations.responses import read_responses
from api.storage.database import make_engine, sessions, upgrade
from api.storage.models import Meeting, OutboxEntry, Programme
from connectors.graph.events import EventsClient
from connectors.graph.meetings import TAG_PROPERTY
from tests.graph_standin import StandIn, running
from tests.invitations.graph import graph_client, sender_for
from tests.invitations.programmes import big_scenario, record, spread_plan, utc

Served = tuple[StandIn, dict[str, str]]


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[Served]:
    with running(tmp_path) as served:
        yield served


def assert_calendars_match(state: StandIn, plan: dict[str, Any]) -> None:
    """One live meeting per planned session, at its time, and no other meeting."""
    live = state.live_events()
    tags = Counter(event.tag.get(TAG_PROPERTY) for event in live)
    assert all(count == 1 for count in tags.values()), [t for t, c in tags.items() if c > 1]
    assert len(live) == len(plan["sessions"])
    by_session = {str(e.tag[TAG_PROPERTY]).split("/", 1)[1].rsplit("/", 1)[0]: e for e in live}
    for session in plan["sessions"]:
        event = by_session[f"{session['pair']}#{session['index']}"]
        assert event.start.replace(tzinfo=utc(session["start"]).tzinfo) == utc(session["start"])
        assert event.end.replace(tzinfo=utc(session["end"]).tzinfo) == utc(session["end"])


def invitations_per_event(state: StandIn) -> Counter[str]:
    return Counter(event_id for _, kind, event_id in state.mail if kind == "invitation")


def test_each_session_one_meeting_as_asked_and_a_second_run_sends_nothing(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=6, sessions=3, mentors=2)
    raw["invitations"] = {"subject": "Tandem: {mentor} and {executive}", "teams": True}
    plan = spread_plan(raw)
    record(store, raw, plan)
    report = sender_for(store, environment).drain()
    assert report.count("created") == 18 and not report.failed
    assert_calendars_match(state, plan)
    event = state.live_events("mentor0@contoso.example")[0]
    assert [a["emailAddress"]["address"] for a in event.attendees] == ["exec0@contoso.example"]
    assert (event.sensitivity, event.subject) == ("private", "Tandem: m0 and e0")
    assert event.is_online_meeting and event.join_url
    assert event.time_zone == "Romance Standard Time"  # the organiser's zone, by name
    assert set(invitations_per_event(state).values()) == {1}
    assert all(r["prefer"] == 'IdType="ImmutableId"' for r in state.event_requests)
    creates = [r for r in state.event_requests if r["method"] == "POST" and r["body"]]
    assert all(r["body"].get("transactionId") for r in creates)
    asked = len(state.event_requests)
    again = sender_for(store, environment).drain()
    assert again.done == {} and len(state.event_requests) == asked
    with store() as session:
        assert session.scalar(select(Meeting.join_url).limit(1))
        statuses = set(session.scalars(select(OutboxEntry.status)))
        assert statuses == {"done"}


def test_a_move_updates_the_same_meeting_and_a_cancel_says_why(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=2, sessions=2)
    plan = spread_plan(raw)
    record(store, raw, plan)
    sender_for(store, environment).drain()
    first_ids = {e.tag[TAG_PROPERTY]: e.id for e in state.live_events()}
    moved = spread_plan(raw, shift_minutes=60 * 24)
    moved["sessions"] = moved["sessions"][:3]  # p1#1 is dropped
    record(store, raw, moved)
    report = sender_for(store, environment).drain()
    assert (report.count("moved"), report.count("cancelled")) == (3, 1)
    assert_calendars_match(state, moved)
    assert {e.tag[TAG_PROPERTY]: e.id for e in state.live_events()}.items() <= first_ids.items()
    kinds = Counter(kind for _, kind, _ in state.mail)
    assert kinds == {"invitation": 4, "update": 3, "cancellation": 1}
    cancelled = next(e for e in state.events.values() if e.is_cancelled)
    assert "no longer planned" in str(cancelled.cancel_comment)
    patches = [r for r in state.event_requests if r["method"] == "PATCH"]
    assert all(set(r["body"]) == {"start", "end"} for r in patches)  # only what changes


@pytest.mark.parametrize("dedupe", [True, False], ids=["graph-dedupe-on", "graph-dedupe-off"])
@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "after_commit": True},
        {"status": 504, "after_commit": True},
        {"delay": 3.0, "after_commit": True},
        {"reset": True, "after_commit": True},
        {"status": 503},
        {"status": 429, "retry_after": 1},
    ],
    ids=["503-after-create", "504-after-create", "timeout", "reset", "503-before", "429"],
)
def test_an_unclear_answer_never_makes_a_second_meeting_or_none(
    store: sessionmaker[Session], standin: Served, fault: dict[str, Any], dedupe: bool
) -> None:
    state, environment = standin
    state.transaction_dedupe = dedupe
    raw = big_scenario(pairs=3, sessions=2)
    plan = spread_plan(raw)
    record(store, raw, plan)
    state.event_faults = [{**fault, "match": "POST"}, {**fault, "match": "POST"}]
    first = sender_for(store, environment, threads=1).drain()
    retried = sender_for(store, environment, threads=1).drain()  # a later run, if needed
    assert not retried.failed, retried.failed
    assert first.count("created") + retried.count("created") + retried.count("adopted") == 6
    assert_calendars_match(state, plan)
    assert set(invitations_per_event(state).values()) == {1}
    posts = [r for r in state.event_requests if r["method"] == "POST" and r["body"]]
    by_tag: dict[str, set[str]] = {}
    for r in posts:
        tag = r["body"]["singleValueExtendedProperties"][0]["value"]
        by_tag.setdefault(tag, set()).add(r["body"]["transactionId"])
    assert all(len(ids) == 1 for ids in by_tag.values())  # a retry reuses the transactionId


class Crash(BaseException):
    """The sender process dying at a named point (BaseException: nothing catches it)."""


@pytest.mark.parametrize(
    "point", ["after_claim", "after_attempt_mark", "after_response_before_commit", "after_commit"]
)
@pytest.mark.parametrize("dedupe", [True, False], ids=["graph-dedupe-on", "graph-dedupe-off"])
def test_a_crash_at_any_point_then_a_restart_gives_exactly_one_meeting_each(
    store: sessionmaker[Session], standin: Served, point: str, dedupe: bool
) -> None:
    state, environment = standin
    state.transaction_dedupe = dedupe
    raw = big_scenario(pairs=4, sessions=3)
    plan = spread_plan(raw)
    record(store, raw, plan)
    for crash_at in (1, 2, 2):  # several crashes, at different meetings
        seen = 0

        def crash(name: str, crash_at: int = crash_at) -> None:
            nonlocal seen
            if name == point:
                seen += 1
                if seen == crash_at:
                    raise Crash(name)

        with pytest.raises(Crash):
            sender_for(store, environment, crash_point=crash, threads=1).drain()
        _expire_leases(store)  # the dead sender's lease, as another machine would see it
    moved = spread_plan(raw, shift_minutes=30)
    record(store, raw, moved)
    with pytest.raises(Crash):
        sender_for(
            store, environment, threads=1, crash_point=lambda n: _raise_if(n == point)
        ).drain()
    _expire_leases(store)
    sender_for(store, environment, threads=1).drain()
    assert_calendars_match(state, moved)
    assert set(invitations_per_event(state).values()) == {1}
    with store() as session:
        assert set(session.scalars(select(OutboxEntry.status))) == {"done"}
        ids = session.scalars(select(Meeting.event_id)).all()
        assert sorted(ids) == sorted(e.id for e in state.live_events())


def _raise_if(condition: bool) -> None:
    if condition:
        raise Crash("crash")


def _expire_leases(store: sessionmaker[Session]) -> None:
    with store() as session:
        for meeting in session.scalars(select(Meeting)):
            meeting.lease_until = None
        session.commit()


def test_a_duplicate_found_on_a_retry_is_cancelled_and_the_first_kept(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    state.transaction_dedupe = False
    raw = big_scenario(pairs=1, sessions=1)
    plan = spread_plan(raw)
    record(store, raw, plan)
    with store() as session:
        meeting = session.scalars(select(Meeting)).one()
        tag, organiser = meeting.tag, meeting.organiser
        meeting.attempted_revision = 1  # an earlier attempt whose outcome is unknown
        session.commit()
    start, end = utc(plan["sessions"][0]["start"]), utc(plan["sessions"][0]["end"])
    first = state.add_event(organiser, start, end, tag={TAG_PROPERTY: tag})
    state.add_event(organiser, start, end, tag={TAG_PROPERTY: tag})
    look_alike = state.add_event(organiser, start, end, tag={})
    report = sender_for(store, environment).drain()
    assert report.count("adopted") == 1
    with store() as session:
        assert session.scalars(select(Meeting.event_id)).one() == first.id
    live = {e.id for e in state.live_events()}
    assert live == {first.id, look_alike.id}  # the stranger's look-alike is never touched


def test_at_most_four_requests_at_a_time_per_organiser(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=8, sessions=4, mentors=1)
    record(store, raw, spread_plan(raw))
    state.event_faults = [{"delay": 0.05, "match": "POST"} for _ in range(32)]
    sender_for(store, environment, threads=16).drain()
    assert 1 < state.max_in_flight["mentor0@contoso.example"] <= 4


def test_a_meeting_deleted_in_outlook_is_not_sent_again(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=1, sessions=2)
    record(store, raw, spread_plan(raw))
    sender_for(store, environment).drain()
    victim = min(state.live_events(), key=lambda e: e.start)
    state.user_delete(victim.id)
    record(store, raw, spread_plan(raw, shift_minutes=60))
    prepared = record(store, raw, spread_plan(raw, shift_minutes=60))
    report = sender_for(store, environment).drain()
    assert report.count("gone") == 1 and report.count("moved") == 1
    assert len(state.live_events()) == 1
    with store() as session:
        programme = session.get(Programme, prepared.programme_id)
        # A meeting removed in Outlook: declined, by whom is not known.
        assert programme is not None and programme.statuses == {"p0#0": "declined"}
    record(store, raw, spread_plan(raw, shift_minutes=60))  # the same plan again
    assert sender_for(store, environment).drain().done == {}  # not re-created at that time
    assert len(state.live_events()) == 1
    record(store, raw, spread_plan(raw, shift_minutes=120))  # a new time: a new meeting
    assert sender_for(store, environment).drain().count("created") == 1
    assert len(state.live_events()) == 2


@pytest.mark.parametrize(
    ("declined", "accepted"), [("declined", "accepted"), ("Declined", "Accepted")]
)
def test_responses_are_read_and_a_decline_is_handled_once(
    store: sessionmaker[Session], standin: Served, declined: str, accepted: str
) -> None:
    """Whatever their case: answers in the wild write `Declined` as well as `declined`."""
    state, environment = standin
    raw = big_scenario(pairs=2, sessions=1)
    prepared = record(store, raw, spread_plan(raw))
    sender_for(store, environment).drain()
    events = EventsClient(graph_client(environment))
    first, second = sorted(state.live_events(), key=lambda e: e.start)
    state.respond(first.id, "exec0@contoso.example", declined)
    state.respond(second.id, "exec1@contoso.example", accepted)
    report = read_responses(store, events)
    assert report.read == 2 and report.declined == [(prepared.programme_id, "p0", 0)]
    assert read_responses(store, events).declined == []  # the same decline, once
    with store() as session:
        programme = session.get(Programme, prepared.programme_id)
        assert programme is not None and programme.statuses == {"p0#0": "declined by executive"}
        answers = {m.pair: m.responses for m in session.scalars(select(Meeting))}
    assert answers["p1"] == {"exec1@contoso.example": "accepted"}
    batches = [r for r in state.event_requests if r["path"].endswith("$batch")]
    assert batches, "responses are read through $batch"


def test_four_senders_at_once_share_the_work_and_never_send_one_meeting_twice(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=20, sessions=4, mentors=10)
    plan = spread_plan(raw)
    record(store, raw, plan)
    state.event_faults = [{"delay": 0.05, "match": "POST"} for _ in range(80)]
    senders = [sender_for(store, environment, threads=4) for _ in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(lambda sender: sender.drain(), senders))
    assert sum(r.count("created") for r in reports) == 80
    assert sum(1 for r in reports if r.count("created")) > 1  # the work was shared
    posts = Counter(
        r["body"]["transactionId"]
        for r in state.event_requests
        if r["method"] == "POST" and r["body"] and "transactionId" in r["body"]
    )
    assert set(posts.values()) == {1}
    assert_calendars_match(state, plan)


def test_a_new_or_restored_database_adopts_the_meetings_already_sent(
    store: sessionmaker[Session], standin: Served, tmp_path: Path
) -> None:
    state, environment = standin
    state.transaction_dedupe = False  # only the tag lookup stands in the way
    raw = big_scenario(pairs=3, sessions=2)
    plan = spread_plan(raw)
    record(store, raw, plan)
    sender_for(store, environment).drain()
    engine = make_engine(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    upgrade(engine)
    fresh = sessions(engine)
    record(fresh, raw, plan)
    report = sender_for(fresh, environment).drain()
    assert report.count("adopted") == 6 and report.count("created") == 0
    assert_calendars_match(state, plan)
    assert set(invitations_per_event(state).values()) == {1}


def test_a_sender_that_lost_its_lease_does_not_write(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=1, sessions=1)
    record(store, raw, spread_plan(raw))
    sender_for(store, environment).drain()
    record(store, raw, spread_plan(raw, shift_minutes=60))  # A is to move it here...
    newest = spread_plan(raw, shift_minutes=120)

    def stall(point: str) -> None:  # ...but stalls past its lease, and B takes over
        if point == "after_attempt_mark":
            _expire_leases(store)
            record(store, raw, newest)
            sender_for(store, environment).drain()

    late = sender_for(store, environment, crash_point=stall, threads=1).drain()
    assert late.failed and not late.done
    assert_calendars_match(state, newest)
    assert [kind for _, kind, _ in state.mail] == ["invitation", "update"]


def test_a_read_that_races_a_plan_change_is_dropped(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=1, sessions=1)
    prepared = record(store, raw, spread_plan(raw))
    sender_for(store, environment).drain()
    (event,) = state.live_events()
    state.respond(event.id, "exec0@contoso.example", "declined")
    state.event_faults = [{"delay": 1.0, "match": "get"}]  # the read takes a second...
    events = EventsClient(graph_client(environment))
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(read_responses, store, events)
        time.sleep(0.3)
        record(store, raw, spread_plan(raw, shift_minutes=60))  # ...the plan moves it meanwhile
        report = reading.result()
    assert report.declined == []  # the decline was of the old time
    with store() as session:
        programme = session.get(Programme, prepared.programme_id)
        assert programme is not None and programme.statuses == {}


def test_a_meeting_moved_by_hand_in_outlook_is_put_back_at_the_planned_time(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=1, sessions=1)
    plan = spread_plan(raw)
    record(store, raw, plan)
    sender_for(store, environment).drain()
    (event,) = state.live_events()
    state.user_edit(
        event.id, start=event.start + timedelta(hours=3), end=event.end + timedelta(hours=3)
    )
    report = read_responses(store, EventsClient(graph_client(environment)))
    assert len(report.resent) == 1
    assert sender_for(store, environment).drain().count("moved") == 1
    assert_calendars_match(state, plan)


def test_a_meeting_graph_refuses_to_read_does_not_stop_the_others(
    store: sessionmaker[Session], standin: Served
) -> None:
    state, environment = standin
    raw = big_scenario(pairs=3, sessions=1)
    record(store, raw, spread_plan(raw))
    sender_for(store, environment).drain()
    for event in state.live_events():
        state.respond(event.id, event.attendees[0]["emailAddress"]["address"], "accepted")
    state.event_faults = [{"status": 403, "match": "get"}]
    report = read_responses(store, EventsClient(graph_client(environment)))
    assert report.read == 3
    with store() as session:
        answers = [sorted(m.responses.values()) for m in session.scalars(select(Meeting))]
    assert sorted(answers) == [["accepted"], ["accepted"], ["none"]]  # one waits
