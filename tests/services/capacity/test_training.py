"""Training records, certifications and the certification gate, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from borderlink import risk
from borderlink.errors import InvalidInput, NotFound, PermissionDenied
from borderlink.model import GatedAction, InspectionMethod, Outcome, TrainingRecord, TrainingResult
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.capacity import certifications, training
from borderlink.services.declarations.read import get_declaration, record_outcome
from borderlink.services.risk.profiles import save_profile
from borderlink.store.tables import audit_log
from tests.surfaces import OFFICE_A, OPS, seed

TODAY = dt.datetime.now(dt.UTC).date()


def person(role: Role, name: str) -> Principal:
    return Principal(
        user_id=1, username=name, role=role, office_id=OFFICE_A if role is Role.OFFICER else None
    )


def passed(who: str, certification: str, *, days_left: int = 200) -> TrainingRecord:
    return TrainingRecord(
        username=who,
        course=f"{certification}-course",
        completed_on=TODAY - dt.timedelta(days=30),
        result=TrainingResult.PASSED,
        certification=certification,
        expires_on=TODAY + dt.timedelta(days=days_left),
    )


def test_a_record_is_idempotent_on_its_natural_key_and_corrected_in_place(node: Node) -> None:
    seed(node)
    first = training.record_training(node, OPS, passed("officer-1", "nii-image-analysis"))
    again = training.record_training(node, OPS, passed("officer-1", "nii-image-analysis"))
    assert (first.change, again.change) == ("added", "unchanged")
    fixed = passed("officer-1", "nii-image-analysis", days_left=10)
    corrected = training.record_training(node, OPS, fixed)
    assert corrected.change == "corrected"
    assert corrected.record.record_id == first.record.record_id
    assert len(training.list_records(node, OPS, "officer-1")) == 1
    with node.read() as conn:
        actions = conn.execute(
            select(audit_log.c.action).where(audit_log.c.action.like("training.%"))
        ).scalars()
        assert list(actions) == ["training.record", "training.correct"]
    with pytest.raises(NotFound) as missing:
        training.record_training(node, OPS, passed("nobody", "x"))
    assert missing.value.field == "username"


def test_officers_read_their_own_record_and_administrators_everyone_s(node: Node) -> None:
    seed(node)
    training.record_training(node, OPS, passed("officer-1", "nii-image-analysis", days_left=20))
    training.record_training(node, OPS, passed("risk_analyst-1", "risk-analyst"))
    officer = person(Role.OFFICER, "officer-1")
    assert [r.username for r in training.list_records(node, officer)] == ["officer-1"]
    with pytest.raises(PermissionDenied):
        training.list_records(node, officer, "risk_analyst-1")
    mine = training.standing(node, officer, on=TODAY)  # not the clock: a run may cross midnight
    assert [(c.certification, c.days_left) for c in mine.expiring] == [("nii-image-analysis", 20)]
    everyone = training.standing(node, OPS, on=TODAY)
    assert {c.username for c in everyone.held} == {"officer-1", "risk_analyst-1"}
    assert [c.username for c in everyone.expiring] == ["officer-1"]


def test_an_uncertified_officer_may_not_record_an_nii_result(node: Node) -> None:
    seeded = seed(node)
    declaration = seeded.office_a[0]
    officer = person(Role.OFFICER, "officer-1")
    nii = Outcome(declaration_id=declaration, illicit=True, method=InspectionMethod.NII)
    # Nothing is gated until the node says so.
    record_outcome(node, officer, nii)
    certifications.load_requirements_file(node, OPS, None)
    with pytest.raises(PermissionDenied) as refused:
        record_outcome(node, officer, nii.model_copy(update={"illicit": False}))
    assert "needs the certification nii-image-analysis" in refused.value.detail
    assert refused.value.field == "certification"
    # Nothing was written: the earlier result stands.
    shown = get_declaration(node, officer, declaration).outcome
    assert shown is not None
    assert (shown.illicit, shown.method) == (True, InspectionMethod.NII)
    # A physical examination needs no certification; a certified officer records NII results.
    record_outcome(node, officer, nii.model_copy(update={"method": InspectionMethod.PHYSICAL}))
    training.record_training(node, OPS, passed("officer-1", "nii-image-analysis"))
    assert record_outcome(node, officer, nii).method == InspectionMethod.NII


def test_an_expired_or_withdrawn_certification_is_no_certification(node: Node) -> None:
    seeded = seed(node)
    certifications.load_requirements_file(node, OPS, None)
    officer = person(Role.OFFICER, "officer-1")
    nii = Outcome(declaration_id=seeded.office_a[0], illicit=False, method=InspectionMethod.NII)
    lapsed = passed("officer-1", "nii-image-analysis", days_left=-1)
    training.record_training(node, OPS, lapsed)
    with pytest.raises(PermissionDenied):
        record_outcome(node, officer, nii)
    done = training.record_training(node, OPS, passed("officer-1", "nii-image-analysis"))
    record_outcome(node, officer, nii)
    with pytest.raises(InvalidInput):
        training.withdraw(node, OPS, done.record.record_id, " ")
    training.withdraw(node, OPS, done.record.record_id, "failed the audit of image readings")
    with pytest.raises(PermissionDenied):
        record_outcome(node, officer, nii)


def test_only_a_certified_analyst_activates_a_profile_forcing_red(node: Node) -> None:
    seed(node)
    certifications.load_requirements_file(node, OPS, None)
    analyst = person(Role.RISK_ANALYST, "risk_analyst-1")
    red = risk.Profile(name="stop-cn", expression='origin == "CN"', channel="red", reason="test")
    with pytest.raises(PermissionDenied) as refused:
        save_profile(node, analyst, red)
    assert "risk-analyst" in refused.value.detail
    # A weighted profile, or a disabled forcing one, is not gated.
    save_profile(node, analyst, red.model_copy(update={"channel": None, "weight": 0.3}))
    save_profile(node, analyst, red.model_copy(update={"enabled": False}))
    training.record_training(node, OPS, passed("risk_analyst-1", "risk-analyst"))
    assert save_profile(node, analyst, red).channel == "red"
    # Lifting the requirement ungates it again.
    certifications.lift_requirement(node, OPS, GatedAction.PROFILE_FORCE_RED)
    assert [r.active for r in certifications.list_requirements(node, OPS)] == [True, False]


def test_requirements_are_replaced_by_action_and_the_same_set_changes_nothing(node: Node) -> None:
    first = certifications.load_requirements_file(node, OPS, None)
    assert [c.change for c in first] == ["added", "added"]
    assert [c.change for c in certifications.load_requirements_file(node, OPS, None)] == [
        "unchanged",
        "unchanged",
    ]
    with pytest.raises(PermissionDenied):
        certifications.save_requirements(node, person(Role.RISK_ANALYST, "a"), [])
