"""Human labels for the codes a declaration carries, for pages and explanations.

Transport modes are UN/ECE Recommendation 19's; procedures are the requested and previous
procedure pairs of the WCO/EU customs procedure codes (the first two digits say what is asked
for). A code without a label is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

TRANSPORT_MODES: Mapping[str, str] = MappingProxyType(
    {
        "0": "not stated",
        "1": "sea",
        "2": "rail",
        "3": "road",
        "4": "air",
        "5": "post",
        "6": "multimodal",
        "7": "fixed installation (pipeline, cable)",
        "8": "inland waterway",
        "9": "other (own propulsion)",
    }
)

# by the requested procedure (first two digits of the code)
PROCEDURES: Mapping[str, str] = MappingProxyType(
    {
        "10": "permanent export",
        "21": "outward processing (export)",
        "23": "temporary export",
        "31": "re-export",
        "40": "release for free circulation and home use",
        "42": "release for free circulation, VAT-exempt onward supply",
        "51": "inward processing",
        "53": "temporary admission",
        "61": "re-import",
        "71": "customs warehousing",
        "78": "free zone",
    }
)
PREVIOUS: Mapping[str, str] = MappingProxyType(
    {"00": "", "71": "from a customs warehouse", "51": "after inward processing"}
)


def transport_mode(code: str | None) -> str:
    """ "1" → "sea"; an unknown code as it is; none as "not stated"."""
    if not code:
        return "not stated"
    return TRANSPORT_MODES.get(code.strip(), code)


def _same(text: str) -> str:
    return text


def procedure(code: str | None, translate: Callable[[str], str] = _same) -> str:
    """ "4000" → "release for free circulation and home use (4000)"; "4071" adds "from a
    customs warehouse"; an unknown code as it is. ``translate``: a page's gettext, applied to
    the words (each label is a message of the pages' catalogue), never to the code."""
    if not code:
        return translate("not stated")
    code = code.strip()
    asked = PROCEDURES.get(code[:2])
    if asked is None:
        return code
    before = PREVIOUS.get(code[2:4], "")
    words = translate(asked) + (" " + translate(before) if before else "")
    return f"{words} ({code})"
