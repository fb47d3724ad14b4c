"""BorderLink's one exception tree, and the one table mapping it to HTTP statuses and exit codes.

BorderLinkError
 ├── InvalidInput           bad data or arguments from the user (400, exit 2)
 │    └── ExpressionError   a rule expression that does not parse (400, exit 2)
 ├── NotFound               the named object does not exist (404, exit 3)
 ├── Conflict               the write contradicts what is stored (409, exit 4)
 ├── PermissionDenied       the actor may not do this (403, exit 5)
 ├── PolicyDenied           an agreement forbids the release (403, exit 6)
 ├── IntegrityFailure       a signature, hash or proof does not verify (422, exit 7)
 │    └── ReplayDetected    an envelope or request already seen, or stale (409, exit 7)
 ├── ReferenceDataMissing   the needed reference data is not loaded (409, exit 8)
 ├── PartnerUnavailable     a partner node cannot be reached or answers wrongly (502, exit 9)
 └── ConfigurationError     the node is set up wrongly (500, exit 78)
"""

from __future__ import annotations

from dataclasses import dataclass


class BorderLinkError(Exception):
    """Base of every error BorderLink raises on purpose."""

    code = "error"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(BorderLinkError):
    code = "invalid_input"


class ExpressionError(InvalidInput):
    code = "invalid_expression"

    def __init__(self, detail: str, *, position: int | None = None, field: str | None = None):
        super().__init__(detail, field=field)
        self.position = position


class NotFound(BorderLinkError):
    code = "not_found"


class Conflict(BorderLinkError):
    code = "conflict"


class PermissionDenied(BorderLinkError):
    code = "permission_denied"


class PolicyDenied(BorderLinkError):
    code = "policy_denied"


class IntegrityFailure(BorderLinkError):
    code = "integrity_failure"


class ReplayDetected(IntegrityFailure):
    code = "replay_detected"


class ReferenceDataMissing(BorderLinkError):
    code = "reference_data_missing"


class PartnerUnavailable(BorderLinkError):
    code = "partner_unavailable"


class ConfigurationError(BorderLinkError):
    code = "configuration_error"


@dataclass(frozen=True)
class Outcome:
    http_status: int
    exit_code: int


# The one place where an error becomes an HTTP status or a process exit code. Looked up along the
# class's MRO at raise time, so subclasses inherit their parent's row unless they have their own.
OUTCOMES: dict[type[BorderLinkError], Outcome] = {
    BorderLinkError: Outcome(500, 1),
    InvalidInput: Outcome(400, 2),
    NotFound: Outcome(404, 3),
    Conflict: Outcome(409, 4),
    PermissionDenied: Outcome(403, 5),
    PolicyDenied: Outcome(403, 6),
    IntegrityFailure: Outcome(422, 7),
    ReplayDetected: Outcome(409, 7),
    ReferenceDataMissing: Outcome(409, 8),
    PartnerUnavailable: Outcome(502, 9),
    ConfigurationError: Outcome(500, 78),
}


def outcome_of(error: BorderLinkError) -> Outcome:
    for klass in type(error).__mro__:
        if klass in OUTCOMES:
            return OUTCOMES[klass]
    return OUTCOMES[BorderLinkError]
