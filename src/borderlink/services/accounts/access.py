"""Who may do what: roles, permissions and the need-to-know rules, as data in one place.

Every shell (API, pages, CLI) asks :func:`require` before calling a service, and the services
that return declarations apply :func:`office_scope` and :func:`sees_nominal` themselves, so a
new page cannot forget the need-to-know rules.

A principal's permissions are its role's permissions, narrowed by a token's scopes when it
signed in with an API token. Work no person starts (the audit sealer, sync with partners,
retention, the CLI run by whoever holds the node's database) acts as a system principal,
:meth:`Principal.system`: an administrator without a user row, named in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from borderlink.errors import PermissionDenied


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    RISK_ANALYST = "risk_analyst"
    OFFICER = "officer"  # inspections at their own office only
    LIAISON_OFFICER = "liaison_officer"  # agreements, partners, outgoing sharing
    AGENCY_OFFICER = "agency_officer"  # only referrals addressed to their agency
    AUDITOR = "auditor"  # read-only audit
    FEED = "feed"  # a system that submits declarations (API keys for brokers, single windows)


class Permission(StrEnum):
    DASHBOARD_READ = "dashboard:read"
    DECLARATIONS_READ = "declarations:read"
    DECLARATIONS_SUBMIT = "declarations:submit"
    NOMINAL_READ = "nominal:read"  # party ids and names
    OUTCOMES_RECORD = "outcomes:record"
    REJECTS_READ = "rejects:read"
    REJECTS_RETRY = "rejects:retry"
    AUDIT_READ = "audit:read"
    USERS_MANAGE = "users:manage"
    TOKENS_OWN = "tokens:own"  # create and revoke one's own API tokens
    RISK_SCORE = "risk:score"  # score a declaration on demand
    PROFILES_READ = "profiles:read"
    PROFILES_MANAGE = "profiles:manage"
    MODELS_MANAGE = "models:manage"
    AGREEMENTS_MANAGE = "agreements:manage"
    PARTNERS_MANAGE = "partners:manage"
    SHARING_OUTGOING = "sharing:outgoing"
    REFERRALS_READ = "referrals:read"  # referrals to other agencies and their answers
    REFERRALS_ANSWER = "referrals:answer"  # an agency's answer to a referral addressed to it
    REFERRALS_MANAGE = "referrals:manage"  # agency routing rules; route declarations
    REFDATA_MANAGE = "refdata:manage"  # load nomenclatures, correlations, rates, locations
    WATCHLISTS_MANAGE = "watchlists:manage"  # load watchlists, screen the parties against them
    SCREENING_REVIEW = "screening:review"  # confirm or dismiss a screening hit
    INCIDENTS_REPORT = "incidents:report"  # open and add to incident reports at the border post
    SOPS_PUBLISH = "sops:publish"  # publish an agency's standard operating procedures
    INSPECTIONS_MANAGE = "inspections:manage"  # set offices' daily inspection capacity
    POST_CLEARANCE = "post-clearance:audit"  # blue-lane audit cases: open, assign, close
    TRAINING_OWN = "training:own"  # one's own training record; take exercises
    TRAINING_MANAGE = "training:manage"  # everyone's records, requirements, exercises
    ASSISTANCE_READ = "assistance:read"  # mutual assistance requests, both ways
    ASSISTANCE_REQUEST = "assistance:request"  # draft, send and withdraw requests to partners
    ASSISTANCE_ANSWER = "assistance:answer"  # acknowledge, answer or refuse partners' requests
    OPERATIONS_READ = "operations:read"  # joint operations this node takes part in
    OPERATIONS_MANAGE = "operations:manage"  # coordinate one, report this node's results
    DATABASE_MANAGE = "database:manage"  # maintenance of the node's database (partitions)


P = Permission

# The policy. Read a row as "a <role> may ...". Scoping (own office, own agency, redaction of
# nominal data) is applied on top by the functions below.
POLICY: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {
        # Everything but answering for a partner agency: its decision is the agency's own
        # (separation of duties), so no one at customs can clear a consignment in the health
        # agency's name.
        Role.ADMINISTRATOR: frozenset(Permission) - {P.REFERRALS_ANSWER},
        Role.RISK_ANALYST: frozenset(
            {
                P.DASHBOARD_READ,
                P.DECLARATIONS_READ,
                P.NOMINAL_READ,
                P.REJECTS_READ,
                P.REJECTS_RETRY,  # correct and retry what ingest refused: analysts know the data
                P.TOKENS_OWN,
                P.RISK_SCORE,
                P.PROFILES_READ,
                P.PROFILES_MANAGE,
                P.MODELS_MANAGE,
                P.REFERRALS_READ,
                P.REFERRALS_MANAGE,
                P.WATCHLISTS_MANAGE,
                P.SCREENING_REVIEW,
                P.POST_CLEARANCE,
                P.TRAINING_OWN,
                P.ASSISTANCE_READ,  # what partners asked and answered, to act on it
                P.OPERATIONS_READ,  # the operations whose profiles flag declarations here
            }
        ),
        Role.OFFICER: frozenset(
            {
                P.DASHBOARD_READ,
                P.DECLARATIONS_READ,
                P.NOMINAL_READ,
                P.OUTCOMES_RECORD,
                P.TOKENS_OWN,
                P.RISK_SCORE,
                P.PROFILES_READ,
                P.REFERRALS_READ,
                P.INCIDENTS_REPORT,
                P.TRAINING_OWN,
            }
        ),
        # Liaison officers see declarations to prepare what may be shared, but not who is behind
        # them: nominal data only leaves through an agreement, never through a person's screen.
        Role.LIAISON_OFFICER: frozenset(
            {
                P.DASHBOARD_READ,
                P.DECLARATIONS_READ,
                P.TOKENS_OWN,
                P.AGREEMENTS_MANAGE,
                P.PARTNERS_MANAGE,
                P.SHARING_OUTGOING,
                P.TRAINING_OWN,
                P.ASSISTANCE_READ,
                P.ASSISTANCE_REQUEST,
                P.ASSISTANCE_ANSWER,
                P.OPERATIONS_READ,
                P.OPERATIONS_MANAGE,
            }
        ),
        Role.AGENCY_OFFICER: frozenset(
            {
                P.REFERRALS_READ,
                P.REFERRALS_ANSWER,
                P.TOKENS_OWN,
                P.INCIDENTS_REPORT,
                P.SOPS_PUBLISH,  # their own agency's only (the use case checks)
                P.TRAINING_OWN,
            }
        ),
        Role.AUDITOR: frozenset({P.AUDIT_READ, P.TOKENS_OWN, P.TRAINING_OWN}),
        # A feed only sends declarations in: it reads nothing back (not even the queue its
        # declarations land in), so a leaked feed key discloses nothing.
        Role.FEED: frozenset({P.DECLARATIONS_SUBMIT}),
    }
)

# Roles whose view of declarations is limited to one office (their own).
OFFICE_SCOPED: frozenset[Role] = frozenset({Role.OFFICER})
# Roles that must belong to a partner agency.
AGENCY_SCOPED: frozenset[Role] = frozenset({Role.AGENCY_OFFICER})

# What only the user's own credential carries: an agency's answer is the agency officer's own
# act, never one done through a credential somebody else made for them.
OWN_CREDENTIAL_ONLY: frozenset[Permission] = frozenset({Permission.REFERRALS_ANSWER})

REDACTED = "[redacted]"
SYSTEM_USER_ID = 0  # no user row has it (ids start at 1)


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in user, possibly through a scoped API token."""

    user_id: int
    username: str
    role: Role
    office_id: str | None = None
    agency: str | None = None
    scopes: frozenset[Permission] | None = None  # None: all of the role's permissions
    via: str = "session"  # session, token, system
    # Who made this credential when it was not the user (a token issued from the command line):
    # its holder never answers for an agency, whatever the role says.
    issued_by: str | None = None
    # Signed in with a password an administrator set: nothing is allowed but changing it.
    password_change_due: bool = False
    permissions: frozenset[Permission] = field(init=False)

    @classmethod
    def system(cls, name: str) -> Principal:
        """The actor of background work or the command line: ``name`` goes in the audit log."""
        return cls(user_id=SYSTEM_USER_ID, username=name, role=Role.ADMINISTRATOR, via="system")

    @property
    def is_system(self) -> bool:
        return self.via == "system"

    def __post_init__(self) -> None:
        allowed = POLICY[self.role]
        if self.scopes is not None:
            allowed = allowed & self.scopes
        if self.issued_by is not None:
            allowed = allowed - OWN_CREDENTIAL_ONLY
        if self.password_change_due:
            allowed = frozenset()
        object.__setattr__(self, "permissions", allowed)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


def require(principal: Principal, permission: Permission) -> None:
    """Raise :class:`PermissionDenied` unless the principal holds the permission."""
    if not principal.can(permission):
        raise PermissionDenied(f"{principal.role} {principal.username!r} may not {permission}")


def sees_nominal(principal: Principal) -> bool:
    """Whether party identifiers and names are shown to this principal (else redacted)."""
    return principal.can(Permission.NOMINAL_READ)


def office_scope(principal: Principal) -> str | None:
    """The one office whose declarations the principal may see, or None for all offices.

    An office-scoped role without an office sees nothing: its scope is the empty string.
    """
    if principal.role in OFFICE_SCOPED:
        return principal.office_id or ""
    return None


def agency_scope(principal: Principal) -> str | None:
    """The one agency whose referrals the principal may see and answer, or None for all.

    An agency-scoped role without an agency sees nothing: its scope is the empty string.
    """
    if principal.role in AGENCY_SCOPED:
        return principal.agency or ""
    return None


def grantable_scopes(role: Role, creator: Principal | None = None) -> frozenset[Permission]:
    """What a token of a user with this role may be scoped to: never more than the role, nor
    than the credential creating it (``creator``)."""
    allowed = POLICY[role]
    if creator is not None:
        allowed = allowed & creator.permissions
    return allowed
