"""Scenario files: YAML and JSON, with the line of each problem."""

from pathlib import Path

import pytest

from connectors.documents import parse_yaml, read_document
from connectors.scenarios import load_problem
from scheduler.errors import ScenarioError

VALID = """\
version: 1
timezone: Europe/Paris
horizon: {start: 2027-01-04, weeks: 1}
people:
  - {id: m1, role: mentor, region: NO}
  - {id: e1, role: executive}
pairs:
  - {id: p1, mentor: m1, mentee: e1, preferred: {between: "12:30-14:00"}}
"""


def errors(tmp_path: Path, text: str, name: str = "s.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ScenarioError) as raised:
        load_problem(path)
    return [str(error) for error in raised.value.errors]


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "committee.yaml"
    path.write_text(VALID)
    problem = load_problem(path)
    assert problem.name == "committee"  # the file name when the scenario has none
    assert problem.people["m1"].region == "NO"  # Norway, not False
    assert len(problem.sessions) == 1


def test_yaml_syntax_errors_give_their_line(tmp_path: Path) -> None:
    broken = VALID.replace("  - {id: e1, role: executive}", "  - {id: e1, role: executive")
    (error,) = errors(tmp_path, broken)
    assert error.startswith("line 7: YAML syntax error")


def test_a_key_given_twice_is_an_error(tmp_path: Path) -> None:
    doubled = VALID.replace("timezone: Europe/Paris\n", "timezone: Europe/Paris\ntimezone: UTC\n")
    assert errors(tmp_path, doubled) == [
        "line 3: YAML syntax error: key 'timezone' is given twice (first on line 2)"
    ]


def test_validation_errors_carry_the_line_of_the_field(tmp_path: Path) -> None:
    wrong = VALID.replace("mentee: e1", "mentee: e7")
    assert errors(tmp_path, wrong) == ["pairs[0].mentee (line 8): unknown person 'e7'"]


def test_json_scenarios_and_their_syntax_errors(tmp_path: Path) -> None:
    assert errors(tmp_path, '{"version": 1,\n "people": [}', "s.json")[0].startswith(
        "line 2: JSON syntax error"
    )


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        read_document(tmp_path / "absent.yaml")
    assert errors(tmp_path, "") == ["(document): the file is empty"]


def test_clock_times_stay_text_and_only_true_false_are_booleans() -> None:
    document = parse_yaml("a: 12:30\nb: no\nc: true\nd: 2027-01-04\ne: 0x1F\n", "t")
    assert document.data == {"a": "12:30", "b": "no", "c": True, "d": "2027-01-04", "e": 31}


def test_a_missing_calendar_file_is_a_clear_error(tmp_path: Path) -> None:
    text = VALID.replace(
        "{id: e1, role: executive}", "{id: e1, role: executive, calendar: {ics: e1.ics}}"
    )
    assert errors(tmp_path, text) == [
        f"people[1].calendar.ics (line 6): {tmp_path / 'e1.ics'}: no such file"
    ]


def test_graph_calendars_without_settings_name_the_missing_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "CLIENT_CERTIFICATE"):
        monkeypatch.delenv(f"TANDEM_GRAPH_{name}", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file here
    text = VALID.replace(
        "{id: m1, role: mentor, region: NO}",
        "{id: m1, role: mentor, email: m1@example.com, calendar: {graph: true}}",
    )
    (error,) = errors(tmp_path, text)
    assert error.startswith("people[0].calendar.graph (line 5): Graph settings: ")
    assert "TANDEM_GRAPH_TENANT_ID: Field required" in error
    assert "TANDEM_GRAPH_CLIENT_ID: Field required" in error


def test_shared_blocks_through_aliases_are_fine_but_recursive_ones_are_refused(
    tmp_path: Path,
) -> None:
    shared = VALID.replace(
        "{id: m1, role: mentor, region: NO}",
        "{id: m1, role: mentor, working_hours: &hours {mon-fri: ['09:00-17:00']}}",
    )
    shared = shared.replace(
        "{id: e1, role: executive}", "{id: e1, role: executive, working_hours: *hours}"
    )
    path = tmp_path / "shared.yaml"
    path.write_text(shared)
    assert load_problem(path).people["e1"].working_hours == dict.fromkeys(range(5), ((540, 1020),))
    (error,) = errors(tmp_path, "a: &x [1, *x]\n")
    assert "an alias refers to itself" in error


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (error,) = errors(tmp_path, "\n".join(lines) + "\n")
    assert "expands to more than" in error


def test_scenarios_from_api_callers_read_no_server_files() -> None:
    from connectors.scenarios import problem_from_data
    from tests.builders import executive, mentor, scenario

    document = scenario(people=[mentor(), executive(calendar={"ics": "/etc/passwd"})])
    with pytest.raises(ScenarioError) as raised:
        problem_from_data(document)
    (error,) = [str(e) for e in raised.value.errors]
    assert error.startswith("people[1].calendar: calendar files and Microsoft Graph mailboxes")
