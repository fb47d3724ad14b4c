"""Risk services over the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, func, select

from borderlink import risk
from borderlink.errors import ExpressionError, NotFound, PermissionDenied
from borderlink.model.outcome import Outcome
from borderlink.services import Node
from borderlink.services.accounts.access import Principal, Role
from borderlink.services.declarations import read as declarations
from borderlink.services.risk import cutoffs, models
from borderlink.services.risk import profiles as profile_service
from borderlink.services.risk import score as service
from borderlink.services.risk._store import item_dicts, items_frame, read_item_rows, read_items
from borderlink.store.risk_tables import profile_hits, risk_models, scores
from borderlink.store.tables import audit_log, outcomes
from tests.risk import synthetic
from tests.risk.synthetic import store

SMALL = risk.ModelConfig(rounds=30, threads=1, validation_months=1)
TESTER = Principal.system("tester")


@pytest.fixture
def trained(node: Node) -> models.ModelInfo:
    history = synthetic.declarations(1500, seed=11, start=dt.date(2020, 1, 1), days=120)
    store(node.engine, history)
    return models.train(node, TESTER, config=SMALL)


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_train_records_the_model(node: Node, trained: models.ModelInfo) -> None:
    assert Path(trained.path).is_dir()
    assert trained.trained_to <= dt.date(2020, 4, 30)  # type: ignore[operator]
    with node.engine.connect() as conn:
        row = conn.execute(select(risk_models)).one()
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert row.version == trained.version
    assert row.sha256 == trained.sha256
    assert row.created_by == "tester"
    assert "risk.train" in actions
    assert models.load_model(node).version == trained.version


def test_score_batch_scores_once_with_reasons_and_version(
    node: Node, trained: models.ModelInfo
) -> None:
    new = synthetic.declarations(600, seed=12, start=dt.date(2020, 5, 4), days=2)
    store(node.engine, new, with_outcomes=False)
    profile_service.save_profile(
        node,
        TESTER,
        risk.Profile(
            name="cn",
            expression='origin == "CN"',
            weight=0.2,
            reason="from CN",
        ),
    )
    summary = service.score_batch(node, TESTER, since=dt.date(2020, 5, 1), seed=1)
    assert summary.model_version == trained.version
    assert summary.scored == 600
    assert sum(summary.channels.values()) == 600
    with node.engine.connect() as conn:
        stored = conn.execute(select(scores)).all()
    assert len(stored) == 600
    assert {s.model_version for s in stored} == {trained.version}
    flagged = [s for s in stored if s.channel != "green"]
    assert len(flagged) == summary.channels["red"] + summary.channels["yellow"] > 0
    assert all(s.reasons for s in flagged)
    again = service.score_batch(node, TESTER, since=dt.date(2020, 5, 1), seed=1)
    assert again.scored == 0
    assert count(node.engine, scores) == 600
    (view,) = profile_service.list_profiles(node, TESTER)
    assert view.hits == new.filter(pl.col("origin_country") == "CN").height
    assert view.inspected == 0
    flagged_cn = next(
        s.declaration_id
        for s in flagged
        if any(r.get("profile") == "cn" for r in (s.reasons or []))
    )
    declarations.record_outcome(node, TESTER, Outcome(declaration_id=flagged_cn, illicit=True))
    (view,) = profile_service.list_profiles(node, TESTER)
    assert (view.inspected, view.illicit, view.hit_rate) == (1, 1, 1.0)


def test_score_one_and_record_outcome(node: Node, trained: models.ModelInfo) -> None:
    new = synthetic.declarations(5, seed=13, start=dt.date(2020, 6, 1), days=1)
    store(node.engine, new, with_outcomes=False)
    declaration = new["declaration_id"][0]
    result = service.score_one(node, TESTER, declaration)
    assert result["model_version"] == trained.version
    assert result["channel"] in {"red", "yellow", "green"}
    assert (result["reasons"] is not None) == (result["channel"] != "green")
    with pytest.raises(NotFound):
        service.score_one(node, TESTER, "no-such-declaration")
    declarations.record_outcome(
        node, TESTER, Outcome(declaration_id=declaration, illicit=True, severity=2)
    )
    declarations.record_outcome(node, TESTER, Outcome(declaration_id=declaration, illicit=False))
    with node.engine.connect() as conn:
        row = conn.execute(select(outcomes).where(outcomes.c.declaration_id == declaration)).one()
    assert row.illicit is False
    assert row.source == "officer"
    # the outcome becomes training data
    labelled = read_items(node, labelled_only=True)
    assert declaration in labelled["declaration_id"].to_list()


def test_single_scores_reuse_the_cut_offs_for_a_while(
    node: Node, trained: models.ModelInfo
) -> None:
    new = synthetic.declarations(400, seed=14, start=dt.date(2020, 5, 4), days=1)
    store(node.engine, new, with_outcomes=False)
    service.score_batch(node, TESTER, since=dt.date(2020, 5, 1), seed=1)
    policy = service.capacity(node)
    red, yellow = cutoffs.thresholds(node, trained.version, policy)
    assert red > yellow
    with node.engine.begin() as conn:  # the model's recent scores all turn very low
        conn.execute(scores.update().values(risk=0.0001))
    assert cutoffs.thresholds(node, trained.version, policy) == (red, yellow)  # kept
    fresh = Node(node.settings.model_copy(update={"risk_cutoff_seconds": 0}), node.engine)
    assert cutoffs.thresholds(fresh, trained.version, policy) == (0.0001, 0.0001)


def test_profiles_are_versioned_and_disable_stops_them(node: Node) -> None:
    base = risk.Profile(name="cn", expression='origin == "CN"', weight=0.4, reason="r")
    assert profile_service.save_profile(node, TESTER, base).version == 1
    assert (
        profile_service.save_profile(node, TESTER, base).version == 1
    )  # unchanged: no new version
    edited = base.model_copy(update={"weight": 0.6})
    assert profile_service.save_profile(node, TESTER, edited).version == 2
    disabled = profile_service.disable_profile(node, TESTER, "cn")
    assert disabled.version == 3
    assert not disabled.enabled
    assert profile_service.get_profile(node, TESTER, "cn", 1).weight == 0.4
    assert [v.profile.version for v in profile_service.list_profiles(node, TESTER)] == [3]
    assert profile_service.load_active_profiles(node, dt.datetime.now(dt.UTC).date()) == []
    with pytest.raises(NotFound):
        profile_service.disable_profile(node, TESTER, "nope")
    expired = base.model_copy(
        update={"name": "old", "valid_to": dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)}
    )
    future = base.model_copy(
        update={"name": "new", "valid_from": dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)}
    )
    profile_service.save_profile(node, TESTER, expired)
    profile_service.save_profile(node, TESTER, future)
    assert profile_service.load_active_profiles(node, dt.datetime.now(dt.UTC).date()) == []
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    assert [p.name for p in profile_service.load_active_profiles(node, tomorrow)] == ["new"]


def test_profile_files_and_replay(node: Node, tmp_path: Path) -> None:
    history = synthetic.declarations(300, seed=14, start=dt.date(2020, 1, 1), days=30)
    store(node.engine, history)
    path = tmp_path / "profiles.yaml"
    path.write_text(
        "profiles:\n"
        "  - name: transit\n"
        "    expression: departure != origin\n"
        "    weight: 0.3\n"
        "    reason: shipped through a third country\n"
    )
    (profile,) = profile_service.read_profiles_file(path)
    result = profile_service.replay_profile(node, TESTER, profile)
    transit = history.filter(pl.col("departure_country") != pl.col("origin_country"))
    assert result["hits"] == transit.height
    assert result["illicit"] == transit["illicit"].sum()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nexpression: 'origin == '\nweight: 0.1\nreason: r\n")
    with pytest.raises(ExpressionError) as caught:
        profile_service.read_profiles_file(bad)
    assert caught.value.position == 10


def test_a_partners_alert_sends_matching_declarations_red_naming_the_partner(
    node: Node, trained: models.ModelInfo
) -> None:
    from borderlink.store.cooperation_tables import agreements, partner_alerts, received
    from tests.coop_samples import agreement

    new = synthetic.declarations(400, seed=13, start=dt.date(2020, 5, 4), days=2)
    store(node.engine, new, with_outcomes=False)
    importer = new["importer_id"][0]
    expected = set(new.filter(pl.col("importer_id") == importer)["declaration_id"].to_list())
    with node.engine.begin() as conn:
        conn.execute(
            partner_alerts.insert().values(
                alert_id="alert-1",
                partner_id="customs-of-atlantis",
                title="Undervalued phones",
                valid_from=dt.date(2020, 1, 1),
                valid_until=dt.date(2030, 1, 1),
                trader_ids=[importer],
                hs_codes=[],
                origins=[],
                route={},
                active=True,
                received_at=dt.datetime.now(dt.UTC),
            )
        )
        # It came under an agreement in force here: an alert counts only while one is.
        conn.execute(
            agreements.insert().values(
                agreement_id="AB-2026",
                state="in_force",
                document=agreement().as_document(),
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        conn.execute(
            received.insert().values(
                sender_id="customs-of-atlantis",
                nonce="n-1",
                record_id="alert-1",
                version="2020-01-01T00:00:00.000000Z",
                agreement_id="AB-2026",
                digest="0" * 64,
                received_at=dt.datetime.now(dt.UTC),
            )
        )
    service.score_batch(node, TESTER, since=dt.date(2020, 5, 1), seed=1)
    with node.engine.connect() as conn:
        stored = {s.declaration_id: s for s in conn.execute(select(scores)).all()}
    for declaration_id in expected:
        score = stored[declaration_id]
        assert score.channel == "red"
        first = score.reasons[0]
        assert (first["source"], first["partner"]) == ("partner_alert", "customs-of-atlantis")
    others = [s for d, s in stored.items() if d not in expected]
    assert all(r["source"] != "partner_alert" for s in others for r in (s.reasons or []))


def test_scoring_and_profiles_authorise_themselves(node: Node) -> None:
    auditor = Principal(user_id=7, username="aud", role=Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        service.score_one(node, auditor, "any")
    with pytest.raises(PermissionDenied):
        service.score_batch(node, auditor)
    with pytest.raises(PermissionDenied):
        profile_service.list_profiles(node, auditor)
    base = risk.Profile(name="cn", expression='origin == "CN"', weight=0.4, reason="r")
    analyst = Principal(user_id=8, username="ana", role=Role.RISK_ANALYST)
    assert profile_service.save_profile(node, analyst, base).owner == "ana"  # a person owns it
    kept = base.model_copy(update={"name": "file", "owner": "team-x"})
    assert profile_service.save_profile(node, TESTER, kept).owner == "team-x"  # as the file says


def test_scores_on_demand_take_the_one_row_path_and_equal_the_frame_path(
    node: Node, trained: models.ModelInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = synthetic.declarations(300, seed=15, start=dt.date(2020, 5, 4), days=1)
    store(node.engine, new, with_outcomes=False)
    service.score_batch(node, TESTER, since=dt.date(2020, 5, 1), seed=1)  # cut-offs to read
    for name, text, channel, weight in (
        ("cn", 'origin == "CN" and unit_value_per_kg < ref.median_unit_value(hs6)', None, 0.3),
        ("transit", "route.transit and importer.illicit_rate > 0.1", "yellow", 0.3),
        ("audit-later", 'origin == "DE"', "blue", 0.0),  # the blue step, on what goes green
    ):
        profile_service.save_profile(
            node,
            TESTER,
            risk.Profile(name=name, expression=text, weight=weight, channel=channel, reason=name),
        )
    ids = new["declaration_id"].to_list()
    rows = {}
    for start in range(0, len(ids), 7):  # groups as the batcher makes them
        rows.update(service.score_many(node, TESTER, ids[start : start + 7], route=False))
    monkeypatch.setattr(service, "ONE_ROW_PATH_ITEMS", 0)
    frames = service.score_many(node, TESTER, ids, route=False)
    assert rows.keys() == frames.keys() == set(ids)
    for declaration_id, expected in frames.items():
        got = rows[declaration_id]
        assert got["score"] == pytest.approx(expected["score"], rel=1e-12)
        assert got["risk"] == pytest.approx(expected["risk"], rel=1e-12)
        assert {k: v for k, v in got.items() if k not in ("score", "risk")} == {
            k: v for k, v in expected.items() if k not in ("score", "risk")
        }
    assert {r["channel"] for r in rows.values()} == {"red", "yellow", "green", "blue"}
    assert any(r["profile_hits"] for r in rows.values())


def test_items_read_as_rows_are_the_frames_rows(node: Node) -> None:
    """The one-row path reads the items as plain rows and builds no frame: the same values,
    of the same types, as the frame read for a flow."""
    new = synthetic.declarations(40, seed=16, start=dt.date(2020, 5, 4), days=2)
    store(node.engine, new)
    ids = new["declaration_id"].unique(maintain_order=True).to_list()
    rows = read_item_rows(node, ids)
    assert item_dicts(rows) == read_items(node, declaration_ids=ids).to_dicts()
    assert items_frame(rows).equals(read_items(node, declaration_ids=ids))
    got = item_dicts(rows)
    assert {type(v) for r in got for k, v in r.items() if k == "net_mass_kg"} == {float}
    assert read_item_rows(node, []) == []
    assert items_frame([]).height == 0


def test_compiled_profiles_are_kept_until_one_is_saved(node: Node) -> None:
    on = dt.date(2020, 1, 1)
    assert profile_service.compiled_active(node, on) == []
    first = risk.Profile(name="cn", expression='origin == "CN"', weight=0.4, reason="r")
    profile_service.save_profile(node, TESTER, first)
    (compiled,) = profile_service.compiled_active(node, on)
    assert profile_service.compiled_active(node, on)[0] is compiled  # not compiled again
    profile_service.save_profile(node, TESTER, first.model_copy(update={"weight": 0.5}))
    (newer,) = profile_service.compiled_active(node, on)
    assert newer.profile.weight == 0.5
    profile_service.disable_profile(node, TESTER, "cn")
    assert profile_service.compiled_active(node, on) == []


def test_the_next_score_sees_a_new_profile_version_and_a_promotion(
    node: Node, trained: models.ModelInfo
) -> None:
    """A score reads the model, profiles and the rest through one connection (one snapshot),
    and keeps what it compiled by their state: the next score sees what changed between."""
    new = synthetic.declarations(4, seed=21, start=dt.date(2020, 6, 1), days=1)
    store(node.engine, new, with_outcomes=False)
    first, second, third, fourth = new["declaration_id"].unique(maintain_order=True).to_list()
    assert service.score_one(node, TESTER, first)["profile_hits"] == []
    every = risk.Profile(name="every", expression='origin != "ZZ"', weight=0.1, reason="all")
    profile_service.save_profile(node, TESTER, every)
    assert service.score_one(node, TESTER, second)["profile_hits"] == ["every"]
    profile_service.save_profile(node, TESTER, every.model_copy(update={"channel": "red"}))
    scored = service.score_one(node, TESTER, third)
    assert (scored["channel"], scored["selection"]) == ("red", "profile")
    with node.read() as conn:
        version = conn.execute(
            select(profile_hits.c.profile_version).where(profile_hits.c.declaration_id == third)
        ).scalar_one()
    assert version == 2  # the hit names the version that fired
    newer = models.train(node, TESTER, config=risk.ModelConfig(rounds=20, threads=1))
    assert newer.version != trained.version
    assert service.score_one(node, TESTER, fourth)["model_version"] == newer.version
    models.promote_model(node, TESTER, trained.version)
    assert service.score_one(node, TESTER, first)["model_version"] == trained.version
