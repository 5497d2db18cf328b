"""Whole numbers read from URLs and forms: one rule for every place that reads one.

Only ASCII digits count: ``str.isdigit()`` also says yes to "²", "①" and "٣",
which ``int()`` then refuses or reads as something nobody typed. A number must
also fit the column it is meant for, so a 30-digit id or page number is refused
here instead of overflowing in the database.
"""

import re

# INTEGER columns (ids, quantities) on PostgreSQL and the ids SQLite hands out.
INT_MAX = 2**31 - 1
# Money in won is BIGINT everywhere (prices, totals, the ledger).
MONEY_MAX = 2**63 - 1

_INTEGER = re.compile(r"-?[0-9]{1,19}")


def parse_int(value: str | int | None, minimum: int = 0, maximum: int = INT_MAX) -> int | None:
    """``value`` as an int when it is written in ASCII digits and lies in [minimum, maximum], else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_won(value: str | int | None) -> int | None:
    """An amount of money in whole won (0 or more, up to BIGINT), or None."""
    return parse_int(value, maximum=MONEY_MAX)


def parse_id(value: str | int | None) -> int | None:
    """A database id (1 or more), or None."""
    return parse_int(value, minimum=1)
