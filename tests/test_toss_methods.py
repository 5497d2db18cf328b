"""Every method the Toss payment widget can hand back, the keys it takes, and the limits it enforces."""

import re

import pytest
import sqlalchemy as sa

from storefront import ledger
from storefront.extensions import db
from storefront.models import Notification, Order, OrderStatus, PaymentRecord

from .builders import CLIENT, SECRET, expire, export_orders, order_row, stock, success_url, webhook
from .conftest import place


def pay_by(client, toss, order, method, **kwargs):
    key = toss.authenticate(order["order_no"], 45000, method=method, **kwargs)
    response = client.get(success_url(order, key, 45000))
    assert response.status_code == 302
    return key, client.get(response.headers["Location"]).get_data(as_text=True)


def test_virtual_account_waits_for_the_deposit_and_the_callback_pays_it(app, client, admin, toss, card_order):
    key, page = pay_by(client, toss, card_order, "가상계좌")
    account = toss.payments[key]["virtualAccount"]
    assert "입금 대기" in page and "우리은행" in page and account["accountNumber"] in page
    order = order_row(app, card_order["order_no"])
    assert order.status is OrderStatus.AWAITING_DEPOSIT and order.provider_method == "가상계좌"
    assert order.expires_at is not None and stock(app, card_order["product_id"]) == 1
    detail = client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert account["accountNumber"] in detail and "가상계좌 · 토스페이먼츠" in detail

    callback = toss.deposit(key)
    assert client.post("/webhooks/toss", json={**callback, "secret": "ps_guessed"}).status_code == 200
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_DEPOSIT
    wrapped = {"eventType": "DEPOSIT_CALLBACK", "createdAt": callback["createdAt"], "data": callback}
    assert client.post("/webhooks/toss", json=wrapped).status_code == 200
    assert client.post("/webhooks/toss", json=callback).status_code == 200  # delivered twice, in the older shape
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    with app.app_context():
        paid = db.session.scalar(sa.select(sa.func.sum(PaymentRecord.amount)).where(PaymentRecord.order_id == order.id))
    assert paid == 45000


def test_a_deposit_is_also_found_by_the_cron_job(app, client, runner, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    toss.deposit(key)  # the callback never arrived
    assert "1 of 1 virtual account(s) deposited" in runner.invoke(args=["expire-orders"]).output
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID


def test_an_unpaid_virtual_account_is_cancelled_at_its_due_date(app, client, runner, toss, card_order):
    pay_by(client, toss, card_order, "가상계좌")
    expire(app, card_order["order_no"])
    runner.invoke(args=["expire-orders"])
    assert order_row(app, card_order["order_no"]).status is OrderStatus.CANCELLED
    assert stock(app, card_order["product_id"]) == 2


def test_virtual_account_refund_goes_to_the_account_the_merchant_enters(app, client, admin, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    client.post("/webhooks/toss", json=toss.deposit(key))
    order_id = order_row(app, card_order["order_no"]).id
    assert 'name="refund_account"' in client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    missing = admin.refund(order_id, amount="10000")
    assert missing.status_code == 422 and toss.refunds == 0
    admin.refund(
        order_id, amount="10000", refund_bank="신한", refund_account="110-123-456789", refund_holder="김구매"
    )
    assert toss.refunds == 1
    assert toss.payments[key]["cancels"][0]["refundReceiveAccount"] == {
        "bank": "88",
        "accountNumber": "110123456789",
        "holderName": "김구매",
    }
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PARTIALLY_REFUNDED


@pytest.mark.parametrize(
    "method,easy_pay,label",
    [("간편결제", "토스페이", "간편결제 (토스페이)"), ("계좌이체", "", "계좌이체"), ("휴대폰", "", "휴대폰")],
)
def test_other_methods_are_recorded_as_what_they_are(app, client, admin, toss, card_order, method, easy_pay, label):
    pay_by(client, toss, card_order, method, easy_pay=easy_pay)
    order = order_row(app, card_order["order_no"])
    assert order.status is OrderStatus.PAID and order.provider_method == label
    assert f"{label} · 토스페이먼츠" in client.get(f"/admin/orders/{order.id}").get_data(as_text=True)
    assert f"{label} · 토스페이먼츠" in export_orders(admin).get_data(as_text=True)


def test_lookup_by_order_answers_the_latest_attempt(toss):
    import requests

    from storefront.payments.toss import TossClient

    from .conftest import LiveServer

    server = LiveServer(toss.app)
    server.start()
    try:
        first = toss.authenticate("261202-ABCDEFGH", 5000)
        toss.abort(first)
        second = toss.authenticate("261202-ABCDEFGH", 5000)
        gateway = TossClient(server.url, SECRET, 2)
        assert gateway.payment_for_order("261202-ABCDEFGH")["paymentKey"] == second
        assert gateway.payment(first)["status"] == "ABORTED"
        wrong = TossClient(server.url, "test_sk_" + SECRET[9:], 2)  # an API 개별 연동 키
        with pytest.raises(Exception, match="인증되지 않은"):
            wrong.payment(first)
        assert requests.get(server.url + f"/v1/payments/{first}").status_code == 401
    finally:
        server.stop()


def test_widget_payments_are_confirmed_only_with_the_widget_secret_key():
    from storefront.payments import PaymentError
    from storefront.payments.toss import TossClient

    from .conftest import LiveServer
    from .fake_toss import FakeToss

    api_key = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"
    fake = FakeToss(api_key)  # a merchant who set the API 개별 연동 키 on the server
    server = LiveServer(fake.app)
    server.start()
    try:
        key = fake.authenticate("261202-ABCDEFGH", 5000)
        with pytest.raises(PaymentError) as refused:
            TossClient(server.url, api_key, 2).confirm(key, "261202-ABCDEFGH", 5000, "k1")
        assert refused.value.code == "UNAUTHORIZED_KEY" and fake.charges == 0
    finally:
        server.stop()


def test_the_fake_refuses_what_the_sdk_refuses(toss):
    from .fake_toss import FakeTossError

    with pytest.raises(FakeTossError, match="orderId"):
        toss.authenticate("short", 5000)
    with pytest.raises(FakeTossError) as below:
        toss.authenticate("261202-ABCDEFGH", 50)
    assert below.value.code == "BELOW_MINIMUM_AMOUNT"
    with pytest.raises(FakeTossError):
        toss.authenticate("261202-ABCDEFGH", 5000, order_name="가" * 101)


def test_an_expired_authentication_is_not_confirmed(app, client, toss, card_order):
    key = toss.authenticate(card_order["order_no"], 45000)
    toss.advance(minutes=11)
    response = client.get(success_url(card_order, key, 45000))
    assert response.status_code == 402
    assert order_row(app, card_order["order_no"]).status is OrderStatus.AWAITING_PAYMENT
    assert toss.payments[key]["status"] == "EXPIRED" and toss.charges == 0


@pytest.mark.parametrize("price", [0, 50])
def test_card_is_not_offered_under_100_won(app, client, toss, bank_ready, make_product, price):
    _, token = make_product(price=price)
    html = client.get(f"/products/{token}/buy").get_data(as_text=True)
    assert 'value="card"' not in html and "무통장입금" in html  # no card option among the 결제수단
    response = place(client, token, payment_method="card")
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_the_widget_gets_only_what_it_accepts(app, client, toss, make_product):
    _, token = make_product(price=45000)
    long_email = "a" * 95 + "@example.com"
    response = place(client, token, payment_method="card", buyer_email=long_email)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-customer-email=""' in html
    assert re.search(r'data-customer-phone="\d{8,15}"', html)


@pytest.mark.parametrize(
    "client_key,secret_key,message",
    [
        ("test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq", SECRET, "API 개별 연동 키"),
        (CLIENT, "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R", "API 개별 연동 키"),
        (CLIENT, "", "set both"),
    ],
)
def test_startup_refuses_keys_the_widget_does_not_take(tmp_path, client_key, secret_key, message):
    from storefront import create_app
    from storefront.config import ConfigurationError

    with pytest.raises(ConfigurationError, match=message):
        create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "x",
                "TOSS_CLIENT_KEY": client_key,
                "TOSS_SECRET_KEY": secret_key,
            }
        )


def test_only_the_card_page_lets_the_widget_in(client, toss, card_order, make_product):
    def policy(url):
        header = client.get(url).headers["Content-Security-Policy"]
        return {part.split()[0]: part.split()[1:] for part in header.split("; ")}

    toss_hosts = ["https://*.tosspayments.com", "https://static.toss.im", "https://polyfill-fe.toss.im",
                  "https://assets-fe.toss.im"]  # fmt: skip
    card = policy(card_order["url"])
    assert card["script-src"] == ["'self'", *toss_hosts] and card["connect-src"] == ["'self'", *toss_hosts]
    assert card["frame-src"] == ["https://*.tosspayments.com", "https://*.toss.im"]
    # The phone's same-tab flow posts to the payment window, which redirects to card issuers.
    assert card["form-action"] == ["'self'", "https:"]
    assert card["report-uri"] == ["/csp-report"]
    _, token = make_product()
    product = policy(f"/products/{token}")
    assert product["script-src"] == ["'self'"] and product["frame-src"] == ["'none'"]
    assert product["form-action"] == ["'self'"] and product["connect-src"] == ["'self'"]
    assert product["report-uri"] == ["/csp-report"]


def test_a_browser_report_of_what_the_policy_blocked_is_logged_without_secrets(client, caplog, make_product):
    _, token = make_product()
    blocked = {"blocked-uri": "https://pay.cardissuer.example/app", "violated-directive": "frame-src"}
    report = {"csp-report": {"document-uri": f"https://shop.example.kr/products/{token}?x=1", **blocked}}
    response = client.post("/csp-report", json=report, headers={"Content-Type": "application/csp-report"})
    assert response.status_code == 204
    assert "https://pay.cardissuer.example/app" in caplog.text and "frame-src" in caplog.text
    assert token not in caplog.text
    chromium = [{"type": "csp-violation", "body": {"documentURL": "https://shop.example.kr/orders/x",
                 "blockedURL": "https://polyfill.example/p.js", "effectiveDirective": "script-src-elem"}}]  # fmt: skip
    assert client.post("/csp-report", json=chromium).status_code == 204
    assert "polyfill.example" in caplog.text
    assert client.post("/csp-report", data="not json").status_code == 400
    assert client.post("/csp-report", data="x" * 20000).status_code == 413


def test_an_expired_virtual_account_order_is_closed_at_the_gateway_too(app, client, runner, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    expire(app, card_order["order_no"])  # its 입금 기한 passed
    assert "Cancelled 1 overdue" in runner.invoke(args=["expire-orders"]).output
    assert order_row(app, card_order["order_no"]).status is OrderStatus.CANCELLED
    assert toss.payments[key]["status"] == "CANCELED"  # no money can arrive for it any more


def test_cancelling_an_order_closes_its_virtual_account(app, client, admin, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    order_id = order_row(app, card_order["order_no"]).id
    admin.post(f"/admin/orders/{order_id}/cancel")
    assert order_row(app, card_order["order_no"]).status is OrderStatus.CANCELLED
    assert toss.payments[key]["status"] == "CANCELED"
    assert stock(app, card_order["product_id"]) == 2


def test_a_refund_refused_for_a_wrong_account_goes_through_once_the_account_is_corrected(
    app, client, admin, toss, card_order
):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    client.post("/webhooks/toss", json=toss.deposit(key))
    order_id = order_row(app, card_order["order_no"]).id
    account = {"refund_bank": "신한", "refund_holder": "김구매"}
    refused = admin.refund(order_id, amount="10000", refund_account="12", follow_redirects=True, **account)
    assert "환불 계좌 정보가 올바르지 않습니다" in refused.get_data(as_text=True) and toss.refunds == 0
    # Corrected: Toss must not answer with the refusal replayed.
    admin.refund(order_id, amount="10000", refund_account="110-123-456789", **account)
    assert toss.refunds == 1
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PARTIALLY_REFUNDED


def _deposit_after_the_merchant_cancelled(app, client, admin, toss, card_order):
    """가상계좌 issued; the merchant cancels the order but Toss does not answer, so the account stays
    open; the buyer deposits anyway."""
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    order_id = order_row(app, card_order["order_no"]).id
    toss.fail_cancels = 1
    cancelled = admin.post(f"/admin/orders/{order_id}/cancel", follow_redirects=True).get_data(as_text=True)
    assert "토스페이먼츠 상점관리자에서도 가상계좌를 취소해 주세요" in cancelled
    assert toss.payments[key]["status"] == "WAITING_FOR_DEPOSIT"
    callback = toss.deposit(key)
    for _ in range(2):  # delivered twice
        assert client.post("/webhooks/toss", json=callback).status_code == 200
    return key, order_id


def test_a_deposit_after_the_merchant_cancelled_is_kept_for_a_refund(app, client, admin, toss, card_order):
    key, order_id = _deposit_after_the_merchant_cancelled(app, client, admin, toss, card_order)
    order = order_row(app, card_order["order_no"])
    assert order.status is OrderStatus.CANCELLED
    with app.app_context():
        assert ledger.totals(order).balance == 45000  # once, though the callback came twice
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.order_id == order_id)).all()
    assert kinds.count("late_deposit") == 1
    page = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "환불하기" in page and 'name="refund_account"' in page
    admin.refund(order_id, amount="45000", refund_bank="신한", refund_account="110-123-456789", refund_holder="김구매")
    assert toss.refunds == 1 and order_row(app, card_order["order_no"]).status is OrderStatus.REFUNDED


def test_a_console_refund_of_a_late_deposit_is_recorded_once(app, client, admin, toss, card_order):
    key, order_id = _deposit_after_the_merchant_cancelled(app, client, admin, toss, card_order)
    toss.cancel_in_console(key)
    for _ in range(2):
        assert webhook(client, key, card_order["order_no"], "CANCELED").status_code == 200
    order = order_row(app, card_order["order_no"])
    with app.app_context():
        assert ledger.totals(order).refunded == 45000 and ledger.totals(order).balance == 0
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.order_id == order_id)).all()
    assert kinds.count("order_refunded") == 1 and order.status is OrderStatus.REFUNDED


def test_a_reversed_deposit_puts_the_order_back_to_awaiting_deposit(app, client, admin, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    client.post("/webhooks/toss", json=toss.deposit(key))
    order_id = order_row(app, card_order["order_no"]).id
    assert order_row(app, card_order["order_no"]).status is OrderStatus.PAID
    callback = toss.reverse_deposit(key)
    for _ in range(2):  # delivered twice
        assert client.post("/webhooks/toss", json=callback).status_code == 200
    order = order_row(app, card_order["order_no"])
    assert order.status is OrderStatus.AWAITING_DEPOSIT and order.paid_at is None
    with app.app_context():
        assert ledger.totals(order).balance == 0
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.order_id == order_id)).all()
    assert "deposit_reversed" in kinds
    page = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "배송 시작" not in page and "입금 취소" in page
    client.post("/webhooks/toss", json=toss.deposit(key))  # paid again
    order = order_row(app, card_order["order_no"])
    with app.app_context():
        assert order.status is OrderStatus.PAID and ledger.totals(order).balance == 45000


def test_a_deposit_reversed_then_made_again_is_refunded_and_recorded_once(app, client, admin, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    client.post("/webhooks/toss", json=toss.deposit(key))
    client.post("/webhooks/toss", json=toss.reverse_deposit(key))
    client.post("/webhooks/toss", json=toss.deposit(key))  # paid again
    order = order_row(app, card_order["order_no"])
    with app.app_context():
        assert ledger.totals(order) == ledger.Totals(paid=45000, refunded=0)  # a reversal is no refund
    admin.refund(order.id, amount="45000", refund_bank="신한", refund_account="110-123-456789", refund_holder="김구매")
    order = order_row(app, card_order["order_no"])
    assert toss.refunds == 1 and order.status is OrderStatus.REFUNDED


def test_a_repeated_reversal_after_shipping_tells_the_merchant_once(app, client, admin, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    client.post("/webhooks/toss", json=toss.deposit(key))
    order_id = order_row(app, card_order["order_no"]).id
    admin.post(f"/admin/orders/{order_id}/ship", data={"carrier": "cj", "tracking_no": "123456789012"})
    callback = toss.reverse_deposit(key)
    for _ in range(3):
        client.post("/webhooks/toss", json=callback)
    with app.app_context():
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.order_id == order_id)).all()
    assert kinds.count("deposit_reversed") == 1


def test_a_webhook_whose_data_is_not_an_object_is_ignored(client, toss):
    body = {"eventType": "PAYMENT_STATUS_CHANGED", "data": "x"}
    assert client.post("/webhooks/toss", json=body).status_code == 200


def test_a_reversed_deposit_after_shipping_is_flagged_to_the_merchant(app, client, admin, toss, card_order):
    key, _ = pay_by(client, toss, card_order, "가상계좌")
    client.post("/webhooks/toss", json=toss.deposit(key))
    order_id = order_row(app, card_order["order_no"]).id
    admin.post(f"/admin/orders/{order_id}/ship", data={"carrier": "cj", "tracking_no": "123456789012"})
    assert order_row(app, card_order["order_no"]).status is OrderStatus.SHIPPED
    client.post("/webhooks/toss", json=toss.reverse_deposit(key))
    assert order_row(app, card_order["order_no"]).status is OrderStatus.SHIPPED
    with app.app_context():
        kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.order_id == order_id)).all()
    assert "deposit_reversed" in kinds


def test_a_partial_refund_in_the_console_is_a_partial_refund_here(app, client, toss, card_order):
    key = toss.authenticate(card_order["order_no"], 45000)
    client.get(success_url(card_order, key, 45000))
    toss.cancel_in_console(key, 5000)
    assert webhook(client, key, card_order["order_no"], "PARTIAL_CANCELED").status_code == 200
    assert webhook(client, key, card_order["order_no"], "PARTIAL_CANCELED").status_code == 200
    order = order_row(app, card_order["order_no"])
    assert order.status is OrderStatus.PARTIALLY_REFUNDED
    with app.app_context():
        refunded = db.session.scalar(
            sa.select(sa.func.sum(PaymentRecord.amount)).where(
                PaymentRecord.order_id == order.id, PaymentRecord.amount < 0
            )
        )
    assert refunded == -5000
