"""The role policy: need-to-know rules that do not depend on storage."""

from __future__ import annotations

import pytest

from borderlink.errors import PermissionDenied
from borderlink.services.accounts.access import (
    POLICY,
    Permission,
    Principal,
    Role,
    agency_scope,
    office_scope,
    require,
    sees_nominal,
)


def _who(role: Role, **extra: object) -> Principal:
    return Principal(user_id=1, username="u", role=role, **extra)  # type: ignore[arg-type]


def test_every_role_has_a_policy_row() -> None:
    assert set(POLICY) == set(Role)


def test_the_auditor_only_reads_the_audit_log() -> None:
    assert _who(Role.AUDITOR).permissions == {
        Permission.AUDIT_READ,
        Permission.TOKENS_OWN,
        Permission.TRAINING_OWN,
    }


def test_nominal_data_is_for_those_who_need_it() -> None:
    assert sees_nominal(_who(Role.OFFICER, office_id="A"))
    assert sees_nominal(_who(Role.RISK_ANALYST))
    assert not sees_nominal(_who(Role.LIAISON_OFFICER))
    assert not sees_nominal(_who(Role.AUDITOR))


def test_officers_are_scoped_to_their_office_and_without_one_see_nothing() -> None:
    assert office_scope(_who(Role.OFFICER, office_id="A")) == "A"
    assert office_scope(_who(Role.OFFICER)) == ""
    assert office_scope(_who(Role.RISK_ANALYST)) is None


def test_scopes_only_narrow() -> None:
    narrowed = _who(
        Role.AUDITOR, scopes=frozenset({Permission.AUDIT_READ, Permission.USERS_MANAGE})
    )
    assert narrowed.permissions == {Permission.AUDIT_READ}
    with pytest.raises(PermissionDenied, match="users:manage"):
        require(narrowed, Permission.USERS_MANAGE)


def test_agency_officers_are_scoped_to_their_agency_and_only_they_answer_for_it() -> None:
    assert agency_scope(_who(Role.AGENCY_OFFICER, agency="health")) == "health"
    assert agency_scope(_who(Role.AGENCY_OFFICER)) == ""
    assert agency_scope(_who(Role.OFFICER, office_id="A")) is None
    answerers = {role for role in Role if _who(role).can(Permission.REFERRALS_ANSWER)}
    assert answerers == {Role.AGENCY_OFFICER}  # not even an administrator
    managers = {role for role in Role if _who(role).can(Permission.REFERRALS_MANAGE)}
    assert managers == {Role.ADMINISTRATOR, Role.RISK_ANALYST}
