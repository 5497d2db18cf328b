"""카드 결제 through Toss Payments, against a local fake of the gateway."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order, OrderEvent, OrderStatus, utcnow
from storefront.payments.toss import WebhookStep, webhook_step

from .builders import CLIENT, SECRET, expire, order_row, stock, success_url, webhook
from .conftest import place


def paid_events(app, order_no):
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OrderEvent)
            .join(Order)
            .where(Order.order_no == order_no, OrderEvent.to_status == "paid")
        )


def test_card_option_appears_only_with_keys(app, client, bank_ready, make_product):
    _, token = make_product()
    assert "카드 결제" not in client.get(f"/products/{token}/buy").get_data(as_text=True)


def test_payment_page_hands_the_widget_the_stored_order(client, card_order):
    html = client.get(card_order["url"]).get_data(as_text=True)
    assert 'src="https://js.tosspayments.com/v2/standard"' in html
    assert f'data-client-key="{CLIENT}"' in html
    assert SECRET not in html  # the secret key never reaches a page
    assert 'data-amount="45000"' in html and f'data-order-id="{card_order["order_no"]}"' in html
    assert re.search(r'data-success-url="http://localhost/orders/[^"]+/pay/success\?t=', html)


def test_happy_path(app, client, toss, card_order):
    key = toss.open_session(card_order["order_no"], 45000)
    response = client.get(success_url(card_order, key, 45000))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "결제 완료" in page
    order = order_row(app, card_order["order_no"])
    assert order.status is OrderStatus.PAID and order.payment_key == key
    assert toss.charges == 1


def test_lowered_amount_is_refused_and_nothing_is_confirmed(app, client, toss, card_order):
    key = toss.open_session(card_order["order_no"], 100)
    response = client.get(success_url(card_order, key, 100))
    assert response.status_code == 400
    assert "결제 정보가 주문과 일치하지 않습니다" in response.get_data(as_text=True)
    assert toss.confirm_calls == 0
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT


def test_swapped_order_id_or_payment_key_is_refused(app, client, toss, card_order, make_product):
    key = toss.open_session(card_order["order_no"], 45000)
    other = client.get(success_url(card_order, key, 45000, order_id="991231-OTHER234"))
    assert other.status_code == 400 and toss.confirm_calls == 0
    stranger_key = toss.open_session("991231-OTHER234", 45000)
    swapped = client.get(success_url(card_order, stranger_key, 45000))
    assert swapped.status_code == 402
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT
    assert toss.charges == 0


def test_success_page_refreshed_three_times_pays_once(app, client, toss, card_order):
    key = toss.open_session(card_order["order_no"], 45000)
    for _ in range(3):
        assert client.get(success_url(card_order, key, 45000)).status_code == 302
    assert toss.charges == 1
    assert paid_events(app, card_order["order_no"]) == 1


def test_a_card_order_over_two_billion_won_is_confirmed(app, client, toss, make_product):
    _, token = make_product(name="건물 계약금", price=1_000_000_000)
    response = place(client, token, payment_method="card", quantity="3")  # 3,000,000,000원 > 2³¹ − 1
    order_no, secret = re.match(r"/orders/([^?]+)\?t=(.+)", response.headers["Location"]).groups()
    order = {"order_no": order_no, "t": secret}
    key = toss.open_session(order_no, 3_000_000_000)
    assert client.get(success_url(order, key, 3_000_000_000)).status_code == 302
    assert order_row(app, order_no).status is OrderStatus.PAID and toss.charges == 1


def test_gateway_timeout_is_reconciled_to_paid(app, client, toss, card_order):
    app.config["TOSS_TIMEOUT"] = 0.5
    toss.slow_seconds = 1.5
    key = toss.open_session(card_order["order_no"], 45000)
    response = client.get(success_url(card_order, key, 45000))
    assert response.status_code == 302
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    assert toss.charges == 1


def test_gateway_500_is_retried_with_the_same_key_until_paid(app, client, toss, card_order):
    toss.fail_500 = True
    key = toss.open_session(card_order["order_no"], 45000)
    response = client.get(success_url(card_order, key, 45000))
    assert response.status_code == 302
    assert "잠시 후 이 페이지를 새로 고쳐 주세요" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert order_row(app, card_order["order_no"]).status is OrderStatus.CONFIRMING
    toss.fail_500 = False
    page = client.get(response.headers["Location"]).get_data(as_text=True)  # the buyer's page re-sends it
    assert "결제 완료" in page
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    assert toss.charges == 1


def test_a_500_after_the_charge_is_settled_without_charging_twice(app, client, toss, card_order):
    toss.fail_500_after_charge = True
    key = toss.open_session(card_order["order_no"], 45000)
    assert client.get(success_url(card_order, key, 45000)).status_code == 302
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    assert toss.charges == 1


def test_provider_error_twice_lets_the_buyer_pay_again(app, client, runner, toss, card_order):
    toss.provider_errors = 1
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    assert order_row(app, card_order["order_no"]).status is OrderStatus.CONFIRMING  # temporary: try again
    # The cron re-sends the same confirm; Toss answers the same key with its first answer.
    assert "Settled 1 of 1" in runner.invoke(args=["expire-orders"]).output
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT  # not ten minutes later
    again = toss.open_session(card_order["order_no"], 45000)  # the buyer pays again: a new attempt
    assert client.get(success_url(card_order, again, 45000)).status_code == 302
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    assert toss.charges == 1 and toss.confirm_calls == 3


def test_the_buyer_who_refreshes_after_a_second_provider_error_is_told_to_pay_again(app, client, toss, card_order):
    toss.provider_errors = 1
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    again = client.get(success_url(card_order, key, 45000))  # the buyer's page asks again
    assert again.status_code == 402
    assert "일시적인 문제로 결제되지 않았습니다" in again.get_data(as_text=True)
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT


def age_claim(app, order_no, minutes):
    """Pretend the confirm began ``minutes`` ago (the gateway's clock moves with it)."""
    with app.app_context():
        order_id = db.session.scalar(sa.select(Order.id).where(Order.order_no == order_no))
        db.session.execute(
            sa.update(OrderEvent)
            .where(OrderEvent.order_id == order_id)
            .values(created_at=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def test_a_confirm_that_cannot_finish_in_ten_minutes_makes_the_order_payable_again(
    app, client, runner, toss, card_order
):
    toss.fail_500 = True
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    assert stock(app, card_order["product_id"]) == 1
    toss.advance(minutes=11)
    age_claim(app, card_order["order_no"], 11)
    runner.invoke(args=["expire-orders"])
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT
    toss.fail_500 = False
    key = toss.open_session(card_order["order_no"], 45000)  # the buyer tries again
    assert client.get(success_url(card_order, key, 45000)).status_code == 302
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    assert toss.charges == 1


def test_a_stuck_confirm_past_the_deadline_is_cancelled_and_returns_its_stock(app, runner, client, toss, card_order):
    toss.fail_500 = True
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    toss.advance(minutes=11)
    age_claim(app, card_order["order_no"], 11)
    expire(app, card_order["order_no"])
    runner.invoke(args=["expire-orders"])
    assert order_row(app, card_order["order_no"]).status is OrderStatus.CANCELLED
    assert stock(app, card_order["product_id"]) == 2
    assert toss.charges == 0


def test_rejected_card_keeps_the_order_payable(app, client, toss, card_order):
    toss.reject_card = True
    key = toss.open_session(card_order["order_no"], 45000)
    response = client.get(success_url(card_order, key, 45000))
    html = response.get_data(as_text=True)
    assert response.status_code == 402
    assert "카드사에서 거절했습니다.&lt;script&gt;" in html and "<script>x" not in html
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT
    toss.reject_card = False
    key = toss.open_session(card_order["order_no"], 45000)
    assert client.get(success_url(card_order, key, 45000)).status_code == 302
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID


def test_fail_url_shows_the_reason_escaped(app, client, card_order):
    url = f"/orders/{card_order['order_no']}/pay/fail?t={card_order['t']}&code=PAY_PROCESS_CANCELED&message=<b>취소</b>"
    html = client.get(url).get_data(as_text=True)
    assert "&lt;b&gt;취소&lt;/b&gt;" in html
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT


def test_payment_after_expiry_is_refused(app, client, toss, card_order):
    key = toss.open_session(card_order["order_no"], 45000)
    expire(app, card_order["order_no"])
    response = client.get(success_url(card_order, key, 45000))
    assert response.status_code == 302
    assert "취소된 주문입니다" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert toss.confirm_calls == 0 and toss.charges == 0
    assert stock(app, card_order["product_id"]) == 2


def test_money_taken_for_an_expired_order_is_refunded(app, client, toss, card_order):
    key = toss.force_done(card_order["order_no"], 45000)
    expire(app, card_order["order_no"])
    client.get(success_url(card_order, key, 45000))
    assert toss.refunds == 1
    assert order_row(app, card_order["order_no"]).status is OrderStatus.CANCELLED


def test_duplicated_and_out_of_order_webhooks_end_in_the_right_state(app, client, toss, card_order):
    key = toss.force_done(card_order["order_no"], 45000)  # paid, but the buyer never came back to us
    assert webhook(client, key, card_order["order_no"], "DONE").status_code == 200
    assert webhook(client, key, card_order["order_no"], "DONE").status_code == 200
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    assert paid_events(app, card_order["order_no"]) == 1
    toss.cancel_in_console(key)
    assert webhook(client, key, card_order["order_no"], "CANCELED").status_code == 200
    assert webhook(client, key, card_order["order_no"], "DONE").status_code == 200  # late, stale event
    assert order_row(app, card_order["order_no"]).status is OrderStatus.REFUNDED
    assert stock(app, card_order["product_id"]) == 2


def test_webhook_body_is_not_trusted(app, client, toss, card_order):
    unknown_key = "tpk_made_up"
    assert webhook(client, unknown_key, card_order["order_no"], "DONE").status_code in (200, 503)
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT
    assert client.post("/webhooks/toss", data="not json").status_code == 400


def test_refund_twice_refunds_once_and_restocks_once(app, client, admin, toss, card_order):
    key = toss.open_session(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    assert stock(app, card_order["product_id"]) == 1
    order_id = order_row(app, card_order["order_no"]).id
    form = admin.refund_form(order_id)
    admin.refund(order_id, form, amount="45,000")
    again = admin.refund(order_id, form, amount="45,000", follow_redirects=True)  # the same form, sent again
    assert "이 주문은 환불할 수 없습니다" in again.get_data(as_text=True)
    assert toss.refunds == 1
    assert order_row(app, card_order["order_no"]).status is OrderStatus.REFUNDED
    assert stock(app, card_order["product_id"]) == 2


def test_admin_cannot_mark_a_card_order_paid_by_hand(app, admin, card_order):
    order_id = order_row(app, card_order["order_no"]).id
    admin.post(f"/admin/orders/{order_id}/paid")
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT


def test_production_refuses_test_keys(tmp_path):
    from storefront import create_app
    from storefront.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="test key"):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "x",
                "PRODUCTION": True,
                "TOSS_CLIENT_KEY": CLIENT,
                "TOSS_SECRET_KEY": SECRET,
            }
        )


def test_a_confirm_cut_short_is_settled_by_the_cron_job(app, runner, toss, card_order):
    from storefront import lifecycle

    key = toss.force_done(card_order["order_no"], 45000)  # charged, but the app stopped before recording it
    with app.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.order_no == card_order["order_no"]))
        lifecycle.claim_card_payment(order, key, "toss")
        db.session.commit()
    assert "Settled 1 of 1" in runner.invoke(args=["expire-orders"]).output
    order = order_row(app, card_order["order_no"])
    assert order.status is OrderStatus.PAID and order.payment_key == key


# What a payment's status at the gateway does to its order: (gateway status, order status, this
# attempt, money on the ledger, virtual account) → step.
S = OrderStatus
W = WebhookStep
WEBHOOK_RULES = [
    ("DONE", S.AWAITING_PAYMENT, False, False, False, W.APPLY),  # paid, the buyer never came back
    ("DONE", S.CONFIRMING, True, False, False, W.APPLY),
    ("DONE", S.CONFIRMING, False, False, False, W.IGNORE),  # an older attempt
    ("WAITING_FOR_DEPOSIT", S.CONFIRMING, True, False, True, W.APPLY),  # 가상계좌 issued
    ("DONE", S.AWAITING_DEPOSIT, True, False, True, W.APPLY),  # deposited
    ("DONE", S.PAID, True, True, False, W.IGNORE),  # a repeat
    ("WAITING_FOR_DEPOSIT", S.PAID, True, True, True, W.REVERSED),
    ("WAITING_FOR_DEPOSIT", S.SHIPPED, True, True, True, W.REVERSED),  # flagged, not moved (lifecycle)
    ("WAITING_FOR_DEPOSIT", S.PAID, False, True, True, W.IGNORE),
    ("DONE", S.CANCELLED, True, False, False, W.GIVE_BACK),  # a card paid after the order expired
    ("DONE", S.CANCELLED, True, False, True, W.LATE_DEPOSIT),  # a deposit after the merchant cancelled
    ("DONE", S.CANCELLED, True, True, True, W.IGNORE),  # already on the ledger
    ("CANCELED", S.PAID, True, True, False, W.SYNC_REFUNDS),  # refunded in the console
    ("PARTIAL_CANCELED", S.SHIPPED, True, True, False, W.SYNC_REFUNDS),
    ("CANCELED", S.CANCELLED, True, True, True, W.SYNC_REFUNDS),  # a late deposit refunded in the console
    ("CANCELED", S.PAID, False, True, False, W.IGNORE),  # another attempt's refund
    ("CANCELED", S.AWAITING_PAYMENT, True, False, False, W.IGNORE),
    ("ABORTED", S.CONFIRMING, True, False, False, W.RELEASE),
    ("EXPIRED", S.CONFIRMING, True, False, False, W.RELEASE),
    ("ABORTED", S.AWAITING_PAYMENT, True, False, False, W.IGNORE),
    ("ABORTED", S.CONFIRMING, False, False, False, W.IGNORE),
    ("IN_PROGRESS", S.CONFIRMING, True, False, False, W.IGNORE),
]


@pytest.mark.parametrize(("status", "order_status", "ours", "paid", "virtual", "expected"), WEBHOOK_RULES)
def test_webhook_rule_table(status, order_status, ours, paid, virtual, expected):
    assert webhook_step(status, order_status, ours=ours, paid=paid, virtual_account=virtual) is expected
