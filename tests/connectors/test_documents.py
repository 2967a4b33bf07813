"""Scenario files: YAML and JSON, with the line of each problem."""

from pathlib import Path

import pytest

from connectors.documents import _Indexer, parse_json, parse_yaml, read_document
from connectors.scenarios import load_problem
from scheduler.document_limits import MAX_DEPTH
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
    assert "aliases add more than 2,000,000 values" in error


def test_a_large_document_without_aliases_is_not_taken_for_an_alias_bomb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: any document past 2,000,000 values was refused as "(aliases?)". Only the
    values aliases add count (the cap lowered here, to keep the test small)."""
    monkeypatch.setattr(_Indexer, "MAX_ALIASED", 1_000)
    own = "busy:\n" + "".join(f"  - {{start: {i}, end: {i + 1}}}\n" for i in range(2_000))
    assert len(parse_yaml(own, "t").data["busy"]) == 2_000  # 6,001 values of its own
    shared = "a: &a [" + ", ".join(["x"] * 500) + "]\nb: [*a, *a]\n"  # 1,002 by aliases
    with pytest.raises(ScenarioError, match="aliases add more than 1,000 values"):
        parse_yaml(shared, "t")


def test_scenarios_from_api_callers_read_no_server_files() -> None:
    from connectors.scenarios import problem_from_data
    from tests.builders import executive, mentor, scenario

    document = scenario(people=[mentor(), executive(calendar={"ics": "/etc/passwd"})])
    with pytest.raises(ScenarioError) as raised:
        problem_from_data(document)
    (error,) = [str(e) for e in raised.value.errors]
    assert error.startswith("people[1].calendar: calendar files and Microsoft Graph mailboxes")


def test_whole_numbers_with_leading_zeros_are_decimal_as_in_yaml_1_2() -> None:
    data = parse_yaml("a: 09\nb: 0o17\nc: 0x1F\nd: -012\ne: '09'\n", "t").data
    assert data == {"a": 9, "b": 15, "c": 31, "d": -12, "e": "09"}


def test_a_scenario_written_with_a_leading_zero_plans(tmp_path: Path) -> None:
    path = tmp_path / "zero.yaml"
    path.write_text(VALID.replace("weeks: 1", "weeks: 02"))
    assert len(load_problem(path).sessions) == 2


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: " + "[" * 65 + "]" * 65, "line 1"),
        ("a: " + "[" * 100_000 + "]" * 100_000, "line 1"),  # deeper than the parser allows
        ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 70)), "line 65"),
        # Aliases nest a block deeper than the text: ten levels, eight times over.
        (
            "a0: &a0 [[[[[[[[[[1]]]]]]]]]]\n"
            + "".join(f"a{i}: &a{i} [[[[[[[[[[*a{i - 1}]]]]]]]]]]\n" for i in range(1, 8)),
            "line",
        ),
    ],
)
def test_yaml_nested_past_the_limit_is_refused_with_the_limit_named(text: str, where: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_yaml(text, "t")
    assert str(raised.value.errors[0]).startswith(where)
    assert f"nested deeper than {MAX_DEPTH} levels" in str(raised.value)


def test_json_nested_past_the_limit_is_refused_with_the_limit_named() -> None:
    for text in (b"[" * 2000 + b"]" * 2000, b'{"a":' * 65 + b"1" + b"}" * 65):
        with pytest.raises(ScenarioError) as raised:
            parse_json(text, "t")
        assert f"nested deeper than {MAX_DEPTH} levels" in str(raised.value)
    assert parse_json(b'{"a":' * 60 + b"1" + b"}" * 60, "t").data  # within the limit


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        (
            "s.yaml",
            'people:\n  - {id: m1, name: "x\\0y"}\n',
            "people[0].name (line 2): contains a NUL",
        ),
        ("s.yaml", 'name: "\\x00"\n', "name (line 1): contains a NUL"),
        ("s.json", '{"people": [{"name": "a\\u0000"}]}', "people[0].name: contains a NUL"),
        ("s.json", '{"name": "\\ud800"}', "line 1: JSON syntax error: no low surrogate"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_with_its_field(
    tmp_path: Path, name: str, content: str, error: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ScenarioError) as raised:
        read_document(path)
    assert str(raised.value.errors[0]).startswith(error)


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_MAX_FILE_MB", "1")
    path = tmp_path / "big.yaml"
    path.write_text(VALID + "#" * 1_000_000)
    with pytest.raises(ScenarioError) as raised:
        read_document(path)
    assert "larger than the limit of 1 MB" in str(raised.value)
    assert "TANDEM_MAX_FILE_MB" in str(raised.value)
    path.write_text(VALID + "#" * 990_000)  # just under: read
    assert read_document(path).data["version"] == 1


def test_a_device_without_a_size_is_cut_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_MAX_FILE_MB", "1")
    with pytest.raises(ScenarioError) as raised:
        read_document(Path("/dev/zero"))  # endless, and its size says 0
    assert "larger than the limit of 1 MB" in str(raised.value)


@pytest.mark.parametrize("value", ["abc", "0", "1.5", "-3"])
def test_a_size_limit_that_is_no_whole_number_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Before: silently the default of 128 MB."""
    monkeypatch.setenv("TANDEM_MAX_FILE_MB", value)
    path = tmp_path / "s.yaml"
    path.write_text(VALID)
    with pytest.raises(ScenarioError) as raised:
        read_document(path)
    assert str(raised.value.errors[0]).startswith("TANDEM_MAX_FILE_MB: ")


def test_past_a_hundred_errors_the_rest_are_counted(tmp_path: Path) -> None:
    pairs = "".join(f"  - {{id: p{i}, mentor: nobody, mentee: e1}}\n" for i in range(150))
    text = VALID.split("pairs:")[0] + "pairs:\n" + pairs
    error_lines = errors(tmp_path, text)  # 150 unknown mentors, 149 pairs met twice
    assert len(error_lines) == 100 and error_lines[-1] == "(more): 200 more not shown"
