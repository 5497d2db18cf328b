"""One message per order and event, with what the buyer needs: each event of the order's life, as
the merchant's buttons, the payment gateway, the cron job and the buyer cause it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from storefront.clock import KST
from storefront.extensions import db
from storefront.models import BuyerMessage, MessageStatus, MessageTemplate, Order, Product

from .builders import expire, order_row, success_url
from .conftest import place, settle_messages

T = MessageTemplate
BUYER_PHONE = "01012345678"


@pytest.fixture
def window(make_product, bank_ready):
    product_id, token = make_product(name="원두 정기배송 3개월", price=12000)
    return {"id": product_id, "token": token}


def transfer_order(app, token) -> Order:
    response = place(app.test_client(), token)
    assert response.status_code == 302
    return order_row(app, re.match(r"/orders/([^?]+)", response.headers["Location"]).group(1))


def sent(app, fake, count: int) -> list[tuple[MessageTemplate, dict]]:
    """The messages the provider took once there are ``count``, each with its row's template."""
    fake.wait_for(count)
    settle_messages()
    with app.app_context():
        by_id = dict(db.session.execute(sa.select(BuyerMessage.provider_message_id, BuyerMessage.template)).all())
    return [(by_id.get(message["messageId"]), message) for message in fake.taken]


def the(app, fake, count: int, template: MessageTemplate) -> dict:
    """Once the provider took ``count`` messages, the one sent for ``template`` (exactly one). Each event's
    message is sent by a thread of its own, so they may arrive in any order."""
    found = sent(app, fake, count)
    assert len(found) == count, [t for t, _ in found]
    (message,) = [message for t, message in found if t is template]
    return message


def paid_transfer(app, admin, fake, token) -> Order:
    """A transfer order whose deposit the merchant confirmed, its two messages sent."""
    order = transfer_order(app, token)
    admin.post(f"/admin/orders/{order.id}/paid")
    sent(app, fake, 2)
    return order


def test_confirming_a_deposit_tells_the_buyer(app, admin, messages_on, window):
    order = paid_transfer(app, admin, messages_on, window["token"])
    message = the(app, messages_on, 2, T.PAYMENT_CONFIRMED)
    assert message["to"] == BUYER_PHONE
    assert order.order_no in message["text"] and "12,000원" in message["text"]
    assert "/orders/lookup?order_no=" in message["text"]  # later messages link to 비회원 주문조회


def test_shipping_tells_the_carrier_the_tracking_number_and_the_tracking_link(app, admin, messages_on, window):
    order = paid_transfer(app, admin, messages_on, window["token"])
    admin.post(f"/admin/orders/{order.id}/ship", data={"carrier": "cj", "tracking_no": "6012-3456-7890"})
    message = the(app, messages_on, 3, T.SHIPPED)
    assert "CJ대한통운" in message["text"] and "601234567890" in message["text"]
    assert "https://trace.cjlogistics.com/next/tracking.html?wblNo=601234567890" in message["text"]
    assert "테헤란로" not in message["text"]  # never the address


def test_bulk_shipping_tells_each_buyer_once(app, admin, messages_on, window):
    order = paid_transfer(app, admin, messages_on, window["token"])
    lines = f"{order.order_no} 601234567890\n{order.order_no} 601234567890"
    admin.post("/admin/orders/ship", data={"carrier": "cj", "lines": lines})
    assert [template for template, _ in sent(app, messages_on, 3)].count(T.SHIPPED) == 1


def test_delivery_tells_the_buyer_whom_to_call(app, admin, messages_on, window):
    from storefront.settings import save_settings

    with app.test_request_context():
        save_settings({"phone": "0212345678"})
        db.session.commit()
    order = paid_transfer(app, admin, messages_on, window["token"])
    admin.post(f"/admin/orders/{order.id}/ship", data={"carrier": "cj", "tracking_no": "601234567890"})
    admin.post(f"/admin/orders/{order.id}/deliver")
    message = the(app, messages_on, 4, T.DELIVERED)
    assert "02-1234-5678" in message["text"]


def test_the_merchant_cancelling_says_so(app, admin, messages_on, window):
    order = transfer_order(app, window["token"])
    admin.post(f"/admin/orders/{order.id}/cancel")
    message = the(app, messages_on, 2, T.CANCELLED)
    assert "판매자가 주문을 취소했습니다" in message["text"]


def test_the_deadline_cancelling_says_so(app, runner, messages_on, window):
    order = transfer_order(app, window["token"])
    expire(app, order.order_no)
    runner.invoke(args=["expire-orders"])
    message = the(app, messages_on, 2, T.CANCELLED)
    assert "입금 기한이 지나" in message["text"]


def test_a_transfer_refund_says_the_amount_and_the_masked_account(app, admin, messages_on, window):
    order = paid_transfer(app, admin, messages_on, window["token"])
    admin.refund(order.id, amount="5000", refund_bank="신한은행", refund_account="110-123-456789",
                 refund_holder="김규섭")  # fmt: skip
    admin.refund(order.id, amount="7000", refund_bank="신한은행", refund_account="110-123-456789",
                 refund_holder="김규섭")  # fmt: skip
    found = sent(app, messages_on, 4)
    refunds = [message for template, message in found if template is T.REFUNDED]
    assert len(refunds) == 2  # each refund is its own event
    amounts = sorted(re.search(r"환불 금액: (\S+)", message["text"]).group(1) for message in refunds)
    assert amounts == ["5,000원", "7,000원"]
    assert all("신한은행 ********6789" in m["text"] and "110-123-456789" not in m["text"] for m in refunds)


def test_an_extra_payment_request_sends_its_link(app, admin, messages_on, window):
    order = paid_transfer(app, admin, messages_on, window["token"])
    admin.post(f"/admin/orders/{order.id}/extra-payment",
               data={"extra-amount": "3,000", "extra-reason": "jeju_shipping", "extra-phone_check": "y"})  # fmt: skip
    message = the(app, messages_on, 3, T.EXTRA_PAYMENT)
    with app.app_context():
        token = db.session.scalar(sa.select(Product.public_token).where(Product.extra_for_order_id == order.id))
    assert f"/products/{token}" in message["text"]
    assert "3,000원" in message["text"] and "제주 추가 배송비" in message["text"]


def reminders_on(app):
    from storefront.messaging import settings

    with app.test_request_context():
        switches = {T.DEPOSIT_REMINDER: settings.TemplateSwitch(True, "")}
        settings.save(True, settings.current().sender_number, "", switches)
        db.session.commit()


def last_day(order: Order, daytime: bool) -> datetime:
    """An hour in the order's last day before its deadline, in the daytime (9–20 KST) or at night."""
    deadline = order.expires_at.astimezone(KST)
    hours = (deadline - timedelta(hours=n) for n in range(23, 0, -1))
    return next(moment for moment in hours if (9 <= moment.hour < 20) is daytime)


def test_the_deposit_reminder_goes_once_in_the_last_day_at_a_decent_hour(app, runner, messages_on, window):
    reminders_on(app)
    order = transfer_order(app, window["token"])
    sent(app, messages_on, 1)  # the 주문 접수 is out before the clock moves (its signature carries the time)
    for too_soon in (order.expires_at - timedelta(days=2), last_day(order, daytime=False)):
        with time_machine.travel(too_soon, tick=True):
            runner.invoke(args=["expire-orders"])
    settle_messages()
    assert len(messages_on.taken) == 1  # only the 주문 접수
    with time_machine.travel(last_day(order, daytime=True), tick=True):
        assert "Queued 1 deposit reminder(s)." in runner.invoke(args=["expire-orders"]).output
        settle_messages()
        runner.invoke(args=["expire-orders"])  # run again: once per deadline
        settle_messages()
    message = the(app, messages_on, 2, T.DEPOSIT_REMINDER)
    assert "123456-01-234567" in message["text"]


def test_a_reminder_for_an_order_paid_meanwhile_is_not_sent(app, runner, admin, messages_on, window):
    reminders_on(app)
    order = transfer_order(app, window["token"])
    sent(app, messages_on, 1)
    messages_on.answers = [500]  # the reminder's first try fails
    moment = last_day(order, daytime=True)
    with time_machine.travel(moment, tick=True):
        runner.invoke(args=["expire-orders"])
        settle_messages()
    admin.post(f"/admin/orders/{order.id}/paid")  # the deposit arrives before the retry
    settle_messages()
    with time_machine.travel(moment + timedelta(minutes=10), tick=True):
        runner.invoke(args=["send-notifications"])
    with app.app_context():
        reminder = db.session.scalar(sa.select(BuyerMessage).where(BuyerMessage.template == T.DEPOSIT_REMINDER))
        assert reminder.status is MessageStatus.FAILED and reminder.last_error == "no longer applies"
    assert [template for template, _ in sent(app, messages_on, 2)] == [T.ORDER_PLACED_TRANSFER, T.PAYMENT_CONFIRMED]


# -- card payments: the 주문 접수 waits for the gateway ------------------------------------------------


def test_a_card_payment_sends_one_order_message_saying_what_was_paid(app, client, messages_on, toss, card_order):
    assert messages_on.taken == []  # the payment window is open: nothing yet
    key = toss.authenticate(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    message = the(app, messages_on, 1, T.ORDER_PLACED_PAID)
    assert "45,000원 (카드)" in message["text"]
    assert f"/orders/{card_order['order_no']}?t={card_order['t']}" in message["text"]


def test_a_virtual_account_sends_the_account_then_the_deposit(app, client, messages_on, toss, card_order):
    key = toss.authenticate(card_order["order_no"], 45000, method="가상계좌")
    client.get(success_url(card_order, key, 45000))
    message = the(app, messages_on, 1, T.ORDER_PLACED_VIRTUAL_ACCOUNT)
    assert toss.payments[key]["virtualAccount"]["accountNumber"] in message["text"]
    client.post("/webhooks/toss", json=toss.deposit(key))
    assert the(app, messages_on, 2, T.PAYMENT_CONFIRMED)["to"] == BUYER_PHONE


def test_an_abandoned_card_order_tells_the_buyer_nothing(app, runner, messages_on, toss, card_order):
    expire(app, card_order["order_no"])
    runner.invoke(args=["expire-orders"])
    settle_messages()
    assert messages_on.taken == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BuyerMessage)) == 0


def test_a_card_orders_message_waits_for_the_gateway(app, client, messages_on, toss, card_order):
    # The held 주문 접수 has no due time until the gateway answers, however long that takes.
    with app.app_context():
        (row,) = db.session.scalars(sa.select(BuyerMessage)).all()
        assert row.status is MessageStatus.HELD and row.due_at is None and row.order_token == card_order["t"]
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1), tick=True):
        with app.test_request_context():
            from storefront.messaging import outbox

            assert outbox.send_pending() == 0
