import pytest

from borderlink.errors import (
    OUTCOMES,
    BorderLinkError,
    ExpressionError,
    InvalidInput,
    NotFound,
    outcome_of,
)


def test_subclass_inherits_its_parents_outcome() -> None:
    assert outcome_of(ExpressionError("bad", position=3)) == OUTCOMES[InvalidInput]


@pytest.mark.parametrize(
    ("error", "status", "code"), [(NotFound("x"), 404, 3), (InvalidInput("x"), 400, 2)]
)
def test_known_errors_map_to_status_and_exit_code(
    error: BorderLinkError, status: int, code: int
) -> None:
    assert (outcome_of(error).http_status, outcome_of(error).exit_code) == (status, code)


def test_every_error_class_in_the_module_has_a_row_or_a_parent_with_one() -> None:
    import borderlink.errors as module

    classes = [
        v for v in vars(module).values() if isinstance(v, type) and issubclass(v, BorderLinkError)
    ]
    for klass in classes:
        assert any(base in OUTCOMES for base in klass.__mro__)
    assert len(set(module.__doc__.split()) & {c.__name__ for c in classes}) == len(classes)
