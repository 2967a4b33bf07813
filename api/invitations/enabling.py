"""A programme's invitations switched on: its plan becomes Outlook meetings to create, in
the outbox, and every later plan of it keeps them in step."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.invitations.desired import wanted_meetings
from api.invitations.locks import lock_programme
from api.invitations.outbox import Change, write_changes
from api.problems import Problem
from api.programmes import exists, find, last_plan
from scheduler.scenario_checks import validate_scenario


def enable_invitations(
    session: Session, tenant_id: str, programme_id: str, graph_connected: bool
) -> list[Change]:
    """The meetings to create, move and cancel, stored (the sender carries them out). 409
    without a Graph connection or a plan; 422 naming each person without an address."""
    exists(session, tenant_id, programme_id)
    if not graph_connected:  # the service's state, not the caller's error
        raise Problem(
            409,
            "Conflict",
            "this service has no Microsoft Graph connection: an administrator sets "
            "TANDEM_GRAPH_* (see docs/azure-app-registration.md)",
        )
    lock_programme(session, programme_id)
    programme = find(session, tenant_id, programme_id)  # read once, under the lock
    plan = last_plan(programme)
    if plan is None:
        raise Problem(409, "Conflict", "plan the programme first (POST .../plan)")
    scenario = validate_scenario(programme.scenario)
    wanted_meetings(scenario, plan)  # every address is there, or a 422 now
    programme.invitations = True
    changes = write_changes(session, programme, scenario, plan)
    session.commit()
    return changes
