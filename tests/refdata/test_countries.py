import pytest

from borderlink.errors import NotFound
from borderlink.refdata import country, currency


@pytest.mark.parametrize("code", ["KR", "kr", "KOR", "410", " kor "])
def test_finds_a_country_by_any_of_its_codes(code: str) -> None:
    found = country(code)
    assert (found.alpha_2, found.alpha_3, found.numeric) == ("KR", "KOR", "410")
    assert found.name == "Korea, Republic of"


@pytest.mark.parametrize("code", ["XX", "ZZZ", "999", "", "KORE"])
def test_an_unknown_country_is_not_found(code: str) -> None:
    with pytest.raises(NotFound) as caught:
        country(code)
    assert caught.value.field == "country"


def test_finds_a_currency() -> None:
    assert currency("krw").name == "Won"
    assert currency("978").alpha_3 == "EUR"
    with pytest.raises(NotFound):
        currency("XYZ")
