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
import textwrap
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

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
from connectors.documents import Document, read_document
from connectors.scenarios import (
    Matched,
    load_problem,
    matched_from_document,
    matched_variants,
    scenario_and_problem,
    variant_problems,
)
from scheduler.diff import diff_plans
from scheduler.domain import Problem
from scheduler.errors import ScenarioError
from scheduler.heap import collector_paused
from scheduler.matching_check import check_matching
from scheduler.parameters import SolverParameters
from scheduler.plan_file_check import check_plan_file
from scheduler.plan_format import plan_to_dict, replanning_keys, session_starts
from scheduler.rule_names import MatchRuleName
from scheduler.solve import solve
from scheduler.variants import plan_variants

if TYPE_CHECKING:  # the matching loads OR-Tools' flows: only for the commands that match
    from scheduler.matching.match import Method

EXIT_OK, EXIT_VIOLATIONS, EXIT_INVALID = 0, 1, 2


def week_argument(text: str) -> date:
    """`--week`: a date; whether it is a Monday inside the plan is checked with the plan."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; give the week's Monday as YYYY-MM-DD, e.g. 2027-03-08"
        ) from None


def positive_int(text: str) -> int:
    """An argument that counts something: 1 or more (argparse reports the error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not 1 or more")
    return value


def console_script() -> NoReturn:
    """The installed `tandem` command."""
    sys.exit(main(leave_at_once=True))


def main(argv: Sequence[str] | None = None, leave_at_once: bool = False) -> int:
    """`leave_at_once`: the process ends here after a command that holds a whole programme
    (`_leave_at_once`); the tests call `main` in their own process without it."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        code = int(args.command(args))
        if leave_at_once and args.command in (_plan, _whatif):
            _leave_at_once(code)
        return code
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


def _leave_at_once(code: int) -> NoReturn:
    """End the process without freeing a programme's millions of objects one by one, as
    the interpreter's exit does (a tenth to a fifth of a second after a 1,000-pair plan,
    measured): the operating system takes the memory back at once. Every file the command
    wrote is closed already; what is left in the standard streams' buffers and the log's
    handlers is written first."""
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


EXIT_CODES = {
    "plan": "0 planned (also when sessions are left unplaced), 1 a pair formed by --match "
    "breaks a matching rule, 2 invalid input, 3 a file or the surroundings failed",
    "match": "0 matched, 1 a pair formed breaks a matching rule, 2 invalid input, 3 a file failed",
    "agenda": "0 shown or written, 2 invalid input (not a plan, unknown person, a week that "
    "is no Monday of the plan), 3 a file failed",
    "check": "0 valid, 2 invalid (each error names its field and line), 3 a file failed",
    "verify": "0 the plan breaks no hard rule, 1 it breaks one (each violation listed), "
    "2 invalid input, 3 a file failed",
    "whatif": "0 compared, 2 invalid input (a variation's path or value), 3 a file failed",
    "diff": "0 compared, 2 invalid input, 3 a file failed",
    "fetch": "0 written, 2 invalid input or Graph settings, 3 Graph or a file failed",
    "serve": "0 stopped, 3 the database cannot be used",
    "worker": "0 stopped, 2 an unknown queue, 3 the database cannot be used",
    "create": "0 created, 3 the database cannot be used",
    "revoke": "0 revoked, 2 no such active key, 3 the database cannot be used",
    "list": "0 listed, 3 the database cannot be used",
    "invite": "0 in step, 1 some meetings could not be sent, 2 invalid input or Graph "
    "settings, 3 the database or Graph failed",
}


def _command(
    commands: Any, name: str, summary: str, example: str, exit_codes: str | None = None
) -> argparse.ArgumentParser:
    """A command whose help ends with an example and its exit codes."""
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=f"example:\n  {example}\n\n"
        + textwrap.fill(f"exit codes: {exit_codes or EXIT_CODES[name]}", 88),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem",
        description="Plan reverse-mentoring programmes.",
        epilog="example:\n  tandem plan scenarios/executive-committee.yaml --out out/plan.json\n"
        "  tandem agenda out/plan.json --person ceo\n\n"
        "`tandem COMMAND --help` tells more. Without a command, this help (exit 2).\n"
        "exit codes: 0 done, 1 a plan breaks a rule, 2 invalid input, 3 the surroundings "
        "failed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (ids only)")
    parser.add_argument("--version", action="version", version=f"tandem {_version()}")
    parser.set_defaults(command=_help_of(parser))
    commands = parser.add_subparsers(metavar="COMMAND")

    plan = _command(
        commands,
        "plan",
        "plan every session of a scenario",
        "tandem plan scenarios/executive-committee.yaml --out out/plan.json",
    )
    _scenario_argument(plan)
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
        help="processes that read a large calendar snapshot and plan the groups, one search "
        "thread each (default 2); the plan is the same",
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
        type=now_argument,
        metavar="DATETIME",
        help="re-plan as of this time, e.g. 2027-03-09T09:00+01:00 (fills `now`)",
    )
    plan.add_argument(
        "--match",
        action="store_true",
        help="form the pairs first (as `tandem match`), then plan them",
    )
    plan.set_defaults(command=_plan)

    agenda = _command(
        commands,
        "agenda",
        "show a plan: who meets whom when, in each person's local time",
        "tandem agenda out/plan.json --person ceo --week 2027-01-11\n"
        "  tandem agenda out/plan.json --format csv --out agenda.csv\n"
        "  tandem agenda out/plan.json --format ics --out calendars/",
    )
    agenda.add_argument("plan", type=Path, help="a plan file written by `tandem plan --out`")
    agenda.add_argument("--person", metavar="ID", help="only this person's sessions")
    agenda.add_argument(
        "--week",
        type=week_argument,
        metavar="YYYY-MM-DD",
        help="only the week starting on this Monday",
    )
    agenda.add_argument(
        "--format",
        choices=("table", "csv", "ics"),
        default="table",
        help="table (the terminal, default), csv (a spreadsheet: UTF-8 with a byte-order "
        "mark), ics (one calendar file per person, in the folder --out)",
    )
    agenda.add_argument(
        "--out", type=Path, metavar="PATH", help="the CSV file, or the folder of ICS files"
    )
    agenda.set_defaults(command=_agenda)

    match = _command(
        commands,
        "match",
        "form the pairs: a mentor for each executive no pair names yet",
        "tandem match scenarios/matching-pool.yaml --out out/matched.yaml",
    )
    _scenario_argument(match)
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

    check = _command(
        commands, "check", "validate a scenario only", "tandem check scenarios/mine.yaml"
    )
    _scenario_argument(check)
    check.add_argument(
        "--matching",
        action="store_true",
        help="also hold every pair to the matching rules (a matched scenario edited by hand)",
    )
    check.set_defaults(command=_check)

    verify = _command(
        commands,
        "verify",
        "check a plan (for example edited by hand) against every hard rule",
        "tandem verify scenarios/executive-committee.yaml out/plan.json",
    )
    _scenario_argument(verify)
    verify.add_argument("plan", type=Path, help="the plan file to check (JSON or YAML)")
    verify.set_defaults(command=_verify)
    whatif = _command(
        commands,
        "whatif",
        "plan the base and every variation, side by side",
        "tandem whatif scenarios/whatif-committee.yaml --html out/whatif.html",
    )
    _scenario_argument(whatif, "a scenario file with `variations`")
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
    calendars.set_defaults(command=_help_of(calendars))
    calendar_commands = calendars.add_subparsers(metavar="ACTION")
    fetch = _command(
        calendar_commands,
        "fetch",
        "copy a scenario with its Graph calendars replaced by free/busy times",
        "tandem calendars fetch scenarios/graph-demo.yaml --out out/snapshot.yaml",
    )
    _scenario_argument(fetch)
    fetch.add_argument("--out", type=Path, required=True, metavar="SNAPSHOT.yaml")
    fetch.set_defaults(command=_fetch)

    serve = _command(
        commands,
        "serve",
        "run the HTTP service (TANDEM_DATABASE_URL)",
        "tandem serve --port 8000",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(command=_serve)

    worker = _command(
        commands,
        "worker",
        "run a worker of the service's jobs (TANDEM_DATABASE_URL, TANDEM_BROKER_URL)",
        "tandem worker --queues large,small --processes 4",
    )
    worker.add_argument(
        "--queues", default="small,large", help="the queues it takes jobs from (small,large)"
    )
    worker.add_argument(
        "--processes", type=positive_int, default=1, help="jobs it runs at once, each in a process"
    )
    worker.set_defaults(command=_worker)

    keys = commands.add_parser("keys", help="API keys of the HTTP service")
    keys.set_defaults(command=_help_of(keys))
    key_commands = keys.add_subparsers(metavar="ACTION")
    create = _command(
        key_commands,
        "create",
        "create a key for a tenant (printed once)",
        "tandem keys create --tenant acme",
    )
    create.add_argument("--tenant", required=True)
    create.set_defaults(command=_create_key)
    listing = _command(
        key_commands,
        "list",
        "every key: id, tenant, created, revoked (never the key itself)",
        "tandem keys list --tenant acme",
    )
    listing.add_argument("--tenant", help="only this tenant's keys")
    listing.set_defaults(command=_list_keys)
    revoke = _command(key_commands, "revoke", "revoke a key by its id", "tandem keys revoke KEY_ID")
    revoke.add_argument("key_id", help="the key's id, as `tandem keys create` printed it")
    revoke.set_defaults(command=_revoke_key)

    invite = _command(
        commands,
        "invite",
        "bring Outlook calendars in line with a plan (meetings through Graph)",
        "tandem invite scenarios/executive-committee.yaml out/plan.json --dry-run",
    )
    _scenario_argument(invite)
    invite.add_argument("plan", type=Path, help="the plan to send (written by `tandem plan`)")
    invite.add_argument(
        "--dry-run",
        action="store_true",
        help="print what would be sent; send nothing and write no database",
    )
    invite.add_argument(
        "--programme",
        metavar="NAME",
        help="the programme these meetings belong to (default: the scenario's name)",
    )
    invite.set_defaults(command=_invite)

    diff = _command(
        commands,
        "diff",
        "sessions added, removed and moved between two plans",
        "tandem diff out/plan.json out/replan.json",
    )
    diff.add_argument("old", type=Path, help="the earlier plan file")
    diff.add_argument("new", type=Path, help="the later plan file")
    diff.set_defaults(command=_diff)
    return parser


def _scenario_argument(
    command: argparse.ArgumentParser, text: str = "a scenario file (YAML or JSON)"
) -> None:
    command.add_argument("scenario", type=Path, help=text)


def _help_of(parser: argparse.ArgumentParser) -> Any:
    """A command given without its sub-command: its help, and exit 2 (nothing was done)."""

    def show_help(args: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_INVALID

    return show_help


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tandem")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


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


def _agenda(args: argparse.Namespace) -> int:
    from api.agenda import run_agenda  # rich and calendar files: only for this command

    return run_agenda(args)


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
        problem = _problem(args.scenario, *_replanning(args), processes=args.processes)
        _warn_about_now(args, problem)
    params = _solver_parameters(args, solver=args.solver)
    progress = None if args.quiet else _progress
    plan = solve(problem, params, progress)
    with collector_paused():  # a plan of many sessions, none of them garbage
        document = plan_to_dict(problem, plan)
        if args.out:
            _write_json(args.out, document)
    horizon = problem.horizon_end_day - problem.horizon_first_day
    print_plan_summary(document, horizon.days, args.out)
    return EXIT_OK


def _match(args: argparse.Namespace) -> int:
    document = read_document(args.scenario)
    if args.out:
        writable_file(args.out, "--out")
        _beside_its_calendar_files(args.out, args.scenario, document)
    method: Method = "greedy" if args.greedy else "optimal"
    matched = _matched(args.scenario, method, args.memory_budget, document)
    if matched is None:
        return EXIT_VIOLATIONS
    if args.out:
        write_atomically(args.out, _scenario_text(args.out, matched.data))
        print(f"\nscenario with its pairs written to {args.out} (plan it with `tandem plan`)")
    return EXIT_OK


def _beside_its_calendar_files(out: Path, scenario: Path, document: Document) -> None:
    """A scenario names its calendar files relative to its own folder, and they are read
    from there and below only: the matched scenario is written beside it, or it could not
    find them."""
    people = document.data.get("people") if isinstance(document.data, dict) else None
    names_files = any(
        isinstance(p, dict) and isinstance(p.get("calendar"), dict) and "ics" in p["calendar"]
        for p in people or []
    )
    if names_files and out.resolve().parent != scenario.resolve().parent:
        raise CommandError(
            f"--out: write the matched scenario in {scenario.parent} (its calendar files are "
            "named from there), for example "
            f"{scenario.parent / (scenario.stem + '-matched' + out.suffix)}"
        )


def _matched(
    scenario: Path, method: Method, memory_budget_mb: int, document: Document | None = None
) -> Matched | None:
    """The scenario matched and its summary printed; None (violations printed) when the
    independent check finds a pair formed that breaks a matching rule. A pair the planner
    fixed stays even when it breaks one: a warning says which."""
    from scheduler.matching.match import match_to_dict

    document = document or read_document(scenario)
    matched = matched_from_document(
        document, scenario.parent, scenario.stem, method, memory_budget_mb
    )
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
    processes: int = 1,
) -> Problem:
    """The scenario's problem; what its readers skipped is shown on stderr."""
    problem = load_problem(scenario, overrides, additions, processes)
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


def now_argument(text: str) -> str:
    """`--now`: an ISO 8601 date and time (its offset, else the scenario's time zone)."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time; give one as YYYY-MM-DDTHH:MM with its UTC "
            "offset, e.g. 2027-03-09T09:00+01:00 (without an offset: the scenario's time zone)"
        ) from None
    return text


def _warn_about_now(args: argparse.Namespace, problem: Problem) -> None:
    """One line each for a `--now` that is likely a slip: it re-plans nothing booked, or it
    lies past the horizon."""
    if args.now and not args.current:
        print(
            "warning: --now without --current: no session is booked, so every session is "
            "planned anew after --now (add --current OLD_PLAN.json to keep an earlier plan)",
            file=sys.stderr,
        )
    if problem.now is not None and problem.now >= problem.horizon_end:
        last = problem.horizon_end_day - timedelta(days=1)
        print(
            f"warning: --now {args.now} is after the horizon (it ends on {last}): "
            "nothing new can be placed",
            file=sys.stderr,
        )


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _check(args: argparse.Namespace) -> int:
    scenario, problem = scenario_and_problem(
        read_document(args.scenario), args.scenario.parent, args.scenario.stem
    )
    print_input_warnings(problem.input_warnings)
    print(
        f"{args.scenario}: valid: {len(problem.people)} people, {len(problem.pairs)} pairs, "
        f"{len(problem.sessions)} sessions to place"
    )
    if not args.matching:
        return EXIT_OK
    violations = check_matching(scenario, problem)
    for violation in violations:
        print(f"matching: {violation}")
    print(f"matching rules: {len(violations)} violations" if violations else "matching rules: kept")
    return EXIT_VIOLATIONS if violations else EXIT_OK


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


if __name__ == "__main__":  # `python -m api.cli`, as the installed command
    console_script()
