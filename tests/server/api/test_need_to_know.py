"""Need-to-know and audit through the API: office scoping, redaction, what the audit log records."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
from fastapi import FastAPI

from borderlink.services.accounts import users as accounts
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations import browse
from tests.surfaces import PASSWORD, Seeded, client

ADMIN = Principal.system("test-admin")


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _audit(seeded: Seeded, **filters: Any) -> list[browse.AuditEntry]:
    auditor = accounts.token_principal(seeded.node, seeded.tokens[Role.AUDITOR])
    return browse.list_audit(seeded.node, auditor, limit=500, **filters).items


def test_officer_lists_only_their_office(app: FastAPI, seeded: Seeded) -> None:
    async def go() -> dict[str, Any]:
        async with client(app, seeded.tokens[Role.OFFICER]) as c:
            return (await c.get("/api/v1/declarations")).json()  # type: ignore[no-any-return]

    page = _run(go())
    assert page["total"] == len(seeded.office_a)
    assert {d["office_id"] for d in page["items"]} == {"OFA"}


def test_liaison_officer_sees_declarations_without_parties(app: FastAPI, seeded: Seeded) -> None:
    async def go() -> tuple[dict[str, Any], dict[str, Any], httpx.Response]:
        async with client(app, seeded.tokens[Role.LIAISON_OFFICER]) as c:
            listing = (await c.get("/api/v1/declarations")).json()
            one = (await c.get(f"/api/v1/declarations/{seeded.office_a[0]}")).json()
            by_party = await c.get("/api/v1/declarations", params={"importer_id": "IMP-1"})
            return listing, one, by_party

    listing, one, by_party = _run(go())
    assert {d["importer_id"] for d in listing["items"]} == {"[redacted]"}
    assert one["redacted"] is True
    assert {p["party_id"] for p in one["parties"]} == {"[redacted]"}
    assert all(p["name"] is None for p in one["parties"])
    assert "Acme" not in str(one)
    assert by_party.status_code == 403
    assert by_party.json()["field"] == "importer_id"
    # Redacted reads show no nominal data, so they are not nominal reads in the audit log.
    assert not _audit(seeded, actor="liaison_officer-1", action="declaration.")


def test_nominal_reads_and_writes_are_audited(app: FastAPI, seeded: Seeded) -> None:
    target = seeded.office_a[0]

    async def go() -> dict[str, Any]:
        async with client(app, seeded.tokens[Role.OFFICER]) as c:
            one = (
                await c.get(f"/api/v1/declarations/{target}", params={"reason": "inspection"})
            ).json()
            saved = await c.put(
                f"/api/v1/declarations/{target}/outcome",
                json={
                    "illicit": True,
                    "severity": 4,
                    "revenue_recovered": 120.5,
                    "note": "false origin",
                },
            )
            assert saved.status_code == 200, saved.text
            again = (await c.get(f"/api/v1/declarations/{target}")).json()
            assert [(h["action"], h["actor"]) for h in again["history"]] == [
                ("outcome.record", "officer-1")
            ]
            assert one["history"] == []
            return one  # type: ignore[no-any-return]

    one = _run(go())
    assert {p["name"] for p in one["parties"]} >= {"Acme Imports Ltd"}
    reads = _audit(seeded, actor="officer-1", action="declaration.read")
    assert [(e.object_id, e.reason) for e in reads] == [(target, None), (target, "inspection")]
    writes = _audit(seeded, object_id=target, action="outcome.record")
    assert writes
    assert writes[0].details == {
        "illicit": True,
        "severity": 4,
        "revenue_recovered": 120.5,
    }
    assert writes[0].reason == "false origin"


def test_every_login_is_audited_even_failed_ones(app: FastAPI, seeded: Seeded) -> None:
    async def go() -> tuple[int, int, int]:
        async with client(app) as c:
            bad = await c.post(
                "/api/v1/auth/login", json={"username": "auditor-1", "password": "nope"}
            )
            ghost = await c.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"})
            good = await c.post(
                "/api/v1/auth/login", json={"username": "auditor-1", "password": PASSWORD}
            )
            return bad.status_code, ghost.status_code, good.status_code

    assert _run(go()) == (401, 401, 200)
    actions = [(e.actor, e.action) for e in _audit(seeded, action="auth.")]
    assert ("auditor-1", "auth.login_failed") in actions
    # A name that is no user's may be a password typed in the wrong field: only a digest of it.
    assert not [a for a in actions if "ghost" in a[0]]
    assert [a for a in actions if a[0].startswith("unknown:") and a[1] == "auth.login_failed"]
    assert ("auditor-1", "auth.login") in actions


def test_cookie_writes_need_the_csrf_token(app: FastAPI, seeded: Seeded) -> None:
    target = seeded.office_a[0]

    async def go() -> list[int]:
        async with client(app) as c:
            login = await c.post(
                "/api/v1/auth/login", json={"username": "officer-1", "password": PASSWORD}
            )
            csrf = login.json()["csrf_token"]
            assert "httponly" in login.headers["set-cookie"].lower()
            assert "samesite=strict" in login.headers["set-cookie"].lower()
            body = {"illicit": False}
            return [
                (await c.put(f"/api/v1/declarations/{target}/outcome", json=body)).status_code,
                (
                    await c.put(
                        f"/api/v1/declarations/{target}/outcome",
                        json=body,
                        headers={"X-CSRF-Token": "forged"},
                    )
                ).status_code,
                (
                    await c.put(
                        f"/api/v1/declarations/{target}/outcome",
                        json=body,
                        headers={"X-CSRF-Token": csrf},
                    )
                ).status_code,
                (await c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})).status_code,
                (await c.get("/api/v1/auth/me")).status_code,
            ]

    assert _run(go()) == [403, 403, 200, 204, 401]


def test_tokens_are_scoped_expire_and_revoke(app: FastAPI, seeded: Seeded) -> None:
    node = seeded.node
    narrow = accounts.issue_token(
        node, ADMIN, username="administrator-1", name="reader", scopes=["audit:read"], reason="t"
    )

    async def go(token: str) -> tuple[int, int]:
        async with client(app, token) as c:
            return (await c.get("/api/v1/audit")).status_code, (
                await c.get("/api/v1/users")
            ).status_code

    assert _run(go(narrow.token)) == (200, 403)
    accounts.revoke_token(node, ADMIN, narrow.info.token_id)
    assert _run(go(narrow.token)) == (401, 401)
    assert _run(go("bl_0000_not-a-token")) == (401, 401)
    assert _run(go("garbage")) == (401, 401)


def test_errors_have_the_documented_body(app: FastAPI, seeded: Seeded) -> None:
    async def go() -> list[httpx.Response]:
        async with client(app, seeded.tokens[Role.ADMINISTRATOR]) as c:
            return [
                await c.get("/api/v1/declarations/nope"),
                await c.get("/api/v1/declarations", params={"limit": 0}),
                await c.put(
                    f"/api/v1/declarations/{seeded.office_a[0]}/outcome", json={"severity": 3}
                ),
                await c.post(
                    "/api/v1/users", json={"username": "x", "password": PASSWORD, "role": "officer"}
                ),
                await c.get("/api/v1/no-such-thing"),
            ]

    responses = _run(go())
    # invalid_input has one status, whether FastAPI's validation or a use case refused it
    assert [r.status_code for r in responses] == [404, 400, 400, 400, 404]
    assert {r.json()["error"] for r in responses[1:4]} == {"invalid_input"}
    for r in responses:
        assert set(r.json()) == {"error", "detail", "field"}
        assert "Traceback" not in r.text
    assert responses[0].json()["error"] == "not_found"
    assert responses[1].json()["field"] == "limit"
    assert responses[2].json()["field"] == "illicit"
    assert responses[3].json()["field"] == "office_id"


def test_an_unexpected_error_is_a_generic_500(app: FastAPI, seeded: Seeded) -> None:
    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    async def go() -> httpx.Response:
        async with client(app) as c:
            return await c.get("/api/v1/boom")

    response = _run(go())
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "detail": "an internal error occurred; it has been logged",
        "field": None,
    }
    assert "secret" not in response.text


def test_dashboard_counts_follow_outcomes(app: FastAPI, seeded: Seeded) -> None:
    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        async with client(app, seeded.tokens[Role.OFFICER]) as c:
            before = (await c.get("/api/v1/dashboard")).json()
            await c.put(
                f"/api/v1/declarations/{seeded.office_a[0]}/outcome", json={"illicit": True}
            )
            after = (await c.get("/api/v1/dashboard")).json()
            return before, after

    before, after = _run(go())
    assert before["office_id"] == "OFA"
    assert before["day"] == dt.date(2026, 11, 20).isoformat()
    assert (before["inspected"], before["illicit"]) == (1, 1)  # the seeded outcome at office A
    assert (after["inspected"], after["illicit"]) == (2, 2)
    assert after["channels"] == {"unscored": 1}


def test_exports_are_csv_redacted_as_needed_and_always_audited(
    app: FastAPI, seeded: Seeded
) -> None:
    async def go(role: Role) -> httpx.Response:
        async with client(app, seeded.tokens[role]) as c:
            return await c.get("/api/v1/declarations/export", params={"office_id": "OFB"})

    liaison, analyst = _run(go(Role.LIAISON_OFFICER)), _run(go(Role.RISK_ANALYST))
    assert liaison.headers["content-type"].startswith("text/csv")
    lines = liaison.text.splitlines()
    assert lines[0].startswith("declaration_id,declaration_type,declared_on,office_id")
    assert len(lines) == 1 + len(seeded.office_b)
    assert "IMP-1" not in liaison.text
    assert "[redacted]" in liaison.text
    assert "IMP-1" in analyst.text
    exports = _audit(seeded, action="declaration.export")
    assert {e.actor: e.reason for e in exports} == {
        "liaison_officer-1": "exported without nominal data",
        "risk_analyst-1": "exported with nominal data",
    }
