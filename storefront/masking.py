"""표시 제한: how lists, logs and messages show a buyer's details without showing them whole.

One rule per kind of value, used on every screen: different masks on different screens could be
put together to reveal the whole value. The order's own page shows the full details (and records
that it did, see storefront.access_log).
"""

import re

from .text import format_phone

_ROAD = re.compile(r".+(로|길)$")  # a road name (도로명): 테헤란로, 세종대로, 봉은사로68길
_LOCALITY = re.compile(r".+(동|리|가|읍|면)$")  # the last part of a lot-number (지번) address
HIDDEN = "***"


def name(value: str | None) -> str:
    """김*섭, 김*, 남**수, J*** ****h: the first and the last letter, every other letter a star.

    A name of two letters keeps only the first; spaces stay, so a Latin name keeps its shape.
    """
    text = (value or "").strip()
    letters = [i for i, ch in enumerate(text) if not ch.isspace()]
    if len(letters) <= 1:
        return "*" if letters else ""
    kept = {letters[0]} if len(letters) == 2 else {letters[0], letters[-1]}
    return "".join(ch if i in kept or ch.isspace() else "*" for i, ch in enumerate(text))


def phone(digits: str | None) -> str:
    """010-****-5678: the middle group hidden; an unusual number keeps only its last four digits."""
    shown = format_phone(digits)
    parts = shown.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    return "*" * max(len(shown) - 4, 0) + shown[-4:]


def address(value: str | None) -> str:
    """서울특별시 강남구 테헤란로 ***: up to the road name (or the 동/리 of a lot-number address).

    The building number and 상세주소 are never shown; an address with neither keeps its first two words.
    """
    words = (value or "").split()
    if not words:
        return ""
    end = next((i for i, word in enumerate(words) if _ROAD.fullmatch(word)), None)
    if end is None:
        end = next((i for i in reversed(range(len(words))) if _LOCALITY.fullmatch(words[i])), None)
    if end is None:
        end = min(len(words), 2) - 1
    kept = words[: end + 1]
    return " ".join(kept + [HIDDEN]) if len(kept) < len(words) else " ".join(kept)


def account(number: str | None) -> str:
    """A bank account number with only its last four digits: ********5678."""
    digits = re.sub(r"\D", "", number or "")
    return "*" * max(len(digits) - 4, 0) + digits[-4:]
