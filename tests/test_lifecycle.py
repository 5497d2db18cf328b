"""The order lifecycle: its rule table, "can be sold now", and the money defects scattered rules let in."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from storefront import ledger, lifecycle, links
from storefront.extensions import db
from storefront.lifecycle import Action
from storefront.models import (
    DisplayStatus,
    Order,
    OrderItem,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    PaymentRecord,
    Product,
    utcnow,
)

from .builders import SEED_FORM, success_url, webhook
from .conftest import place

S = OrderStatus
BANK, CARD = PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD

# -- the rule table: every (status, merchant action) pair ------------------------------------

# What the merchant may do, per status, for a bank-transfer order that ships and has money left.
EXPECTED = {
    S.AWAITING_DEPOSIT: {Action.CONFIRM_DEPOSIT, Action.EXTEND_DEADLINE, Action.CANCEL},
    S.AWAITING_PAYMENT: {Action.CANCEL},  # card orders are here; see the card cases below
    S.CONFIRMING: set(),
    S.PAID: {Action.PREPARE, Action.SHIP, Action.REFUND},
    S.PREPARING: {Action.SHIP, Action.REFUND},
    S.SHIPPED: {Action.DELIVER, Action.REFUND},
    S.DELIVERED: {Action.CONFIRM_PURCHASE, Action.REFUND},
    S.PURCHASE_CONFIRMED: {Action.REFUND},
    S.CANCELLED: {Action.REFUND},  # money on the ledger (a late deposit): refund; none: 입금 확인 (below)
    S.REFUNDED: set(),
    S.PARTIALLY_REFUNDED: {Action.SHIP, Action.REFUND},  # a partial refund before shipping still ships
}
MERCHANT_ACTIONS = [action for action, step in lifecycle.STEPS.items() if step.merchant]


def order_in(status, method=BANK, ships=True, shipped=False):
    order = Order(status=status, payment_method=method, requires_shipping=ships, total_amount=10000)
    order.shipped_at = utcnow() if shipped or status in (S.SHIPPED, S.DELIVERED) else None
    return order


def totals(paid=10000, refunded=0):
    return lambda: ledger.Totals(paid, refunded)


@pytest.mark.parametrize("action", MERCHANT_ACTIONS)
@pytest.mark.parametrize("status", list(OrderStatus))
def test_rule_table_for_a_paid_bank_order_that_ships(status, action):
    assert lifecycle.allows(order_in(status), action, totals()) is (action in EXPECTED[status])


def test_a_partially_refunded_order_that_shipped_can_be_delivered_not_shipped_again():
    order = order_in(S.PARTIALLY_REFUNDED, shipped=True)
    assert lifecycle.allows(order, Action.DELIVER, totals(10000, 3000))
    assert not lifecycle.allows(order, Action.SHIP, totals(10000, 3000))


@pytest.mark.parametrize(
    ("status", "method", "ships", "paid", "refunded", "action", "allowed"),
    [
        (S.AWAITING_PAYMENT, CARD, True, 0, 0, Action.CANCEL, True),
        (S.AWAITING_PAYMENT, CARD, True, 0, 0, Action.CONFIRM_DEPOSIT, False),  # cards are confirmed by the gateway
        (S.AWAITING_DEPOSIT, CARD, True, 0, 0, Action.EXTEND_DEADLINE, False),
        (S.CANCELLED, BANK, True, 0, 0, Action.CONFIRM_DEPOSIT, True),  # a late deposit
        (S.CANCELLED, BANK, True, 10000, 0, Action.CONFIRM_DEPOSIT, False),  # its deposit is already recorded
        (S.CANCELLED, CARD, True, 0, 0, Action.CONFIRM_DEPOSIT, False),
        (S.CANCELLED, BANK, True, 0, 0, Action.REFUND, False),  # nothing to give back
        (S.PAID, BANK, True, 10000, 10000, Action.REFUND, False),
        (S.PARTIALLY_REFUNDED, CARD, True, 10000, 4000, Action.REFUND, True),
        (S.PAID, BANK, False, 10000, 0, Action.SHIP, False),  # products that do not ship skip shipping
        (S.PAID, BANK, False, 10000, 0, Action.PREPARE, False),
        (S.PAID, BANK, False, 10000, 0, Action.CONFIRM_PURCHASE, True),
        (S.PAID, BANK, True, 10000, 0, Action.CONFIRM_PURCHASE, False),
        (S.PAID, CARD, True, 10000, 0, Action.DEPOSIT_REVERSED, True),  # a 가상계좌 deposit taken back
        (S.PREPARING, CARD, True, 10000, 0, Action.DEPOSIT_REVERSED, True),
        (S.SHIPPED, CARD, True, 10000, 0, Action.DEPOSIT_REVERSED, False),  # sent: flagged, not moved
        (S.PAID, BANK, True, 10000, 0, Action.DEPOSIT_REVERSED, False),  # transfers are the merchant's word
    ],
)
def test_rule_table_by_method_shipping_and_balance(status, method, ships, paid, refunded, action, allowed):
    assert lifecycle.allows(order_in(status, method, ships), action, totals(paid, refunded)) is allowed


# -- "can be sold now": one rule, in Python and in SQL -----------------------------------------

NOW = utcnow()


@pytest.mark.parametrize("displayed", [True, False])
@pytest.mark.parametrize("ended", [True, False])
@pytest.mark.parametrize("at_limit", [True, False])
@pytest.mark.parametrize("stock", [None, 0, 1])  # None: 재고관리 off
@pytest.mark.parametrize("device", [None, "desktop", "mobile"])
def test_sellable_truth_table_in_python(displayed, ended, at_limit, stock, device):
    product = Product(
        display_status=DisplayStatus.DISPLAYED if displayed else DisplayStatus.HIDDEN,
        sale_ends_at=NOW - timedelta(minutes=1) if ended else NOW + timedelta(days=1),
        purchase_limit=1,
        order_count=1 if at_limit else 0,
        stock_managed=stock is not None,
        stock_quantity=stock or 0,
        show_on_desktop=True,
        show_on_mobile=False,
    )
    expected = displayed and not ended and not at_limit and stock != 0 and device != "mobile"
    assert product.sellable(NOW, device) is expected


def test_sellable_in_sql_agrees_with_python(app, make_product):
    cases = []
    for displayed in (True, False):
        for ended in (True, False):
            for at_limit in (True, False):
                for stock in (None, 0, 1):
                    cases.append((displayed, ended, at_limit, stock))
    with app.app_context():
        for displayed, ended, at_limit, stock in cases:
            db.session.add(
                Product(
                    name=repr((displayed, ended, at_limit, stock)),
                    price=1000,
                    display_status=DisplayStatus.DISPLAYED if displayed else DisplayStatus.HIDDEN,
                    sale_ends_at=NOW - timedelta(minutes=1) if ended else None,
                    purchase_limit=2,
                    order_count=2 if at_limit else 1,
                    stock_managed=stock is not None,
                    stock_quantity=stock or 0,
                    show_on_mobile=False,
                )
            )
        db.session.commit()
        for device in (None, "desktop", "mobile"):
            in_sql = set(db.session.scalars(sa.select(Product.id).where(Product.sellable(NOW, device))))
            in_python = {p.id for p in db.session.scalars(sa.select(Product)) if p.sellable(NOW, device)}
            assert in_sql == in_python
            assert len(in_python) == (0 if device == "mobile" else 2)  # displayed, open, under the limit, not 0 stock


# -- helpers -------------------------------------------------------------------------------------


def order_no_from(response) -> str:
    return re.match(r"/orders/([^?]+)\?", response.headers["Location"]).group(1)


def load(app, order_no) -> Order:
    with app.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.order_no == order_no))
        order.items  # noqa: B018 (load before detaching)
        db.session.expunge_all()
        return order


def order_id(app, order_no) -> int:
    return load(app, order_no).id


def stock_of(app, product_id) -> int:
    with app.app_context():
        return db.session.get(Product, product_id).stock_quantity


def money(app, order_no) -> ledger.Totals:
    with app.app_context():
        return ledger.totals(db.session.scalar(sa.select(Order).where(Order.order_no == order_no)))


def expire(app, order_no):
    with app.app_context():
        db.session.execute(
            sa.update(Order).where(Order.order_no == order_no).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


@pytest.fixture
def bank_order(app, bank_ready, make_product):
    """A buyer ordered 1 of a stock-1 personal payment window (구매 가능 횟수 1) by bank transfer."""
    product_id, token = make_product(
        name="김규섭 고객님 개인결제창", price=30000, stock_managed=True, stock_quantity=1, purchase_limit=1
    )
    response = place(app.test_client(), token)
    return {"order_no": order_no_from(response), "product_id": product_id, "token": token}


# -- late deposits -------------------------------------------------------------------------------


def test_deposit_after_the_deadline_revives_the_order_and_retakes_its_stock(app, runner, admin, bank_order):
    expire(app, bank_order["order_no"])
    runner.invoke(args=["expire-orders"])  # the cron cancelled it and returned the unit
    assert load(app, bank_order["order_no"]).status is S.CANCELLED
    assert stock_of(app, bank_order["product_id"]) == 1
    oid = order_id(app, bank_order["order_no"])
    page = admin.post(f"/admin/orders/{oid}/paid", follow_redirects=True).get_data(as_text=True)
    assert load(app, bank_order["order_no"]).status is S.PAID
    assert stock_of(app, bank_order["product_id"]) == 0
    assert money(app, bank_order["order_no"]).paid == 30000
    assert "입금을 확인했습니다" in page


def test_deposit_after_the_unit_was_sold_again_is_kept_for_a_refund(app, client, runner, admin, bank_order):
    expire(app, bank_order["order_no"])
    runner.invoke(args=["expire-orders"])
    with app.app_context():  # the merchant re-opened the window and someone else bought the unit
        db.session.execute(sa.update(Product).where(Product.id == bank_order["product_id"]).values(stock_quantity=0))
        db.session.commit()
    oid = order_id(app, bank_order["order_no"])
    page = admin.post(f"/admin/orders/{oid}/paid", follow_redirects=True).get_data(as_text=True)
    order = load(app, bank_order["order_no"])
    assert order.status is S.CANCELLED and not order.items[0].reserved
    assert money(app, bank_order["order_no"]).balance == 30000
    assert "환불하기" in page
    account = {"refund_bank": "신한은행", "refund_account": "110-123-456789", "refund_holder": "김규섭"}
    admin.refund(oid, amount="30000", **account)
    assert load(app, bank_order["order_no"]).status is S.REFUNDED
    assert stock_of(app, bank_order["product_id"]) == 0  # nothing came back that was not taken
    with app.app_context():
        row = db.session.scalar(sa.select(PaymentRecord).where(PaymentRecord.kind == PaymentKind.REFUND))
        assert (row.amount, row.refund_bank, row.refund_holder) == (-30000, "신한은행", "김규섭")


def test_deposit_on_an_overdue_order_is_confirmed_not_cancelled(app, admin, bank_order):
    expire(app, bank_order["order_no"])  # past its deadline; nothing has cancelled it yet
    admin.post(f"/admin/orders/{order_id(app, bank_order['order_no'])}/paid")
    assert load(app, bank_order["order_no"]).status is S.PAID
    assert stock_of(app, bank_order["product_id"]) == 0


def test_extending_the_deadline_keeps_the_order_waiting(app, admin, bank_order):
    before = load(app, bank_order["order_no"]).expires_at
    admin.post(f"/admin/orders/{order_id(app, bank_order['order_no'])}/extend", data={"days": "5"})
    after = load(app, bank_order["order_no"]).expires_at
    assert after - before >= timedelta(days=5) - timedelta(seconds=5)
    assert (
        admin.post(f"/admin/orders/{order_id(app, bank_order['order_no'])}/extend", data={"days": "99"}).status_code
        == 422
    )


# -- stock follows the order line, not the product's current setting ---------------------------


def test_cancel_returns_only_what_the_order_took(app, admin, bank_ready, make_product):
    product_id, token = make_product(stock_managed=False)
    no = order_no_from(place(admin._client, token, quantity="2"))
    with app.app_context():  # the merchant turns 재고관리 on while the order is open
        db.session.execute(
            sa.update(Product).where(Product.id == product_id).values(stock_managed=True, stock_quantity=10)
        )
        db.session.commit()
    admin.post(f"/admin/orders/{order_id(app, no)}/cancel")
    assert load(app, no).status is S.CANCELLED
    assert stock_of(app, product_id) == 10


def test_turning_stock_management_off_and_on_loses_no_units(app, admin, bank_ready, make_product):
    product_id, token = make_product(stock_managed=True, stock_quantity=5)
    no = order_no_from(place(admin._client, token, quantity="2"))
    with app.app_context():
        db.session.execute(sa.update(Product).where(Product.id == product_id).values(stock_managed=False))
        db.session.commit()
    admin.post(f"/admin/orders/{order_id(app, no)}/cancel")
    with app.app_context():
        db.session.execute(sa.update(Product).where(Product.id == product_id).values(stock_managed=True))
        db.session.commit()
    assert stock_of(app, product_id) == 5


# -- the purchase limit -------------------------------------------------------------------------


def test_a_window_its_limit_closed_opens_again_when_that_order_expires(app, client, runner, bank_order):
    token = bank_order["token"]
    assert client.get(f"/products/{token}").status_code == 410  # 구매 가능 횟수 1 reached: closed
    expire(app, bank_order["order_no"])
    runner.invoke(args=["expire-orders"])
    assert client.get(f"/products/{token}").status_code == 200
    assert client.get(f"/products/{token}/buy").status_code == 200
    with app.app_context():
        product = db.session.get(Product, bank_order["product_id"])
        assert product.display_status is DisplayStatus.DISPLAYED and product.order_count == 0
        assert [e.action for e in product.events][:2] == ["auto_reopened", "auto_closed"]


def test_a_refunded_window_stays_closed(app, client, admin, bank_order):
    oid = order_id(app, bank_order["order_no"])
    admin.post(f"/admin/orders/{oid}/paid")
    admin.refund(oid, amount="30,000", refund_bank="신한은행", refund_account="110-123-456789", refund_holder="김규섭")
    assert load(app, bank_order["order_no"]).status is S.REFUNDED
    assert client.get(f"/products/{bank_order['token']}").status_code == 410  # sold once: not for sale again


def test_a_product_the_merchant_hid_stays_hidden_after_a_late_deposit_and_its_refund(
    app, client, admin, bank_ready, make_product
):
    product_id, token = make_product(name="단종 상품", price=10_000, stock_managed=True, stock_quantity=5)
    order_no = order_no_from(place(app.test_client(), token))
    form = {**SEED_FORM, "name": "단종 상품", "price": "10,000", "display_status": "hidden", "listed": "yes",
            "stock_managed": "on", "stock_quantity": "4", "stock_seen": "4"}  # fmt: skip
    assert admin.post(f"/admin/products/{product_id}/edit", data=form).status_code == 302  # discontinued
    expire(app, order_no)
    oid = order_id(app, order_no)
    client.get(f"/admin/orders/{oid}")  # the deadline cancels it
    admin.post(f"/admin/orders/{oid}/paid")  # the transfer arrives late: revived
    admin.refund(oid, amount="10,000", refund_bank="신한은행", refund_account="110-123-456789", refund_holder="김규섭")
    with app.app_context():
        assert db.session.get(Product, product_id).display_status is DisplayStatus.HIDDEN


def test_a_window_the_merchant_edited_after_its_limit_closed_it_stays_closed(app, client, admin, runner, bank_order):
    product_id, token = bank_order["product_id"], bank_order["token"]
    form = {**SEED_FORM, "name": "김규섭 고객님 개인결제창 (마감)", "price": "30,000", "display_status": "hidden",
            "stock_managed": "on", "stock_quantity": "0", "stock_seen": "0", "purchase_limit": "1"}  # fmt: skip
    assert admin.post(f"/admin/products/{product_id}/edit", data=form).status_code == 302
    expire(app, bank_order["order_no"])
    runner.invoke(args=["expire-orders"])
    assert client.get(f"/products/{token}").status_code == 410


def test_a_stale_edit_form_does_not_reopen_a_window_at_its_purchase_limit(app, client, admin, bank_ready, make_product):
    product_id, token = make_product(name="개인결제창", stock_managed=False, purchase_limit=1)
    # The edit form, as the merchant opened it before the order: 진열함.
    form = {**SEED_FORM, "name": "개인결제창", "stock_managed": "off", "purchase_limit": "1"}
    place(app.test_client(), token)  # the window closes itself
    response = admin.post(f"/admin/products/{product_id}/edit", data=form)
    assert response.status_code == 409
    assert "구매 가능 횟수" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Product, product_id).display_status is DisplayStatus.HIDDEN


def test_a_window_at_its_limit_never_shows_on_sale_even_if_displayed(app, client, admin, bank_ready, make_product):
    product_id, token = make_product(name="한정 링크", stock_managed=False, purchase_limit=1)
    place(app.test_client(), token)
    with app.app_context():  # displayed again by an older version of the shop, or by hand in the database
        db.session.execute(sa.update(Product).values(display_status=DisplayStatus.DISPLAYED))
        db.session.commit()
    assert client.get(f"/products/{token}").status_code == 410
    assert client.get(f"/products/{token}/buy").status_code == 410
    assert "한정 링크" not in client.get("/").get_data(as_text=True)
    with app.app_context():  # 상품 관리 shows the link as ordered, never as 판매중
        assert links.link_status(db.session.get(Product, product_id)) is links.LinkStatus.ORDERED


# -- card payments: the gateway's word, recorded -------------------------------------------------


def paid_card_order(app, client, toss, card_order):
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    assert load(app, card_order["order_no"]).status is S.PAID
    return key


def test_the_same_transfer_refund_sent_twice_is_recorded_once(app, admin, bank_order):
    oid = order_id(app, bank_order["order_no"])
    admin.post(f"/admin/orders/{oid}/paid")
    form = admin.refund_form(oid)  # one page: a double tap, or two staff on the same order
    account = {"refund_bank": "신한은행", "refund_account": "110-123-456789", "refund_holder": "김규섭"}
    first = admin.refund(oid, form, amount="15,000", **account)
    again = admin.refund(oid, form, amount="15,000", follow_redirects=True, **account)
    assert first.status_code == 302
    assert "다른 환불이 기록되어, 이번 환불은 기록하지 않았습니다" in again.get_data(as_text=True)
    assert money(app, bank_order["order_no"]).refunded == 15000
    assert load(app, bank_order["order_no"]).status is S.PARTIALLY_REFUNDED
    assert stock_of(app, bank_order["product_id"]) == 0  # the goods were sold: nothing returns to stock
    admin.refund(oid, amount="15,000", **account)  # a second refund from the page as it is now
    assert money(app, bank_order["order_no"]).refunded == 30000


def test_the_same_card_refund_sent_twice_refunds_once(app, client, admin, toss, card_order):
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    oid = order_id(app, card_order["order_no"])
    form = admin.refund_form(oid)
    admin.refund(oid, form, amount="15000")
    again = admin.refund(oid, form, amount="15000", follow_redirects=True)
    assert "다른 환불이 기록되어" in again.get_data(as_text=True)
    assert toss.refunds == 1 and money(app, card_order["order_no"]).refunded == 15000


def test_partial_refund_in_the_toss_console_is_a_partial_refund(app, client, toss, card_order):
    key = paid_card_order(app, client, toss, card_order)
    toss.cancel_in_console(key, 5000)  # the shipping fee, refunded in the console
    assert webhook(client, key, card_order["order_no"], "PARTIAL_CANCELED").status_code == 200
    assert webhook(client, key, card_order["order_no"], "PARTIAL_CANCELED").status_code == 200  # a repeat
    assert load(app, card_order["order_no"]).status is S.PARTIALLY_REFUNDED
    assert money(app, card_order["order_no"]) == ledger.Totals(paid=45000, refunded=5000)
    assert stock_of(app, card_order["product_id"]) == 1  # the goods are still sold


def test_webhook_of_an_older_attempt_leaves_the_current_confirm_alone(app, client, toss, card_order):
    old_key = toss.open_session(card_order["order_no"], 45000)
    toss.abort(old_key)  # the buyer closed the payment window, then tried again
    new_key = toss.open_session(card_order["order_no"], 45000)
    with app.app_context():  # the confirm of the second attempt is under way
        order = db.session.scalar(sa.select(Order).where(Order.order_no == card_order["order_no"]))
        lifecycle.claim_card_payment(order, new_key, "toss")
        db.session.commit()
    assert webhook(client, old_key, card_order["order_no"], "ABORTED").status_code == 200
    assert load(app, card_order["order_no"]).status is S.CONFIRMING


def test_refund_already_made_in_the_console_is_recorded(app, client, admin, toss, card_order):
    key = paid_card_order(app, client, toss, card_order)
    toss.cancel_in_console(key)  # no webhook reached us
    oid = order_id(app, card_order["order_no"])
    admin.refund(oid, amount="45000")
    assert load(app, card_order["order_no"]).status is S.REFUNDED
    assert money(app, card_order["order_no"]).balance == 0
    assert toss.refunds == 1
    with app.app_context():
        codes = set(db.session.scalars(sa.select(PaymentRecord.provider_code)))
    assert "ALREADY_CANCELED_PAYMENT" in codes


def test_partial_card_refund_sends_cancel_amount_then_the_rest(app, client, admin, toss, card_order):
    key = paid_card_order(app, client, toss, card_order)
    oid = order_id(app, card_order["order_no"])
    assert admin.refund(oid, amount="50000").status_code == 422  # more than paid
    admin.refund(oid, amount="5,000")
    assert toss.payments[key]["balanceAmount"] == 40000
    assert load(app, card_order["order_no"]).status is S.PARTIALLY_REFUNDED
    assert stock_of(app, card_order["product_id"]) == 1
    admin.refund(oid, amount="40000")
    assert toss.payments[key]["status"] == "CANCELED"
    assert load(app, card_order["order_no"]).status is S.REFUNDED
    assert stock_of(app, card_order["product_id"]) == 2  # never shipped: the unit is back


def test_card_payment_email_is_sent(app, client, toss, card_order, outbox):
    sent = outbox
    paid_card_order(app, client, toss, card_order)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any("결제" in m["Subject"] for m in sent):
        time.sleep(0.1)
    assert any("결제" in m["Subject"] and card_order["order_no"] in m["Subject"] for m in sent)


# -- shipping ------------------------------------------------------------------------------------


def test_shipping_shows_the_carrier_and_tracking_link_to_the_buyer(app, client, admin, bank_ready, make_product):
    _, token = make_product(name="원두", stock_managed=True, stock_quantity=3)
    buyer = app.test_client()
    response = place(buyer, token)
    location, oid = response.headers["Location"], order_id(app, order_no_from(response))
    admin.post(f"/admin/orders/{oid}/paid")
    assert admin.post(f"/admin/orders/{oid}/ship", data={"carrier": "cj", "tracking_no": "x"}).status_code == 422
    admin.post(f"/admin/orders/{oid}/ship", data={"carrier": "cj", "tracking_no": "6543 2109 8765"})
    page = buyer.get(location).get_data(as_text=True)
    assert "배송중" in page and "CJ대한통운" in page
    assert "https://trace.cjlogistics.com/next/tracking.html?wblNo=654321098765" in page
    admin.post(f"/admin/orders/{oid}/deliver")
    assert "배송 완료" in buyer.get(location).get_data(as_text=True)


def test_a_product_that_does_not_ship_skips_shipping(app, admin, bank_ready, make_product):
    _, token = make_product(name="상담권", requires_shipping=False)
    no = order_no_from(place(admin._client, token, **{"postcode": None, "address": None}))
    oid = order_id(app, no)
    admin.post(f"/admin/orders/{oid}/paid")
    page = admin._client.get(f"/admin/orders/{oid}").get_data(as_text=True)
    assert "배송 시작" not in page and "구매 확정" in page
    assert (
        admin.post(f"/admin/orders/{oid}/ship", data={"carrier": "cj", "tracking_no": "601234567890"}).status_code
        == 302
    )
    assert load(app, no).status is S.PAID


# -- money past 2,147,483,647 won ----------------------------------------------------------------


def test_an_order_over_two_billion_won_is_stored(app, bank_ready, make_product):
    _, token = make_product(price=1_000_000_000)
    no = order_no_from(place(app.test_client(), token, quantity="3"))
    order = load(app, no)
    assert order.total_amount == 3_000_000_000
    with app.app_context():
        assert db.session.scalar(sa.select(OrderItem.line_total)) == 3_000_000_000


def test_bulk_shipping_from_pasted_lines(app, client, admin, bank_ready, make_product):
    _, token = make_product(name="원두", stock_managed=True, stock_quantity=5)
    buyer = app.test_client()
    paid, unpaid = order_no_from(place(buyer, token)), order_no_from(place(buyer, token))
    admin.post(f"/admin/orders/{order_id(app, paid)}/paid")
    bad = admin.post("/admin/orders/ship", data={"carrier": "hanjin", "lines": f"{paid}\n"})
    assert bad.status_code == 422 and "주문번호 송장번호" in bad.get_data(as_text=True)
    lines = f"{paid}\t4321 8765 0987\n\n{unpaid} 111122223333\nNOSUCH-ORDER 999988887777\n"
    page = admin.post("/admin/orders/ship", data={"carrier": "hanjin", "lines": lines}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "주문 1건의 배송을 시작했습니다." in html and unpaid in html and "NOSUCH-ORDER" in html
    shipped = load(app, paid)
    assert (shipped.status, shipped.carrier, shipped.tracking_no) == (S.SHIPPED, "hanjin", "432187650987")
    assert load(app, unpaid).status is S.AWAITING_DEPOSIT


def test_bulk_shipping_from_an_uploaded_excel_csv(app, admin, bank_ready, make_product):
    import io

    _, token = make_product(name="원두", stock_managed=True, stock_quantity=5)
    no = order_no_from(place(app.test_client(), token))
    admin.post(f"/admin/orders/{order_id(app, no)}/paid")
    csv = f"주문번호,송장번호\r\n{no},6070-1234-5678-9\r\n".encode("cp949")  # as Excel saves it in Korea
    admin.post(
        "/admin/orders/ship",
        data={"carrier": "epost", "lines": "", "upload": (io.BytesIO(csv), "송장.csv")},
        content_type="multipart/form-data",
    )
    shipped = load(app, no)
    assert (shipped.status, shipped.carrier, shipped.tracking_no) == (S.SHIPPED, "epost", "6070123456789")


def test_order_page_renders_in_every_status(app, client, admin, bank_order):
    oid = order_id(app, bank_order["order_no"])
    for status in OrderStatus:
        with app.app_context():
            db.session.execute(
                sa.update(Order)
                .where(Order.id == oid)
                .values(status=status, expires_at=utcnow() + timedelta(days=1), carrier="lotte", tracking_no="1234")
            )
            db.session.commit()
        assert client.get(f"/admin/orders/{oid}").status_code == 200, status
        assert client.get(f"/admin/orders?status={status.value}").status_code == 200, status
