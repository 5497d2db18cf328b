"""비회원 주문조회: the order page for the right pair, one answer for every wrong one, and limits."""

import re

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order

from .conftest import csrf_from, place


@pytest.fixture
def order_no(app, client, bank_ready, make_product):
    _, token = make_product(name="케냐 AA 원두", price=24000)
    location = place(client, token).headers["Location"]
    return re.match(r"/orders/([^?]+)", location).group(1)


def lookup(client, order_no, phone, address="203.0.113.7"):
    environ = {"REMOTE_ADDR": address}
    html = client.get("/orders/lookup", environ_base=environ).get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), "order_no": order_no, "phone": phone}
    return client.post("/orders/lookup", data=data, environ_base=environ)


def test_buyer_finds_the_order_with_its_number_and_phone(app, order_no):
    buyer = app.test_client()  # another browser: no token from the checkout
    assert buyer.get(f"/orders/{order_no}").status_code == 404
    response = lookup(buyer, f" {order_no.lower()} ", "010-1234-5678")
    assert response.status_code == 302 and response.headers["Location"] == f"/orders/{order_no}"
    page = buyer.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "케냐 AA 원두" in html and "24,000원" in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert app.test_client().get(f"/orders/{order_no}").status_code == 404  # only that browser


def test_unknown_order_and_wrong_phone_get_the_same_answer(app, order_no):
    wrong_phone = lookup(app.test_client(), order_no, "010-9999-9999")
    unknown = lookup(app.test_client(), "000000-AAAAAAAA", "010-1234-5678")
    assert wrong_phone.status_code == unknown.status_code == 404

    def without_inputs(response):
        """The page with what the buyer typed (and the CSRF token) taken out of the inputs."""
        return re.sub(r' value="[^"]*"', "", response.get_data(as_text=True))

    assert without_inputs(wrong_phone) == without_inputs(unknown)
    assert "주문번호와 휴대폰 번호가 일치하는 주문이 없습니다." in wrong_phone.get_data(as_text=True)


def test_missing_fields_are_asked_for(app):
    response = lookup(app.test_client(), "", "12")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "주문번호를 입력하세요." in html and "010-1234-5678 형식의 휴대폰 번호를 입력하세요." in html


def test_tries_are_limited_per_address(app, order_no):
    app.config["GUEST_LOOKUP_LIMIT_PER_ADDRESS"] = 3
    client = app.test_client()
    for i in range(3):
        assert lookup(client, f"000000-AAAAAAA{i + 2}", "010-1234-5678").status_code == 404
    refused = lookup(client, order_no, "010-1234-5678")  # even the right pair, from this address
    assert refused.status_code == 429 and "15분 뒤에 다시 시도하세요" in refused.get_data(as_text=True)
    assert lookup(app.test_client(), order_no, "010-1234-5678", address="198.51.100.1").status_code == 302


def test_tries_are_limited_per_order_number_across_addresses(app, order_no):
    app.config["GUEST_LOOKUP_LIMIT_PER_ORDER"] = 3
    for i in range(3):
        assert lookup(app.test_client(), order_no, f"010-0000-000{i}", address=f"198.51.100.{i}").status_code == 404
    assert lookup(app.test_client(), order_no, "010-1234-5678", address="192.0.2.50").status_code == 429
    # An order nobody guessed at is still found from the same new address.
    assert lookup(app.test_client(), "000000-AAAAAAAA", "010-1234-5678", address="192.0.2.50").status_code == 404


def test_failed_tries_are_kept_in_the_database(app, order_no):
    lookup(app.test_client(), order_no, "010-0000-0000")
    with app.app_context():
        from storefront.models import LookupAttempt

        attempt = db.session.scalar(sa.select(LookupAttempt))
        assert attempt.order_no == order_no and attempt.address == "203.0.113.7"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
