"""BorderLink's one exception tree, and the one table mapping it to HTTP statuses and exit codes.

BorderLinkError             anything else raised on purpose (500, exit 1)
 ├── InvalidInput           bad data or arguments from the user (400, exit 2)
 │    └── ExpressionError   a rule expression that does not parse (400, exit 2)
 ├── NotFound               the named object does not exist (404, exit 3)
 ├── Conflict               the write contradicts what is stored (409, exit 4)
 ├── PermissionDenied       the actor may not do this (403, exit 5)
 │    └── NotAuthenticated  no valid credentials were presented (401, exit 5)
 ├── PolicyDenied           an agreement forbids the release (403, exit 6)
 ├── IntegrityFailure       a signature, hash or proof does not verify (422, exit 7)
 │    └── ReplayDetected    an envelope or request already seen, or stale (409, exit 7)
 ├── ReferenceDataMissing   the needed reference data is not loaded (409, exit 8)
 ├── PartnerUnavailable     a partner node cannot be reached or answers wrongly (502, exit 9)
 └── ConfigurationError     the node is set up wrongly (500, exit 78)

:data:`OUTCOMES` is the table: the HTTP shell (``borderlink.server.errors``), the CLI
(``borderlink.cli.app``) and the exchange client (which turns a partner's error body back into
the class) all read it, so a status, an exit code or an error code is decided here only. Every
class has its own row (``tests/test_errors.py`` discovers the subclasses and fails otherwise).
:func:`code_for_status` names the errors the HTTP framework raises itself (an unknown path, a
wrong method, a body the request validation refuses) with the same codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


class BorderLinkError(Exception):
    """Base of every error BorderLink raises on purpose."""

    code = "error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(BorderLinkError):
    """Bad data or arguments from the user."""

    code = "invalid_input"


class ExpressionError(InvalidInput):
    """A rule expression that does not parse (with the position where it fails)."""

    code = "invalid_expression"

    def __init__(self, detail: str, *, position: int | None = None, field: str | None = None):
        super().__init__(detail, field=field)
        self.position = position


class NotFound(BorderLinkError):
    """The named object does not exist (or the caller may not know it does)."""

    code = "not_found"


class Conflict(BorderLinkError):
    """The write contradicts what is stored."""

    code = "conflict"


class PermissionDenied(BorderLinkError):
    """The caller may not do this."""

    code = "permission_denied"


class NotAuthenticated(PermissionDenied):
    """No valid credentials were presented."""

    code = "not_authenticated"


class PolicyDenied(BorderLinkError):
    """An agreement forbids the release."""

    code = "policy_denied"


class IntegrityFailure(BorderLinkError):
    """A signature, hash or proof does not verify."""

    code = "integrity_failure"


class ReplayDetected(IntegrityFailure):
    """An envelope or request already seen, or stale."""

    code = "replay_detected"


class ReferenceDataMissing(BorderLinkError):
    """The needed reference data is not loaded."""

    code = "reference_data_missing"


class PartnerUnavailable(BorderLinkError):
    """A partner node cannot be reached or answers wrongly."""

    code = "partner_unavailable"


class ConfigurationError(BorderLinkError):
    """The node is set up wrongly."""

    code = "configuration_error"


@dataclass(frozen=True)
class Outcome:
    http_status: int
    exit_code: int


# The one place where an error becomes an HTTP status or a process exit code. Looked up along the
# class's MRO at raise time, so subclasses inherit their parent's row unless they have their own.
OUTCOMES: Mapping[type[BorderLinkError], Outcome] = MappingProxyType(
    {
        BorderLinkError: Outcome(500, 1),
        InvalidInput: Outcome(400, 2),
        ExpressionError: Outcome(400, 2),
        NotFound: Outcome(404, 3),
        Conflict: Outcome(409, 4),
        PermissionDenied: Outcome(403, 5),
        NotAuthenticated: Outcome(401, 5),
        PolicyDenied: Outcome(403, 6),
        IntegrityFailure: Outcome(422, 7),
        ReplayDetected: Outcome(409, 7),
        ReferenceDataMissing: Outcome(409, 8),
        PartnerUnavailable: Outcome(502, 9),
        ConfigurationError: Outcome(500, 78),
    }
)


# Statuses the HTTP framework answers on its own, for which no BorderLink error exists.
FRAMEWORK_CODES: Mapping[int, str] = MappingProxyType(
    {
        405: "method_not_allowed",
        413: "too_large",
        415: "unsupported_media_type",
        500: "internal_error",
    }
)


def outcome_of(error: BorderLinkError | type[BorderLinkError]) -> Outcome:
    klass = error if isinstance(error, type) else type(error)
    for base in klass.__mro__:
        if base in OUTCOMES:
            return OUTCOMES[base]
    return OUTCOMES[BorderLinkError]


def code_for_status(status: int) -> str:
    """The error code of an HTTP status the framework raised: the most general class with it."""
    if status in FRAMEWORK_CODES:
        return FRAMEWORK_CODES[status]
    for klass, outcome in OUTCOMES.items():  # parents come before their subclasses
        if outcome.http_status == status and klass is not BorderLinkError:
            return klass.code
    return "error"
