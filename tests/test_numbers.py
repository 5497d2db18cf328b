"""The one rule for whole numbers typed into URLs and forms."""

import pytest

from storefront.numbers import INT_MAX, MONEY_MAX, parse_id, parse_int, parse_won


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0), ("42", 42), ("007", 7), (str(INT_MAX), INT_MAX), (12, 12),
        ("²", None), ("①", None), ("١٢", None), ("１２", None), ("9" * 30, None), (str(INT_MAX + 1), None),
        ("-1", None), ("", None), (" 3", None), ("3\n", None), ("1e3", None), ("0x10", None), ("NaN", None),
        (None, None), (True, None), ("+5", None),
    ],
)  # fmt: skip
def test_only_ascii_digits_within_the_column_range_are_numbers(text, expected):
    assert parse_int(text) == expected


def test_ids_start_at_one_and_bounds_are_the_callers():
    assert parse_id("0") is None and parse_id("1") == 1
    assert parse_int("-5", minimum=-10) == -5
    assert parse_int("11", maximum=10) is None


def test_money_is_64_bit_not_32():
    assert parse_won(str(INT_MAX + 1)) == INT_MAX + 1 and parse_won(str(MONEY_MAX)) == MONEY_MAX
    assert parse_won(str(MONEY_MAX + 1)) is None and parse_won("-1") is None and parse_won("1,000") is None
