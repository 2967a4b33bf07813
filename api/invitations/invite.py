"""`tandem invite SCENARIO PLAN.json [--dry-run]`: what it prints and how it exits."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from api.cli_environment import open_database, sqlite_file_missing
from api.invitations.desired import check_plan_against
from api.invitations.outbox import Change, count_changes
from api.invitations.runs import Prepared, prepare
from api.invitations.sender import Sender, SendReport
from api.settings import ServiceSettings
from api.storage.database import sessions
from connectors.documents import read_document
from connectors.graph.client import GraphClient
from connectors.graph.events import EventsClient
from connectors.graph.settings import GraphSettings
from scheduler.errors import FieldError, ScenarioError
from scheduler.plan_format import PlanDocument, instant_text
from scheduler.scenario_checks import validate_scenario

EXIT_OK, EXIT_NOT_SENT, EXIT_INVALID = 0, 1, 2


def invite(scenario_path: Path, plan_path: Path, name: str | None, dry_run: bool) -> int:
    raw = read_document(scenario_path).data
    scenario = validate_scenario(raw, str(scenario_path))
    raw_plan = read_document(plan_path).data
    check_plan_against(scenario, raw_plan, str(plan_path))
    plan = PlanDocument.read(raw_plan, str(plan_path))
    graph = None if dry_run else _graph_settings()
    store = sessions(open_database(_database_url(dry_run)))
    programme = name or scenario.name or scenario_path.stem
    prepared = prepare(store, raw, plan, programme, dry_run)
    _print_changes(prepared.changes, "would " if dry_run else "")
    if dry_run:
        _print_dry_summary(prepared)
        return EXIT_OK
    assert graph is not None
    client = GraphClient(graph)
    try:
        report = Sender(store, EventsClient(client)).drain(prepared.programme_id)
    finally:
        client.close()
    return _print_report(report, prepared)


def _database_url(dry_run: bool) -> str:
    """The invitations' state; for a dry run without a database yet, one in memory: with
    no earlier run, every meeting would be created, and no file is left behind."""
    url = ServiceSettings().database_url
    if dry_run and sqlite_file_missing(url):
        return "sqlite://"
    return url


def _graph_settings() -> GraphSettings:
    try:
        return GraphSettings()
    except ValidationError as problem:
        names = ", ".join(
            f"TANDEM_GRAPH_{str(error['loc'][0]).upper()}" if error["loc"] else error["msg"]
            for error in problem.errors()
        )
        raise ScenarioError(
            [FieldError("environment", f"invitations go through Microsoft Graph: set {names}")]
        ) from None


def _print_changes(changes: list[Change], prefix: str) -> None:
    for change in sorted(changes, key=lambda c: (c.pair, c.index, c.operation)):
        session = f"{change.pair}#{change.index}"
        start, old_start = _shown(change.start), _shown(change.old_start)
        if change.operation == "create":
            print(f"{prefix}create  {session:<16} {start}")
        elif change.operation == "move":
            print(f"{prefix}move    {session:<16} {old_start} -> {start}")
        else:
            print(f"{prefix}cancel  {session:<16} (was {old_start})")


def _shown(moment: datetime | None) -> str:
    return "" if moment is None else instant_text(moment)


def _print_dry_summary(prepared: Prepared) -> None:
    earlier = prepared.waiting - len(prepared.changes)
    counts = count_changes(prepared.changes)
    print(
        f"dry run: would create {counts['create']}, move {counts['move']}, "
        f"cancel {counts['cancel']}; nothing was sent"
        + (f"; {earlier} meetings from an earlier run still wait to be sent" if earlier else "")
    )


def _print_report(report: SendReport, prepared: Prepared) -> int:
    created = report.count("created") + report.count("adopted")
    print(
        f"created {created}, moved {report.count('moved')}, "
        f"cancelled {report.count('cancelled')}; "
        f"{prepared.in_step} meetings already matched the plan"
    )
    for tag in report.done.get("gone", []):
        print(f"  {tag}: deleted in Outlook by its organiser; re-plan this session")
    if report.failed:
        print(
            f"{len(report.failed)} meetings could not be sent (run again later):", file=sys.stderr
        )
        for tag, why in sorted(report.failed.items())[:20]:
            print(f"  {tag}: {why}", file=sys.stderr)
        return EXIT_NOT_SENT
    return EXIT_OK
