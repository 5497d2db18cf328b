"""표시 제한: one masking rule for names, phones and addresses, on every list that shows buyers."""

import pytest

from storefront import masking


@pytest.mark.parametrize(
    ("full", "shown"),
    [
        ("김철", "김*"),  # two letters: only the family name
        ("김민섭", "김*섭"),
        ("남궁민수", "남**수"),  # a two-letter family name is not given away either
        ("선우 용녀", "선* *녀"),
        ("John Smith", "J*** ****h"),  # a Latin name keeps its shape, not its letters
        ("Kim", "K*m"),
        ("이", "*"),
        ("", ""),
        ("  박지성  ", "박*성"),
    ],
)
def test_names_keep_only_their_first_and_last_letters(full, shown):
    assert masking.name(full) == shown


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        ("01012345678", "010-****-5678"),
        ("0101235678", "010-***-5678"),
        ("0212345678", "02-****-5678"),
        ("05051234567", "0505-***-4567"),
        ("12345", "*2345"),
        ("", ""),
    ],
)
def test_phones_hide_their_middle_group(digits, shown):
    assert masking.phone(digits) == shown


@pytest.mark.parametrize(
    ("full", "shown"),
    [
        ("서울특별시 강남구 테헤란로 123", "서울특별시 강남구 테헤란로 ***"),
        ("서울 강남구 봉은사로68길 12-3 (역삼동)", "서울 강남구 봉은사로68길 ***"),
        ("제주특별자치도 제주시 첨단로 242", "제주특별자치도 제주시 첨단로 ***"),
        ("경기도 양평군 양평읍 양근리 123-4", "경기도 양평군 양평읍 양근리 ***"),  # a lot-number address: up to 리
        ("서울특별시 중구 을지로3가 5", "서울특별시 중구 을지로3가 ***"),
        ("123 Main Street", "123 Main ***"),
        ("테헤란로", "테헤란로"),
        ("", ""),
    ],
)
def test_addresses_stop_at_the_road_name(full, shown):
    assert masking.address(full) == shown


def test_bank_accounts_keep_their_last_four_digits():
    assert masking.account("110-123-456789") == "********6789"
