"""Names made comparable: scripts, legal forms, person-name order, titles, initials."""

from __future__ import annotations

import pytest

from borderlink.screening import normalise, similarity


@pytest.mark.parametrize(
    ("raw", "schema", "core", "forms"),
    [
        ("ANGLO-CARIBBEAN CO., LTD.", None, ("anglo", "caribbean"), ("co ltd",)),
        ("Grupo Bimbo, S.A. de C.V.", None, ("grupo", "bimbo"), ("sa de cv",)),
        (
            "\u041e\u041e\u041e \u00ab\u0420\u043e\u043c\u0430\u0448\u043a\u0430\u00bb",
            None,
            ("romashka",),
            ("ooo",),
        ),
        ("M\u00fcller GmbH", None, ("muller",), ("gmbh",)),
        ("Acme Limited Liability Company", "Company", ("acme",), ("llc",)),
        ("ABBAS, Abu", "Person", ("abu", "abbas"), ()),
        ("AL ZAWAHIRI, Dr. Ayman", None, ("ayman", "al", "zawahiri"), ()),
        ("J. R. Smith", "Person", ("j", "r", "smith"), ()),
        ("AS", None, ("as",), ()),
    ],
)
def test_normalise(
    raw: str, schema: str | None, core: tuple[str, ...], forms: tuple[str, ...]
) -> None:
    name = normalise(raw, schema)
    assert name.core == core
    assert name.forms == forms


def test_steps_say_what_was_done() -> None:
    assert normalise("ABBAS, Abu", "Person").steps == ("surname_first",)
    assert "transliterated" in normalise("\u0410\u0431\u0443 \u0410\u0431\u0431\u0430\u0441").steps
    assert normalise("Acme Ltd").steps == ("company_form",)


@pytest.mark.parametrize(
    ("a", "b", "method"),
    [
        ("AL ZAWAHIRI, Dr. Ayman", "Ayman al-Zawahiri", "exact"),
        ("Osama bin Laden", "Usama bin Ladin", "token_sort"),
        ("J. R. Smith", "SMITH, John Robert", "initials"),
        ("BANCO NACIONAL DE CUBA", "BNC", "acronym"),
        ("Al Rahman Trading", "Alrahman Trading", "joined"),
        ("\u0410\u0431\u0443 \u0410\u0431\u0431\u0430\u0441", "ABBAS, Abu", "exact"),
    ],
)
def test_variants_match(a: str, b: str, method: str) -> None:
    found = similarity(normalise(a), normalise(b))
    assert found.score >= 0.86
    assert found.method == method


@pytest.mark.parametrize(
    ("a", "b"),
    [("Abu Abbas", "Abu Hassan"), ("CIMEX", "CIMEX IBERICA"), ("John Smith", "Jane Smythe")],
)
def test_different_names_do_not(a: str, b: str) -> None:
    assert similarity(normalise(a), normalise(b)).score < 0.86


def test_a_different_legal_form_costs_a_little() -> None:
    found = similarity(normalise("Acme Ltd"), normalise("ACME GmbH"))
    assert 0.9 < found.score < 1.0
    assert found.method == "exact+form_differs"
