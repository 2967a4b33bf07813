"""The `tandem` command: parses arguments, calls the core and connectors, prints.

Exit codes: 0 planned (also with unplaced sessions), 1 violations, 2 invalid input (files,
arguments), 3 the surroundings failed (a database that cannot be reached, a file that
cannot be read or written). Errors go to stderr without a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml

from api.cli_environment import (
    EXIT_ENVIRONMENT,
    CommandError,
    open_database,
    writable_file,
    writable_folder,
    write_atomically,
)
from api.report import (
    print_comparison,
    print_diff,
    print_input_warnings,
    print_match_comparison,
    print_match_summary,
    print_plan_summary,
    print_violations,
)
from connectors.documents import read_document
from connectors.scenarios import (
    Matched,
    load_problem,
    matched_problem,
    matched_variants,
    variant_problems,
)
from scheduler.diff import diff_plans
from scheduler.domain import Problem
from scheduler.errors import ScenarioError
from scheduler.matching.match import Method, match_to_dict
from scheduler.matching_check import check_matching
from scheduler.parameters import SolverParameters
from scheduler.plan_file_check import check_plan_file
from scheduler.plan_format import plan_to_dict, replanning_keys, session_starts
from scheduler.rule_names import MatchRuleName
from scheduler.solve import solve
from scheduler.variants import plan_variants

EXIT_OK, EXIT_VIOLATIONS, EXIT_INVALID = 0, 1, 2


def positive_int(text: str) -> int:
    """An argument that counts something: 1 or more (argparse reports the error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.command(args))
    except ScenarioError as invalid:
        _print_errors(invalid)
        return EXIT_INVALID
    except CommandError as failed:
        print(f"error: {failed}", file=sys.stderr)
        return failed.exit_code
    except BrokenPipeError:  # before OSError, which it is
        # The reader (`| head`) left; say nothing more, and no traceback at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as failed:  # a file the command read or wrote, gone wrong midway
        where = f"{failed.filename}: " if failed.filename else ""
        print(f"error: {where}{failed.strerror or type(failed).__name__}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem", description="Plan reverse-mentoring programmes."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (ids only)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="plan every session of a scenario")
    plan.add_argument("scenario", type=Path)
    plan.add_argument("--out", type=Path, help="write the plan (JSON) here")
    plan.add_argument(
        "--time-limit",
        type=_positive_float,
        default=60.0,
        metavar="S",
        help="seconds the optimiser may take (default 60)",
    )
    plan.add_argument("--solver", choices=("cpsat", "greedy"), default="cpsat")
    plan.add_argument("--seed", type=int, default=0, help="solver seed: same seed, same plan")
    plan.add_argument(
        "--processes",
        type=positive_int,
        default=2,
        metavar="N",
        help="solver processes, one search thread each (default 2); the plan is the same",
    )
    _add_memory_budget(plan)
    plan.add_argument("--quiet", action="store_true", help="no progress lines")
    plan.add_argument(
        "--current",
        type=Path,
        metavar="OLD_PLAN.json",
        help="re-plan: the sessions of an earlier plan are booked (fills `current`)",
    )
    plan.add_argument(
        "--now",
        metavar="DATETIME",
        help="re-plan as of this time, e.g. 2027-03-09T09:00+01:00 (fills `now`)",
    )
    plan.add_argument(
        "--match",
        action="store_true",
        help="form the pairs first (as `tandem match`), then plan them",
    )
    plan.set_defaults(command=_plan)

    match = commands.add_parser(
        "match", help="form the pairs: a mentor for each executive no pair names yet"
    )
    match.add_argument("scenario", type=Path)
    match.add_argument(
        "--out", type=Path, help="write the scenario with its new pairs here (.yaml or .json)"
    )
    match.add_argument(
        "--greedy",
        action="store_true",
        help="best mentor first, executive by executive (for comparison; not optimal)",
    )
    _add_memory_budget(match)
    match.set_defaults(command=_match)

    check = commands.add_parser("check", help="validate a scenario only")
    check.add_argument("scenario", type=Path)
    check.set_defaults(command=_check)

    verify = commands.add_parser("verify", help="check a plan (for example edited by hand)")
    verify.add_argument("scenario", type=Path)
    verify.add_argument("plan", type=Path)
    verify.set_defaults(command=_verify)
    whatif = commands.add_parser("whatif", help="plan the base and every variation, side by side")
    whatif.add_argument("scenario", type=Path)
    whatif.add_argument("--out", type=Path, metavar="DIR", help="write each variant's plan here")
    whatif.add_argument("--html", type=Path, metavar="REPORT.html", help="write a report page")
    whatif.add_argument(
        "--time-limit",
        type=_positive_float,
        default=60.0,
        metavar="S",
        help="seconds per variant (default 60)",
    )
    whatif.add_argument("--seed", type=int, default=0)
    _add_memory_budget(whatif)
    whatif.add_argument("--processes", type=positive_int, default=2, metavar="N")
    whatif.add_argument(
        "--match",
        action="store_true",
        help="form each variant's pairs first (variations may change matching fields)",
    )
    whatif.set_defaults(command=_whatif)

    calendars = commands.add_parser("calendars", help="calendar sources")
    calendar_commands = calendars.add_subparsers(required=True, metavar="ACTION")
    fetch = calendar_commands.add_parser(
        "fetch", help="copy a scenario with its Graph calendars replaced by free/busy times"
    )
    fetch.add_argument("scenario", type=Path)
    fetch.add_argument("--out", type=Path, required=True, metavar="SNAPSHOT.yaml")
    fetch.set_defaults(command=_fetch)

    serve = commands.add_parser("serve", help="run the HTTP service (TANDEM_DATABASE_URL)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(command=_serve)

    worker = commands.add_parser(
        "worker",
        help="run a worker of the service's jobs (TANDEM_DATABASE_URL, TANDEM_BROKER_URL)",
    )
    worker.add_argument(
        "--queues", default="small,large", help="the queues it takes jobs from (small,large)"
    )
    worker.add_argument(
        "--processes", type=positive_int, default=1, help="jobs it runs at once, each in a process"
    )
    worker.set_defaults(command=_worker)

    keys = commands.add_parser("keys", help="API keys of the HTTP service")
    key_commands = keys.add_subparsers(required=True, metavar="ACTION")
    create = key_commands.add_parser("create", help="create a key for a tenant (printed once)")
    create.add_argument("--tenant", required=True)
    create.set_defaults(command=_create_key)
    listing = key_commands.add_parser(
        "list", help="every key: id, tenant, created, revoked (never the key itself)"
    )
    listing.add_argument("--tenant", help="only this tenant's keys")
    listing.set_defaults(command=_list_keys)
    revoke = key_commands.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id")
    revoke.set_defaults(command=_revoke_key)

    invite = commands.add_parser(
        "invite", help="bring Outlook calendars in line with a plan (meetings through Graph)"
    )
    invite.add_argument("scenario", type=Path)
    invite.add_argument("plan", type=Path)
    invite.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send nothing"
    )
    invite.add_argument(
        "--programme",
        metavar="NAME",
        help="the programme these meetings belong to (default: the scenario's name)",
    )
    invite.set_defaults(command=_invite)

    diff = commands.add_parser("diff", help="sessions added, removed and moved between two plans")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.set_defaults(command=_diff)
    return parser


def _add_memory_budget(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--memory-budget",
        type=int,
        default=SolverParameters().memory_budget_mb,
        metavar="MB",
        help="memory the solver's models may take (default 2048); a group of sessions "
        "beyond it keeps the greedy's plan, and the plan says why",
    )


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _plan(args: argparse.Namespace) -> int:
    if args.out:
        writable_file(args.out, "--out")
    if args.match:
        if args.current or args.now:
            raise CommandError(
                "--match forms a new programme's pairs: not with --current or --now", EXIT_INVALID
            )
        matched = _matched(args.scenario, "optimal", args.memory_budget)
        if matched is None:
            return EXIT_VIOLATIONS
        problem = matched.problem
    else:
        problem = _problem(args.scenario, *_replanning(args))
    params = _solver_parameters(args, solver=args.solver)
    progress = None if args.quiet else _progress
    plan = solve(problem, params, progress)
    document = plan_to_dict(problem, plan)
    if args.out:
        _write_json(args.out, document)
    print_plan_summary(document)
    if args.out:
        print(f"\nplan written to {args.out}")
    return EXIT_OK


def _match(args: argparse.Namespace) -> int:
    if args.out:
        writable_file(args.out, "--out")
    method: Method = "greedy" if args.greedy else "optimal"
    matched = _matched(args.scenario, method, args.memory_budget)
    if matched is None:
        return EXIT_VIOLATIONS
    if args.out:
        write_atomically(args.out, _scenario_text(args.out, matched.data))
        print(f"\nscenario with its pairs written to {args.out} (plan it with `tandem plan`)")
    return EXIT_OK


def _matched(scenario: Path, method: Method, memory_budget_mb: int) -> Matched | None:
    """The scenario matched and its summary printed; None (violations printed) when the
    independent check finds a pair formed that breaks a matching rule. A pair the planner
    fixed stays even when it breaks one: a warning says which."""
    matched = matched_problem(scenario, method, memory_budget_mb)
    print_input_warnings(matched.problem.input_warnings)
    print_match_summary(match_to_dict(matched.result, matched.scenario))
    formed = {pair.pair for pair in matched.result.pairs}
    violations = check_matching(matched.scenario, matched.problem)
    for violation in violations:
        if violation.pair in formed or violation.rule == MatchRuleName.CAPACITY:
            print(f"violation: {violation}", file=sys.stderr)
        else:
            print(f"warning: a pair the planner fixed: {violation}", file=sys.stderr)
    broken = [v for v in violations if v.pair in formed or v.rule == MatchRuleName.CAPACITY]
    return None if broken else matched


def _scenario_text(path: Path, data: dict[str, Any]) -> bytes:
    if path.suffix.lower() == ".json":
        return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text.encode("utf-8")


def _problem(
    scenario: Path,
    overrides: dict[str, Any] | None = None,
    additions: dict[str, list[Any]] | None = None,
) -> Problem:
    """The scenario's problem; what its readers skipped is shown on stderr."""
    problem = load_problem(scenario, overrides, additions)
    print_input_warnings(problem.input_warnings)
    return problem


def _solver_parameters(args: argparse.Namespace, **fields: Any) -> SolverParameters:
    return SolverParameters(
        time_limit_seconds=args.time_limit,
        processes=args.processes,
        seed=args.seed,
        memory_budget_mb=args.memory_budget,
        strict=os.environ.get("TANDEM_STRICT_SOLVER") == "1",  # the test suite's setting
        **fields,
    )


def _replanning(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """What `--current` and `--now` set (`current`, `now`), and what `--current` adds: the
    declines the earlier plan remembers join the scenario's own `declined`."""
    overrides: dict[str, Any] = {}
    additions: dict[str, list[Any]] = {}
    if args.current:
        earlier = replanning_keys(read_document(args.current).data, str(args.current))
        overrides["current"] = earlier["current"]
        additions["declined"] = earlier["declined"]
    if args.now:
        overrides["now"] = args.now
    return overrides, additions


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _check(args: argparse.Namespace) -> int:
    problem = _problem(args.scenario)
    print(
        f"{args.scenario}: valid: {len(problem.people)} people, {len(problem.pairs)} pairs, "
        f"{len(problem.sessions)} sessions to place"
    )
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    problem = _problem(args.scenario)
    document = read_document(args.plan)
    violations = check_plan_file(problem, document.data, str(args.plan))
    print_violations(violations, len(document.data["sessions"]))
    return EXIT_VIOLATIONS if violations else EXIT_OK


def _whatif(args: argparse.Namespace) -> int:
    if args.out:
        writable_folder(args.out, "--out")
    if args.html:
        writable_file(args.html, "--html")
    params = _solver_parameters(args)
    if args.match:
        matched = matched_variants(args.scenario, args.memory_budget)
        print_match_comparison([(name, m.result) for name, m in matched])
        variants = [(name, m.problem) for name, m in matched]
    else:
        variants = variant_problems(args.scenario)
    print_input_warnings(w for _, problem in variants for w in problem.input_warnings)
    results, summaries = plan_variants(variants, params, _progress)
    print_comparison(summaries)
    if args.out:
        for name, problem, plan in results:
            _write_json(args.out / f"{_slug(name)}.json", plan_to_dict(problem, plan))
        print(f"plans written to {args.out}")
    if args.html:
        from connectors.report_html import whatif_page

        write_atomically(args.html, whatif_page(results, summaries).encode())
        print(f"report written to {args.html}")
    return EXIT_OK


def _write_json(path: Path, document: dict[str, Any]) -> None:
    """Indented like json.dumps(indent=2), written by orjson: a plan of 10,000 pairs is
    tens of megabytes."""
    write_atomically(path, orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


def _slug(name: str) -> str:
    return (
        "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-")
        or "variant"
    )


def _fetch(args: argparse.Namespace) -> int:
    from connectors.snapshot import snapshot  # msal and httpx: only for this command

    writable_file(args.out, "--out")
    text = snapshot(args.scenario, as_json=args.out.suffix.lower() == ".json")
    write_atomically(args.out, text.encode())
    print(f"snapshot written to {args.out}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from api.settings import ServiceSettings

    open_database(ServiceSettings().database_url).dispose()  # reachable, before serving
    _log_requests()
    host = f"[{args.host}]" if ":" in args.host else args.host  # an IPv6 address
    base = f"http://{host}:{args.port}"
    print(f"Tandem serves on {base} (the API's documentation: {base}/docs)", flush=True)
    # Uvicorn's own access log is off (warning): it writes paths, which hold people's ids.
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def _log_requests() -> None:
    """Each request's line (`api.access_log`) on standard error, as it is (JSON)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    requests = logging.getLogger("tandem.requests")
    requests.addHandler(handler)
    requests.setLevel(logging.INFO)
    requests.propagate = False


def _worker(args: argparse.Namespace) -> int:
    from api.settings import ServiceSettings
    from api.work.tasks import start_worker

    open_database(ServiceSettings().database_url).dispose()
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    try:
        start_worker(queues, args.processes)
    except ValueError as wrong:
        print(f"error: --queues: {wrong}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _key_store() -> Any:
    from api.settings import ServiceSettings
    from api.storage.database import sessions

    return sessions(open_database(ServiceSettings().database_url))


def _create_key(args: argparse.Namespace) -> int:
    from api.keys import create_key

    with _key_store()() as session:
        key_id, secret = create_key(session, args.tenant)
    print(f"key id: {key_id}")
    print(f"key:    {secret}")
    print("Keep the key now: it is not stored and cannot be shown again.")
    return EXIT_OK


def _list_keys(args: argparse.Namespace) -> int:
    from api.keys import list_keys

    with _key_store()() as session:
        keys = list_keys(session, args.tenant)
    if not keys:
        print("no keys" + (f" of tenant {args.tenant}" if args.tenant else ""))
        return EXIT_OK
    print(f"{'key id':<36}  {'tenant':<20}  {'created (UTC)':<16}  revoked (UTC)")
    for key in keys:
        revoked = _minute(key.revoked_at) if key.revoked_at else "-"
        print(f"{key.id:<36}  {key.tenant:<20}  {_minute(key.created_at):<16}  {revoked}")
    return EXIT_OK


def _minute(moment: datetime) -> str:
    """SQLite gives back a stored instant without its zone: it is UTC."""
    return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _revoke_key(args: argparse.Namespace) -> int:
    from api.keys import revoke_key

    with _key_store()() as session:
        if not revoke_key(session, args.key_id):
            print(f"no active key {args.key_id}", file=sys.stderr)
            return EXIT_INVALID
    print(f"revoked {args.key_id}")
    return EXIT_OK


def _invite(args: argparse.Namespace) -> int:
    from api.invitations.invite import invite

    return invite(args.scenario, args.plan, args.programme, args.dry_run)


def _diff(args: argparse.Namespace) -> int:
    old = session_starts(read_document(args.old).data, str(args.old))
    new = session_starts(read_document(args.new).data, str(args.new))
    print_diff(diff_plans(old, new))
    return EXIT_OK


def _print_errors(invalid: ScenarioError) -> None:
    source = f"{invalid.source}: " if invalid.source else ""
    count = invalid.total
    print(f"{source}{count} error{'s' if count != 1 else ''}", file=sys.stderr)
    for error in invalid.errors:
        print(f"  {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
