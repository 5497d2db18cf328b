"""주문 관리 on a phone: the next step on each order's card, status chips with counts, and 배송 시작 checked
against the carrier's 송장번호 format (the rule tables), with the last carrier remembered."""

import re

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.lifecycle import CARRIERS, tracking_number, tracking_problem
from storefront.models import Order, OrderStatus

from .conftest import place


@pytest.mark.parametrize(
    "carrier, typed, accepted",
    [
        ("cj", "601234567890", True),  # 12 digits
        ("cj", "6012-3456-7890", True),  # as printed on the waybill
        ("cj", "6012 3456 7890", True),
        ("cj", "1234567890", True),  # the older 10 digits
        ("cj", "12345678901", False),
        ("cj", "1234", False),
        ("cj", "60123456789A", False),
        ("cj", "６０１２３４５６７８９０", False),  # full-width digits are not the carrier's
        ("epost", "1234567890123", True),
        ("epost", "123456789012", False),
        ("hanjin", "123456789012", True),
        ("hanjin", "1234567890123", False),
        ("lotte", "1234567890123", True),
        ("lotte", "12345678901", False),
        ("logen", "12345678901", True),
        ("logen", "123456789012", False),
        ("nope", "601234567890", False),
    ],
)
def test_tracking_number_rule(carrier, typed, accepted):
    assert (tracking_problem(carrier, tracking_number(typed)) is None) is accepted


def test_the_message_names_the_carrier_and_its_lengths(app):
    with app.test_request_context():
        assert tracking_problem("cj", "1234") == "CJ대한통운 송장번호는 숫자 10·12자리입니다."
        assert tracking_problem("epost", "1") == "우체국택배 송장번호는 숫자 13자리입니다."
    assert set(CARRIERS) == {"cj", "epost", "hanjin", "lotte", "logen"}


@pytest.fixture
def three_orders(app, bank_ready, make_product):
    """Three transfer orders waiting for their deposits."""
    _, token = make_product(name="케냐 AA 원두", price=18000, stock_managed=True, stock_quantity=10)
    buyer = app.test_client()
    for _ in range(3):
        place(buyer, token)
    with app.app_context():
        return [(o.id, o.order_no) for o in db.session.scalars(sa.select(Order).order_by(Order.id))]


def card_of(html: str, order_no: str) -> str:
    return re.search(rf'<tr class="order-card">(?:(?!</tr>).)*{order_no}(?:(?!</tr>).)*</tr>', html, re.S).group(0)


def chip(html: str, label: str) -> int:
    return int(re.search(rf'{label} <span class="chip-count">(\d+)</span>', html).group(1))


def test_cards_offer_the_next_step_and_come_back_to_the_list(app, client, admin, three_orders):
    (first_id, first_no), (second_id, second_no), (third_id, third_no) = three_orders
    html = client.get("/admin/orders?status=awaiting_deposit").get_data(as_text=True)
    assert chip(html, "입금 대기") == 3 and chip(html, "배송할 주문") == 0 and chip(html, "전체") == 3
    assert "입금 확인" in card_of(html, first_no)
    assert "님의 18,000원이 상점 계좌에 입금되었나요?" in card_of(html, first_no)

    response = admin.post(f"/admin/orders/{first_id}/paid", data={"next": "/admin/orders?status=awaiting_deposit"})
    assert response.headers["Location"] == "/admin/orders?status=awaiting_deposit"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "입금을 확인했습니다." in html and first_no not in html
    assert chip(html, "입금 대기") == 2 and chip(html, "배송할 주문") == 1

    # 배송할 주문: the paid order, with 배송 시작 on its card; a wrong number goes to the order page saying why.
    html = client.get("/admin/orders?status=to_ship").get_data(as_text=True)
    assert first_no in html and second_no not in html
    assert 'inputmode="numeric"' in card_of(html, first_no) and "바코드 스캔" in card_of(html, first_no)
    refused = admin.post(
        f"/admin/orders/{first_id}/ship",
        data={"carrier": "epost", "tracking_no": "601234567890", "next": "/admin/orders"},
    )
    assert refused.status_code == 422
    assert "우체국택배 송장번호는 숫자 13자리입니다." in refused.get_data(as_text=True)
    shipped = admin.post(
        f"/admin/orders/{first_id}/ship",
        data={"carrier": "lotte", "tracking_no": "6012-3456-78901", "next": "/admin/orders?status=to_ship"},
    )
    assert shipped.headers["Location"] == "/admin/orders?status=to_ship"
    with app.app_context():
        order = db.session.get(Order, first_id)
        assert (order.status, order.carrier, order.tracking_no) == (OrderStatus.SHIPPED, "lotte", "6012345678901")

    # The next shipment comes with 롯데택배 chosen, on the list and on the order page.
    admin.post(f"/admin/orders/{second_id}/paid")
    html = client.get("/admin/orders?status=to_ship").get_data(as_text=True)
    assert '<option selected value="lotte">' in card_of(html, second_no)
    assert '<option selected value="lotte">' in client.get(f"/admin/orders/{second_id}").get_data(as_text=True)
    # A shipped order's card offers 배송 완료 처리; a cancelled one offers nothing.
    html = client.get("/admin/orders").get_data(as_text=True)
    assert "배송 완료 처리" in card_of(html, first_no)
    admin.post(f"/admin/orders/{third_id}/cancel")
    card = card_of(client.get("/admin/orders").get_data(as_text=True), third_no)
    assert "next-cell is-empty" in card and "<form" not in card


def test_next_goes_nowhere_but_this_site(client, admin, three_orders):
    order_id = three_orders[0][0]
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]:
        response = admin.post(f"/admin/orders/{order_id}/paid", data={"next": target})
        assert response.headers["Location"] == f"/admin/orders/{order_id}", target
        admin.post(f"/admin/orders/{order_id}/cancel")  # nothing more to confirm after the first


def test_card_forms_need_the_csrf_token(client, admin, three_orders):
    order_id = three_orders[0][0]
    response = client.post(f"/admin/orders/{order_id}/paid", data={"next": "/admin/orders"})
    assert response.status_code == 400
    response = client.post(f"/admin/orders/{order_id}/ship", data={"carrier": "cj", "tracking_no": "601234567890"})
    assert response.status_code == 400


def test_bulk_shipping_checks_each_line_against_the_carrier(app, client, admin, three_orders):
    (first_id, first_no), (second_id, second_no), _ = three_orders
    admin.post(f"/admin/orders/{first_id}/paid")
    admin.post(f"/admin/orders/{second_id}/paid")
    lines = f"{first_no} 6012-3456-7890\n{second_no} 1234"
    response = admin.post("/admin/orders/ship", data={"carrier": "cj", "lines": lines})
    assert response.status_code == 422
    assert "2" in response.get_data(
        as_text=True
    ) and "CJ대한통운 송장번호는 숫자 10·12자리입니다." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Order, first_id).status is OrderStatus.PAID  # nothing shipped from a file with a mistake
