"""Photos attached to an inspection report, on SQLite and PostgreSQL: stored once by digest,
images only (by their bytes), within the size and count limits, by an officer of the
declaration's office, in the report's transaction; read by whoever reads the declaration; never
carried by the seizure reported to partners."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from borderlink.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from borderlink.model import Seizure
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.coordination import inspections, photos
from borderlink.services.coordination.photos import PhotoFile
from borderlink.services.coordination.seizures import report_seizure
from borderlink.store.cooperation_tables import released
from borderlink.store.coordination_tables import inspection_photos
from borderlink.store.tables import audit_log, outcomes
from tests.coop_mesh import Mesh, agree, build_mesh, connect
from tests.coop_samples import agreement
from tests.photo_samples import JPEG, PNG, WEBP
from tests.services.coordination.test_inspections import officer, report
from tests.surfaces import OFFICE_A, OFFICE_B, Seeded, seed, seed_declarations


@pytest.fixture
def seeded(node: Node) -> Seeded:
    return seed(node)


def _count(node: Node) -> int:
    with node.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(inspection_photos)).scalar_one())


def test_photos_are_stored_once_by_digest_and_read_back(seeded: Seeded) -> None:
    node, me = seeded.node, officer(seeded)
    declaration_id = seeded.office_a[0]
    files = [PhotoFile("C:\\scans\\bay 4.png", PNG), PhotoFile("seal.jpg", JPEG)]
    inspections.record_report(node, me, declaration_id, report(), files)
    again = photos.attach(node, me, declaration_id, [PhotoFile("copy.png", PNG)])
    assert [(p.name, p.media_type, p.size) for p in again] == [
        ("bay 4.png", "image/png", len(PNG)),
        ("seal.jpg", "image/jpeg", len(JPEG)),
    ]
    assert _count(node) == 2  # the same photo twice is one
    listed = photos.attach(node, me, declaration_id, [PhotoFile("box.webp", WEBP)])
    assert [p.media_type for p in listed][-1] == "image/webp"
    analyst = Principal(user_id=5, username=seeded.users[Role.RISK_ANALYST], role=Role.RISK_ANALYST)
    view, data = photos.photo(node, analyst, declaration_id, again[0].sha256)
    assert (view.uploaded_by, data) == (me.username, PNG)
    assert len(photos.photos_for(node, analyst, declaration_id)) == 3
    with node.engine.connect() as conn:
        actions = conn.execute(
            select(audit_log.c.action).where(audit_log.c.action == "inspection.photo.attach")
        ).all()
    assert len(actions) == 3
    with pytest.raises(NotFound):
        photos.photo(node, analyst, declaration_id, "0" * 64)


def test_a_file_that_is_not_an_image_is_refused_and_the_report_not_written(
    seeded: Seeded,
) -> None:
    node, me = seeded.node, officer(seeded)
    declaration_id = seeded.office_a[0]
    fake = PhotoFile("invoice.png", b"%PDF-1.7 not an image")  # named .png: the bytes decide
    with pytest.raises(InvalidInput, match=r"'invoice\.png' is not a JPEG, PNG or WebP") as error:
        inspections.record_report(
            node, me, declaration_id, report(), [PhotoFile("a.png", PNG), fake]
        )
    assert error.value.field == "photos"
    with node.engine.connect() as conn:
        mine = outcomes.c.declaration_id == declaration_id
        assert conn.execute(select(outcomes.c.declaration_id).where(mine)).first() is None
    assert _count(node) == 0
    assert inspections.report_for(node, me, declaration_id) is None


def test_too_large_and_too_many_photos_are_refused(seeded: Seeded) -> None:
    node, me = seeded.node, officer(seeded)
    declaration_id = seeded.office_a[0]
    inspections.record_report(node, me, declaration_id, report())
    big = PhotoFile("huge.jpg", JPEG + bytes(node.settings.max_photo_bytes))
    with pytest.raises(InvalidInput, match=r"photo 'huge\.jpg' is .* bytes; a photo is at most"):
        photos.attach(node, me, declaration_id, [big])
    many = [PhotoFile(f"{n}.jpg", JPEG + bytes([n % 256, n // 256])) for n in range(21)]
    with pytest.raises(InvalidInput, match="at most 20 photos") as error:
        photos.attach(node, me, declaration_id, many)
    assert error.value.field == "photos"
    assert _count(node) == 0


def test_only_an_officer_of_the_office_attaches(seeded: Seeded) -> None:
    node, me = seeded.node, officer(seeded)
    declaration_id = seeded.office_a[0]
    with pytest.raises(Conflict, match="no inspection report yet"):
        photos.attach(node, me, declaration_id, [PhotoFile("a.png", PNG)])
    inspections.record_report(node, me, declaration_id, report())
    other = Principal(user_id=7, username="officer-b", role=Role.OFFICER, office_id=OFFICE_B)
    with pytest.raises(NotFound):
        photos.attach(node, other, declaration_id, [PhotoFile("a.png", PNG)])
    with pytest.raises(NotFound):
        photos.photos_for(node, other, declaration_id)
    analyst = Principal(user_id=5, username=seeded.users[Role.RISK_ANALYST], role=Role.RISK_ANALYST)
    with pytest.raises(PermissionDenied):
        photos.attach(node, analyst, declaration_id, [PhotoFile("a.png", PNG)])
    assert _count(node) == 0


@pytest.fixture
def pair(tmp_path: Path, _sqlite_template: Path) -> Iterator[Mesh]:
    mesh = build_mesh(tmp_path, ["A", "B"], template=_sqlite_template)
    connect(mesh, "A", "B")
    agree(mesh, agreement(redact={"seizure": ["parties"]}))
    yield mesh
    mesh.close()


def test_the_seizure_released_to_a_partner_carries_no_photo(pair: Mesh) -> None:
    node = pair.nodes["A"]
    office_a, _ = seed_declarations(node)
    me = Principal(user_id=1, username="officer-1", role=Role.OFFICER, office_id=OFFICE_A)
    inspections.record_report(node, me, office_a[0], report(), [PhotoFile("bay.png", PNG)])
    digest = photos.photos_for(node, me, office_a[0])[0].sha256
    liaison = Principal(user_id=9, username="liaison-1", role=Role.LIAISON_OFFICER)
    done = report_seizure(node, liaison, office_a[0], concealment="false floor")
    assert done.released_to == ["B"]
    with node.engine.connect() as conn:  # what A's TAXII collection "to B" serves
        served = json.dumps(
            [[row.envelope, row.stix] for row in conn.execute(select(released))], default=str
        )
    assert "false floor" in served  # the seizure is there ...
    for trace in (digest, "bay.png", base64.b64encode(PNG).decode()[:24]):
        assert trace not in served  # ... and nothing of its photo
    assert not [f for f in Seizure.model_fields if "photo" in f or "attach" in f]
