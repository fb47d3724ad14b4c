"""Photos of an inspection report in the pages and the API: posted with the report form
(multipart), shown as thumbnails linking to the full image, served as stored (inline, never
sniffed, under a restrictive policy); refused with the file's name and the field when not an
image or too large; attached over the API only by an officer of the declaration's office."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.store.tables import outcomes
from tests.photo_samples import JPEG, PNG
from tests.server.pages.test_border_post import _as
from tests.surfaces import OFFICE_B, PASSWORD, Seeded, client

FORM = {"method_physical": "yes", "item1_as_declared": "yes", "result": "compliant"}


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_photos_posted_with_the_report_show_as_thumbnails_and_are_served_safely(
    app: FastAPI, seeded: Seeded
) -> None:
    target = seeded.office_a[0]
    png = hashlib.sha256(PNG).hexdigest()

    async def go() -> tuple[httpx.Response, ...]:
        officer, csrf = await _as(app, seeded, "officer-1")
        async with officer:
            files = [
                ("photos", ("bay 4.png", PNG, "image/png")),
                ("photos", ("again.png", PNG, "application/octet-stream")),
                ("photos", ("seal.jpg", JPEG, "image/jpeg")),
            ]
            done = await officer.post(
                f"/declarations/{target}/inspection-report",
                data=FORM | {"csrf_token": csrf},
                files=files,
            )
            page = await officer.get(f"/declarations/{target}")
            image = await officer.get(f"/declarations/{target}/inspection-photos/{png}")
            return done, page, image

    done, page, image = _run(go())
    assert done.status_code == 303, done.text
    href = f"/declarations/{target}/inspection-photos/{png}"
    assert f'<a href="{href}"><img src="{href}" alt="Photo bay 4.png"' in page.text
    assert page.text.count("/inspection-photos/") == 4  # two photos (the same one twice is one)
    assert 'enctype="multipart/form-data"' in page.text
    assert image.status_code == 200
    assert image.content == PNG
    assert image.headers["content-type"] == "image/png"
    disposition = "inline; filename=\"bay 4.png\"; filename*=UTF-8''bay%204.png"
    assert image.headers["content-disposition"] == disposition
    assert image.headers["x-content-type-options"] == "nosniff"
    assert image.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_file_that_is_not_an_image_is_refused_by_name_and_nothing_is_recorded(
    app: FastAPI, seeded: Seeded
) -> None:
    target = seeded.office_a[0]

    async def go() -> httpx.Response:
        officer, csrf = await _as(app, seeded, "officer-1")
        async with officer:
            files = [
                ("photos", ("bay.png", PNG, "image/png")),
                ("photos", ("invoice.png", b"<svg onload=alert(1)>", "image/png")),
            ]
            return await officer.post(
                f"/declarations/{target}/inspection-report",
                data=FORM | {"csrf_token": csrf},
                files=files,
            )

    refused = _run(go())
    assert refused.status_code == 400
    assert "&#39;invoice.png&#39; is not a JPEG, PNG or WebP image" in refused.text
    with seeded.node.engine.connect() as conn:
        mine = outcomes.c.declaration_id == target
        assert conn.execute(select(outcomes).where(mine)).first() is None


def test_the_api_attaches_lists_and_refuses_by_file_and_field(app: FastAPI, seeded: Seeded) -> None:
    node, target = seeded.node, seeded.office_a[0]
    admin = Principal.system("test-admin")
    accounts.add_user(
        node, admin, username="officer-b", password=PASSWORD, role="officer", office_id=OFFICE_B
    )
    other = accounts.issue_token(node, admin, username="officer-b", name="t", reason="test")
    report = {"methods": ["physical"], "illicit": False}
    url = f"/api/v1/inspections/{target}/photos"

    async def go() -> dict[str, httpx.Response]:
        got: dict[str, httpx.Response] = {}
        async with client(app, seeded.tokens[Role.OFFICER]) as api:
            got["early"] = await api.post(url, files={"photos": ("a.png", PNG)})
            await api.put(f"/api/v1/inspections/{target}/report", json=report)
            got["first"] = await api.post(url, files={"photos": ("a.png", PNG)})
            got["again"] = await api.post(url, files={"photos": ("b.png", PNG)})
            got["text"] = await api.post(url, files={"photos": ("notes.jpg", b"hello")})
            huge = JPEG + bytes(node.settings.max_photo_bytes)
            got["huge"] = await api.post(url, files={"photos": ("huge.jpg", huge)})
            got["list"] = await api.get(url)
            got["one"] = await api.get(f"{url}/{hashlib.sha256(PNG).hexdigest()}")
        async with client(app, other.token) as api:
            got["other"] = await api.post(url, files={"photos": ("a.png", PNG)})
        return got

    got = _run(go())
    assert got["early"].status_code == 409
    assert got["first"].status_code == 200
    assert got["again"].json() == got["first"].json()  # the same photo: stored once
    assert [p["media_type"] for p in got["list"].json()] == ["image/png"]
    assert got["one"].content == PNG
    text = got["text"].json()
    assert (got["text"].status_code, text["field"]) == (400, "photos")
    assert "'notes.jpg' is not a JPEG, PNG or WebP image" in text["detail"]
    huge = got["huge"].json()
    assert (got["huge"].status_code, huge["field"]) == (400, "photos")
    size = len(JPEG) + node.settings.max_photo_bytes
    assert f"'huge.jpg' is {size:,} bytes; a photo is at most 10,485,760" in huge["detail"]
    assert got["other"].status_code == 404  # another office's declaration: not theirs to see


def test_a_nul_in_the_multipart_report_form_text_is_still_refused(
    app: FastAPI, seeded: Seeded
) -> None:
    """The edge does not look for NUL in a multipart body with photos (images hold NUL bytes):
    the form's text fields are checked where they are read."""
    target = seeded.office_a[0]

    async def go() -> httpx.Response:
        officer, csrf = await _as(app, seeded, "officer-1")
        async with officer:
            return await officer.post(
                f"/declarations/{target}/inspection-report",
                data=FORM | {"csrf_token": csrf, "note": "a\x00b"},
                files=[("photos", ("bay.png", PNG, "image/png"))],
            )

    refused = _run(go())
    assert refused.status_code == 400
    assert "NUL characters are not accepted" in refused.text
