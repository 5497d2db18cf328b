"""Two admins at once: 입금 확인 and 주문 취소 on the same order end in one state with consistent stock."""

import threading

import sqlalchemy as sa

from storefront.extensions import db
from storefront.models import Order, OrderEvent, OrderStatus, Product

from ..conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_from, place


def test_confirm_and_cancel_at_once(app, live_app, bank_ready, make_product):
    import requests

    product_id, token = make_product(stock_managed=True, stock_quantity=10)
    buyer = app.test_client()
    for _ in range(6):
        assert place(buyer, token).status_code == 302

    def merchant_session():
        session = requests.Session()
        html = session.get(f"{live_app.url}/admin/login").text
        session.post(
            f"{live_app.url}/admin/login",
            data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": csrf_from(html)},
        )
        return session, csrf_from(session.get(f"{live_app.url}/admin/categories").text)

    confirmer, canceller = merchant_session(), merchant_session()
    with app.app_context():
        order_ids = list(db.session.scalars(sa.select(Order.id)))

    def act(who, url, barrier, codes):
        session, csrf = who
        barrier.wait()
        codes.append(session.post(url, data={"csrf_token": csrf}, allow_redirects=False).status_code)

    for order_id in order_ids:
        barrier, codes = threading.Barrier(2), []
        base = f"{live_app.url}/admin/orders/{order_id}"
        threads = [
            threading.Thread(target=act, args=(confirmer, f"{base}/paid", barrier, codes)),
            threading.Thread(target=act, args=(canceller, f"{base}/cancel", barrier, codes)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert codes == [302, 302]

    with app.app_context():
        orders = db.session.scalars(sa.select(Order)).all()
        cancelled = sum(1 for o in orders if o.status is OrderStatus.CANCELLED)
        paid = sum(1 for o in orders if o.status is OrderStatus.PAID)
        assert cancelled + paid == len(orders)
        # Each order moved once after being placed, or twice: cancelled, then revived by the deposit.
        for order in orders:
            moves = db.session.scalar(
                sa.select(sa.func.count()).where(OrderEvent.order_id == order.id, OrderEvent.from_status.is_not(None))
            )
            assert moves == (2 if order.status is OrderStatus.PAID and order.cancelled_at else 1)
        # Stock: 10 minus the orders still standing (paid); cancelled ones came back exactly once.
        assert db.session.get(Product, product_id).stock_quantity == 10 - paid
