"""Cleaning what people type before it reaches the database."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\n\u2028\u2029]")


def clean_line(value: str | None) -> str:
    """One line: control characters (PostgreSQL refuses NUL) and line breaks removed, trimmed."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value or "")).strip()


def clean_text(value: str | None) -> str:
    """Several lines: control characters removed, line breaks normalised to \\n, trimmed."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", value or "")).strip()


def phone_digits(value: str | None) -> str:
    """The digits of a phone number as typed ("010-1234-5678", "010 1234 5678", "+82 10-…")."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("82") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def is_mobile_number(digits: str) -> bool:
    """A Korean mobile number: 010 (or the older 011/016/017/018/019) and 7–8 more digits."""
    return re.fullmatch(r"01[016789]\d{7,8}", digits) is not None


def is_phone_number(digits: str) -> bool:
    """Any Korean number a parcel driver can call: mobile, Seoul 02, area codes, 050x/070."""
    return re.fullmatch(r"0\d{8,10}", digits) is not None


def format_phone(digits: str | None) -> str:
    """Stored digits as Koreans write them: 010-1234-5678, 02-123-4567, 031-123-4567, 0505-123-4567.

    Numbers are stored as digits (:func:`phone_digits`) and shown through this function;
    ``formatPhone`` in static/js/checkout.js mirrors it while the buyer types.
    """
    d = digits or ""
    if not d.isdigit():
        return d
    if d.startswith("1") and len(d) == 8:  # 1588-1234
        return f"{d[:4]}-{d[4:]}"
    area = 2 if d.startswith("02") else 4 if d.startswith("050") else 3
    rest = d[area:]
    if len(rest) not in (7, 8):
        return d
    return f"{d[:area]}-{rest[:-4]}-{rest[-4:]}"


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE with ``\\`` as escape, so % and _ typed by a person match themselves."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
