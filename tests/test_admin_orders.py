"""주문 관리: the merchant sees the order, confirms the deposit or cancels, exports CSV, and is notified."""

import re

import pytest
import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Notification, Order, OrderEvent, OrderStatus, Product

from .builders import export_orders
from .conftest import place


@pytest.fixture
def ordered(app, client, bank_ready, make_product):
    """A customer has ordered 2 of a product with stock 5."""
    product_id, token = make_product(name="케냐 AA 원두", price=18000, stock_managed=True, stock_quantity=5)
    place(app.test_client(), token, quantity="2")
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        return {"order_id": order.id, "order_no": order.order_no, "product_id": product_id}


def status_of(app, order_id):
    with app.app_context():
        return db.session.get(Order, order_id).status


def stock_of(app, product_id):
    with app.app_context():
        return db.session.get(Product, product_id).stock_quantity


def test_orders_list_shows_the_order_with_an_unread_badge(client, admin, ordered):
    html = client.get("/admin/orders").get_data(as_text=True)
    assert ordered["order_no"] in html and "김*섭" in html and "36,000원" in html and "입금 대기" in html
    assert re.search(r'class="count-badge">1<', html)


def test_order_list_filters_and_search(client, admin, ordered):
    assert ordered["order_no"] in client.get("/admin/orders?status=awaiting_deposit").get_data(as_text=True)
    assert ordered["order_no"] not in client.get("/admin/orders?status=paid").get_data(as_text=True)
    for q in [ordered["order_no"][-4:], "김규", "5678", "010-1234-5678"]:
        assert ordered["order_no"] in client.get(f"/admin/orders?q={q}").get_data(as_text=True), q
    assert ordered["order_no"] not in client.get("/admin/orders?q=박").get_data(as_text=True)
    assert client.get("/admin/orders?status=zzz&page=abc&q=%25").status_code == 200


def test_detail_shows_snapshot_buyer_address_and_history_and_marks_read(client, admin, ordered):
    html = client.get(f"/admin/orders/{ordered['order_id']}").get_data(as_text=True)
    for text in [
        "케냐 AA 원두",
        "18,000원 × 2",
        "36,000원",
        "010-1234-5678",
        "06236",
        "테헤란로 123",
        "문 앞에 놓아 주세요",
        "주문자",
    ]:
        assert text in html, text
    assert "입금 확인" in html and "주문 취소" in html
    assert 'class="count-badge"' not in client.get("/admin/orders").get_data(as_text=True)


def test_confirm_deposit_once(app, client, admin, ordered):
    url = f"/admin/orders/{ordered['order_id']}/paid"
    first = admin.post(url)
    assert first.status_code == 302
    assert status_of(app, ordered["order_id"]) is OrderStatus.PAID
    assert "입금을 확인했습니다." in client.get(first.headers["Location"]).get_data(as_text=True)
    admin.post(url)
    assert "더 이상 입금 확인할 수 없습니다" in client.get(first.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(sa.select(OrderEvent).order_by(OrderEvent.id)).all()
        assert [(e.from_status, e.to_status, e.actor) for e in events] == [
            (None, "awaiting_deposit", "buyer"),
            ("awaiting_deposit", "paid", "owner@example.com"),
        ]
    # A paid order can no longer be cancelled here (refunds come with card payments).
    admin.post(f"/admin/orders/{ordered['order_id']}/cancel")
    assert status_of(app, ordered["order_id"]) is OrderStatus.PAID
    assert stock_of(app, ordered["product_id"]) == 3


def test_cancel_returns_stock_once(app, admin, ordered):
    url = f"/admin/orders/{ordered['order_id']}/cancel"
    assert stock_of(app, ordered["product_id"]) == 3
    admin.post(url)
    admin.post(url)
    assert status_of(app, ordered["order_id"]) is OrderStatus.CANCELLED
    assert stock_of(app, ordered["product_id"]) == 5
    # A deposit that arrives after all is still confirmed: the order takes its units again.
    admin.post(f"/admin/orders/{ordered['order_id']}/paid")
    assert status_of(app, ordered["order_id"]) is OrderStatus.PAID
    assert stock_of(app, ordered["product_id"]) == 3


def test_csv_export_opens_in_excel_with_korean(client, admin, ordered, app):
    with app.app_context():
        db.session.execute(sa.update(Order).values(delivery_note='=HYPERLINK("http://evil")'))
        db.session.commit()
    response = export_orders(admin)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("주문번호,주문일시,상태,주문자")
    assert ordered["order_no"] in text and "케냐 AA 원두 × 2" in text and "입금 대기" in text
    assert "'=HYPERLINK" in text  # formulas are neutralised


def test_product_list_shows_each_links_state_and_order_count(client, admin, ordered, make_product):
    from storefront.models import DisplayStatus

    make_product(name="멈춘 링크", display_status=DisplayStatus.HIDDEN)
    make_product(name="다 팔린 링크", stock_managed=True, stock_quantity=0)
    make_product(name="새 링크")
    html = client.get("/admin/products").get_data(as_text=True)
    assert 'link-on_sale">판매중<' in html and 'link-ordered">주문됨<' in html
    assert html.count('link-ended">종료<') == 2 and "품절" in html
    assert "주문 2건" not in html and "주문 1건" in html


def test_notification_email_is_sent_after_the_order(app, client, bank_ready, make_product, outbox, monkeypatch):
    from storefront import notifications

    sent = outbox
    monkeypatch.setattr(notifications, "send_pending_soon", lambda: None)  # run the sender here, not on a thread
    _, token = make_product(name="알림 상품")
    place(client, token)
    with app.test_request_context():
        assert notifications.send_pending() == 1
        assert notifications.send_pending() == 0  # never twice
        db.session.remove()
    assert "새 주문" in sent[0]["Subject"] and sent[0]["To"] == "owner@example.com"
    assert "알림 상품" in sent[0].get_content()


def test_failed_email_is_kept_and_retried(app, client, runner, bank_ready, make_product, monkeypatch):
    import smtplib

    from storefront import notifications

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(notifications, "send_pending_soon", lambda: None)
    app.config.update(MAIL_SERVER="smtp.example.com")
    with app.test_request_context():
        from storefront.settings import save_settings

        save_settings({"email": "owner@example.com"})
        db.session.commit()
    _, token = make_product()
    place(client, token)
    assert "Sent 0" in runner.invoke(args=["send-notifications"]).output
    with app.app_context():
        note = db.session.scalar(sa.select(Notification))
        assert note.email_sent_at is None and note.email_attempts == 1 and "refused" in note.last_error
