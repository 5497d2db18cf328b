"""주문자 정보와 동일 without JavaScript, phone numbers in one stored form, 주소 검색 allowed on the checkout alone,
and the account number ready to copy on the order page."""

import re

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order
from storefront.security import POSTCODE_SCRIPT
from storefront.settings import split_bank_line
from storefront.text import format_phone

from .conftest import place


def the_order(app) -> Order:
    with app.app_context():
        order = db.session.scalars(sa.select(Order)).one()
        db.session.expunge(order)
        return order


@pytest.mark.parametrize(
    "digits, shown",
    [
        ("01012345678", "010-1234-5678"),
        ("0111234567", "011-123-4567"),
        ("021234567", "02-123-4567"),
        ("0212345678", "02-1234-5678"),
        ("0311234567", "031-123-4567"),
        ("03112345678", "031-1234-5678"),
        ("07012345678", "070-1234-5678"),
        ("05051234567", "0505-123-4567"),
        ("15881234", "1588-1234"),
        ("010123", "010123"),  # not a whole number: left as it is
        ("", ""),
    ],
)
def test_phone_numbers_are_shown_as_koreans_write_them(digits, shown):
    assert format_phone(digits) == shown


@pytest.mark.parametrize("typed", ["010-1234-5678", "010 1234 5678", "01012345678", "+82 10-1234-5678"])
def test_a_phone_number_typed_any_way_is_stored_one_way(app, client, bank_ready, make_product, typed):
    _, token = make_product()
    assert place(client, token, buyer_phone=typed, recipient_phone=typed).status_code == 302
    order = the_order(app)
    assert (order.buyer_phone, order.recipient_phone) == ("01012345678", "01012345678")


def test_refused_form_shows_a_valid_number_with_hyphens_and_a_wrong_one_as_typed(client, bank_ready, make_product):
    _, token = make_product()
    html = place(client, token, buyer_phone="01012345678", recipient_phone="02-12", agree=None).get_data(as_text=True)
    assert re.search(r'name="buyer_phone"[^>]*value="010-1234-5678"', html)
    assert re.search(r'name="recipient_phone"[^>]*value="02-12"', html)


def test_same_as_buyer_fills_the_recipient_without_javascript(app, client, bank_ready, make_product):
    _, token = make_product()
    response = place(client, token, same_as_buyer="y", recipient_name="", recipient_phone="")
    assert response.status_code == 302
    order = the_order(app)
    assert (order.recipient_name, order.recipient_phone) == ("김규섭", "01012345678")


def test_same_as_buyer_wins_over_a_recipient_typed_before_ticking_it(app, client, bank_ready, make_product):
    _, token = make_product()
    place(client, token, same_as_buyer="y", recipient_name="다른 사람", recipient_phone="02-123-4567")
    order = the_order(app)
    assert (order.recipient_name, order.recipient_phone) == ("김규섭", "01012345678")


def test_unticked_same_as_buyer_keeps_the_recipient_typed(app, client, bank_ready, make_product):
    _, token = make_product()
    place(client, token, recipient_name="박지은", recipient_phone="02-123-4567")
    order = the_order(app)
    assert (order.recipient_name, order.recipient_phone) == ("박지은", "021234567")


def test_only_the_checkout_with_an_address_may_load_the_postcode_service(client, bank_ready, make_product):
    _, shipped = make_product()
    _, digital = make_product(requires_shipping=False)
    checkout = client.get(f"/products/{shipped}/buy")
    policy = checkout.headers["Content-Security-Policy"]
    assert POSTCODE_SCRIPT in checkout.get_data(as_text=True)
    assert "https://t1.kakaocdn.net" in re.search(r"script-src [^;]*", policy).group()
    assert "https://postcode.map.kakao.com" in re.search(r"frame-src [^;]*", policy).group()
    for page in (client.get(f"/products/{digital}/buy"), client.get(f"/products/{shipped}"), client.get("/")):
        assert "kakaocdn" not in page.headers["Content-Security-Policy"]
        assert POSTCODE_SCRIPT not in page.get_data(as_text=True)


def test_order_page_offers_the_account_number_and_amount_to_copy(client, bank_ready, make_product):
    _, token = make_product(price=128000)
    html = client.get(place(client, token).headers["Location"]).get_data(as_text=True)
    assert '<span class="account-number" id="account-number">123456-01-234567</span>' in html
    assert 'data-copy="12345601234567"' in html and "계좌번호 복사" in html
    assert 'data-copy="128000"' in html and "금액 복사" in html


@pytest.mark.parametrize(
    "line, account",
    [
        ("국민은행 123456-01-234567 (규섭커피)", "123456-01-234567"),
        ("SC제일은행 110 123 456789 (커피2호점)", "110 123 456789"),
        ("", ""),
    ],
)
def test_the_account_number_is_found_in_the_bank_line(line, account):
    parts = split_bank_line(line)
    assert parts.account == account
    assert "".join(parts) == line
