"""추가 결제: the merchant asks an order's buyer for more money; the buyer pays it through its link."""

import re

import sqlalchemy as sa

from storefront import extra_payments, ledger
from storefront.extensions import db
from storefront.models import Order, OrderStatus, Product

from .conftest import place


def _paid_order(app, client, admin, make_product) -> Order:
    _, token = make_product(name="케냐 AA 원두", price=12_000)
    place(client, token)
    with app.app_context():
        order_id = db.session.scalar(sa.select(Order.id))
    admin.post(f"/admin/orders/{order_id}/paid")
    with app.app_context():
        return db.session.get(Order, order_id)


def test_the_buyer_pays_an_extra_payment_and_it_shows_on_the_original_order(
    app, client, admin, bank_ready, make_product
):
    order = _paid_order(app, client, admin, make_product)
    page = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "추가 결제 요청" in page
    response = admin.post(
        f"/admin/orders/{order.id}/extra-payment",
        data={"extra-amount": "3,000", "extra-reason": "jeju_shipping", "extra-note": "제주 추가 배송비",
              "extra-phone_check": "y"},  # fmt: skip
    )
    assert response.status_code == 302 and response.location.endswith("#send-link")
    with app.app_context():
        window = db.session.scalar(sa.select(Product).where(Product.extra_for_order_id == order.id))
        assert (window.price, window.customer_name, window.phone_check, window.listed) == (3000, "김규섭", True, False)
        assert window.requires_shipping is False
        token = window.public_token
    assert "결제 대기" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    # The buyer opens the link (four digits), pays by transfer; the merchant confirms the deposit.
    buyer = app.test_client()
    gate = buyer.get(f"/products/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', gate).group(1)
    buyer.post(f"/products/{token}/unlock", data={"digits": "5678", "csrf_token": csrf})
    paid = place(buyer, token)
    assert paid.status_code == 302
    with app.app_context():
        extra = db.session.scalar(sa.select(Order).where(Order.parent_order_id == order.id))
        assert extra.total_amount == 3000 and extra.shipping_fee == 0
        extra_id = extra.id
    admin.post(f"/admin/orders/{extra_id}/paid")
    original = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert "추가 결제 3,000원" in original and "결제 완료" in original
    assert "추가 결제 포함 총 결제 금액" in original and "15,000원" in original
    with app.app_context():
        again = db.session.get(Order, order.id)
        assert again.status is OrderStatus.PAID  # its own status is unchanged
        assert extra_payments.paid_in_all(again, extra_payments.for_order(again)) == 15_000
        assert db.session.get(Product, window.id).display_status.value == "hidden"  # the window closed itself
    # Refunding the extra goes through the same path as any order.
    admin.refund(extra_id, amount="3,000", refund_bank="신한은행", refund_account="110-123-456789",
                 refund_holder="김규섭")  # fmt: skip
    with app.app_context():
        assert ledger.totals(db.session.get(Order, extra_id)).balance == 0


def test_a_bad_extra_payment_request_says_why_and_makes_nothing(app, client, admin, bank_ready, make_product):
    order = _paid_order(app, client, admin, make_product)
    form = {"extra-amount": "0", "extra-reason": "jeju_shipping"}
    response = admin.post(f"/admin/orders/{order.id}/extra-payment", data=form)
    assert response.status_code == 422 and "1원부터 10,000,000원까지 입력하세요." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(
            Product.extra_for_order_id.is_not(None))) == 0  # fmt: skip
