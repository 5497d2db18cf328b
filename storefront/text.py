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
