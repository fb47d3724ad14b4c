"""The one exception tree and its one table: every class has a row, the docstring draws them all,
and the CLI and the HTTP shell answer with what the row says."""

import importlib
import pkgutil
import re

import pytest

import borderlink
import borderlink.errors as module
from borderlink.errors import (
    OUTCOMES,
    BorderLinkError,
    ExpressionError,
    InvalidInput,
    NotFound,
    code_for_status,
    outcome_of,
)


def _all_error_classes() -> list[type[BorderLinkError]]:
    # Import every module of the package, so that a class declared anywhere is found.
    for info in pkgutil.walk_packages(borderlink.__path__, "borderlink."):
        importlib.import_module(info.name)
    found: list[type[BorderLinkError]] = []
    pending = [BorderLinkError]
    while pending:
        klass = pending.pop()
        found.append(klass)
        pending.extend(klass.__subclasses__())
    return found


ERRORS = _all_error_classes()
# The package re-exports the typer app under the module's name: reach the module itself.
cli = importlib.import_module("borderlink.cli.app")


def test_discovery_sees_the_whole_tree() -> None:
    assert len(ERRORS) >= 12
    assert ExpressionError in ERRORS


@pytest.mark.parametrize("klass", ERRORS, ids=lambda k: k.__name__)
def test_every_error_class_has_its_own_row(klass: type[BorderLinkError]) -> None:
    assert klass in OUTCOMES, f"{klass.__qualname__} needs a row in borderlink.errors.OUTCOMES"


@pytest.mark.parametrize("klass", ERRORS, ids=lambda k: k.__name__)
def test_the_docstring_draws_every_class_with_its_row(klass: type[BorderLinkError]) -> None:
    drawn = re.search(
        rf"\b{klass.__name__}\b.*\((\d+), exit (\d+)\)", module.__doc__ or "", re.MULTILINE
    )
    assert drawn, f"{klass.__name__} is missing from the tree in borderlink/errors.py"
    row = OUTCOMES[klass]
    assert (int(drawn[1]), int(drawn[2])) == (row.http_status, row.exit_code)


@pytest.mark.parametrize("klass", ERRORS, ids=lambda k: k.__name__)
def test_every_code_is_unique(klass: type[BorderLinkError]) -> None:
    assert [k for k in ERRORS if k.code == klass.code] == [klass]


def test_subclass_inherits_its_parents_outcome() -> None:
    assert outcome_of(ExpressionError("bad", position=3)) == OUTCOMES[InvalidInput]


@pytest.mark.parametrize(
    ("error", "status", "code"), [(NotFound("x"), 404, 3), (InvalidInput("x"), 400, 2)]
)
def test_known_errors_map_to_status_and_exit_code(
    error: BorderLinkError, status: int, code: int
) -> None:
    assert (outcome_of(error).http_status, outcome_of(error).exit_code) == (status, code)


def test_framework_statuses_are_named_by_the_most_general_class() -> None:
    assert code_for_status(400) == "invalid_input"
    assert code_for_status(403) == "permission_denied"
    assert code_for_status(409) == "conflict"
    assert code_for_status(405) == "method_not_allowed"


@pytest.mark.parametrize("klass", ERRORS, ids=lambda k: k.__name__)
def test_the_cli_exits_with_the_tables_code(
    klass: type[BorderLinkError], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(**_: object) -> None:
        raise klass("it went wrong")

    monkeypatch.setattr(cli, "app", failing)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == OUTCOMES[klass].exit_code
