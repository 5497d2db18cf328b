"""A customer pays through the link: checkout, the order page, and links that close themselves."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from storefront import lifecycle
from storefront.extensions import db
from storefront.models import DisplayStatus, Order, OrderStatus, Product, ProductEvent, utcnow

from .conftest import open_checkout, place


def product_row(app, product_id) -> Product:
    with app.app_context():
        product = db.session.get(Product, product_id)
        db.session.expunge(product)
        return product


def all_orders(app) -> list[Order]:
    with app.app_context():
        result = db.session.scalars(sa.select(Order).options(sa.orm.selectinload(Order.items))).all()
        db.session.expunge_all()
        return list(result)


def test_bank_transfer_order_from_the_link(app, client, bank_ready, make_product):
    product_id, token = make_product(
        name="김규섭 고객님 개인결제창", price=128000, listed=False, stock_managed=True, stock_quantity=1
    )
    response = place(client, token)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.fullmatch(r"/orders/\d{6}-[A-Z2-9]{8}\?t=[A-Za-z0-9_-]{32}", location)
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "주문 완료" in html and "입금 대기" in html
    assert "국민은행 123456-01-234567 (규섭커피)" in re.sub(r"<[^>]+>", "", html)
    assert "128,000원" in html
    assert "010-1234-5678" in html
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    [order] = all_orders(app)
    assert order.total_amount == 128000 and order.status is OrderStatus.AWAITING_DEPOSIT
    assert order.buyer_phone == "01012345678" and order.recipient_phone == "01012345678"
    assert order.access_token_hash != location.split("t=")[1]  # only a hash is stored
    assert product_row(app, product_id).stock_quantity == 0
    # The next customer sees 품절 and cannot reach a checkout.
    other = app.test_client()
    assert "품절" in other.get(f"/products/{token}").get_data(as_text=True)
    assert other.get(f"/products/{token}/buy").status_code == 302


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"buyer_name": ""}, "이름을 입력하세요."),
        ({"buyer_phone": "010-12"}, "010-1234-5678 형식의 휴대폰 번호를 입력하세요."),
        ({"buyer_phone": "02-123-4567"}, "010-1234-5678 형식의 휴대폰 번호를 입력하세요."),
        ({"buyer_email": "not-an-email"}, "올바른 이메일 주소를 입력하세요."),
        ({"postcode": "123"}, "우편번호 5자리를 입력하세요."),
        ({"address": ""}, "주소를 입력하세요."),
        ({"quantity": "0"}, "1개 이상 주문하세요."),
        ({"quantity": "-1"}, "1개 이상 주문하세요."),
        ({"quantity": "1000000000"}, "최대 5개까지 주문할 수 있습니다."),
        ({"quantity": "abc"}, "수량은 숫자로 입력하세요."),
        ({"agree_collection": None}, "주문하려면 개인정보 수집·이용에 동의해 주세요."),
        ({"agree_terms": None}, "결제하려면 구매조건 확인 및 결제 진행에 동의해 주세요."),
    ],
)
def test_bad_checkout_input_is_refused_beside_its_field_and_kept(
    app, client, bank_ready, make_product, changes, message
):
    _, token = make_product(stock_managed=True, stock_quantity=5)
    response = place(client, token, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="문 앞에 놓아 주세요"' in html  # everything else typed is kept
    assert all_orders(app) == []


def test_prices_and_products_come_from_the_database_not_the_form(app, client, bank_ready, make_product):
    _, token = make_product(name="비싼 상품", price=50000)
    other_id, _ = make_product(name="다른 상품", price=100)
    response = place(client, token, price="1", total_amount="1", product_id=str(other_id), unit_price="1", quantity="2")
    assert response.status_code == 302
    [order] = all_orders(app)
    assert order.total_amount == 100000
    assert [(i.product_name, i.unit_price, i.quantity) for i in order.items] == [("비싼 상품", 50000, 2)]


def test_double_submit_makes_one_order(app, client, bank_ready, make_product):
    _, token = make_product(stock_managed=True, stock_quantity=5)
    data = open_checkout(client, token)
    first = client.post(f"/products/{token}/buy", data=data)
    second = client.post(f"/products/{token}/buy", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(all_orders(app)) == 1
    # Replayed from a browser that never saw the first answer: still one order, and no order page leaked.
    stranger = app.test_client()
    stranger_csrf = open_checkout(stranger, token)["csrf_token"]
    replay = stranger.post(f"/products/{token}/buy", data={**data, "csrf_token": stranger_csrf})
    assert replay.status_code == 409 and "이미 접수된 주문입니다" in replay.get_data(as_text=True)
    assert len(all_orders(app)) == 1


def test_order_page_needs_its_secret(app, client, bank_ready, make_product):
    _, token = make_product()
    location = place(client, token).headers["Location"]
    order_no, secret = re.match(r"/orders/([^?]+)\?t=(.+)", location).groups()
    stranger = app.test_client()
    missing_secret = stranger.get(f"/orders/{order_no}")
    wrong_secret = stranger.get(f"/orders/{order_no}?t=wrong-{secret[:10]}")
    no_such_order = stranger.get(f"/orders/990101-AAAAAAAA?t={secret}")
    assert missing_secret.status_code == wrong_secret.status_code == no_such_order.status_code == 404
    bodies = {
        re.sub(r"next=[^\"]*", "", r.get_data(as_text=True)) for r in (missing_secret, wrong_secret, no_such_order)
    }
    assert len(bodies) == 1  # the same page whether or not the order exists
    assert stranger.get(location).status_code == 200  # the link itself is the receipt


def test_product_without_shipping_asks_no_address(app, client, bank_ready, make_product):
    _, token = make_product(name="상담 예약금", requires_shipping=False)
    assert "배송지" not in client.get(f"/products/{token}/buy").get_data(as_text=True)
    response = place(client, token, recipient_name="", recipient_phone="", postcode="", address="")
    assert response.status_code == 302
    [order] = all_orders(app)
    assert order.address == "" and order.requires_shipping is False


def test_checkout_explains_when_payment_is_not_set_up(client, make_product):
    _, token = make_product()
    response = client.get(f"/products/{token}/buy")
    assert response.status_code == 503
    assert "이 상점은 아직 결제를 받지 않습니다." in response.get_data(as_text=True)


def test_purchase_limit_closes_the_link_by_itself(app, client, bank_ready, make_product):
    product_id, token = make_product(name="1회 결제창", listed=False, purchase_limit=1)
    assert place(client, token).status_code == 302
    product = product_row(app, product_id)
    assert product.display_status is DisplayStatus.HIDDEN and product.order_count == 1
    with app.app_context():
        event = db.session.scalar(
            sa.select(ProductEvent).where(ProductEvent.product_id == product_id, ProductEvent.action == "auto_closed")
        )
        assert event.actor == "system" and "purchase limit 1" in event.detail
    assert client.get(f"/products/{token}").status_code == 410
    assert client.get(f"/products/{token}/buy").status_code == 410


def test_sale_end_date_ends_the_link(app, client, bank_ready, make_product):
    _, token = make_product(name="기한 상품", sale_ends_at=utcnow() - timedelta(minutes=1))
    response = client.get(f"/products/{token}")
    assert response.status_code == 410 and "판매가 종료된 상품입니다" in response.get_data(as_text=True)
    assert client.get(f"/products/{token}/buy").status_code == 410
    assert "기한 상품" not in client.get("/").get_data(as_text=True)


def test_sale_closing_while_the_form_is_open_is_explained(app, client, bank_ready, make_product):
    product_id, token = make_product(stock_managed=True, stock_quantity=1)
    form = open_checkout(client, token)
    with app.app_context():
        db.session.get(Product, product_id).stock_quantity = 0
        db.session.commit()
    response = client.post(f"/products/{token}/buy", data=form)
    assert response.status_code in (302, 409)
    assert all_orders(app) == []


def test_order_snapshot_survives_editing_the_product(app, client, bank_ready, make_product):
    product_id, token = make_product(name="원래 이름", price=30000)
    place(client, token)
    with app.app_context():
        product = db.session.get(Product, product_id)
        product.name, product.price = "바뀐 이름", 99000
        db.session.commit()
    [order] = all_orders(app)
    assert (order.items[0].product_name, order.items[0].unit_price, order.total_amount) == ("원래 이름", 30000, 30000)


def expire_now(app, order_no):
    with app.app_context():
        db.session.execute(
            sa.update(Order).where(Order.order_no == order_no).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_expiry_cancels_and_returns_stock_exactly_once(app, client, runner, bank_ready, make_product):
    product_id, token = make_product(stock_managed=True, stock_quantity=3)
    place(client, token, quantity="2")
    [order] = all_orders(app)
    assert product_row(app, product_id).stock_quantity == 1
    expire_now(app, order.order_no)
    assert "Cancelled 1 overdue order" in runner.invoke(args=["expire-orders"]).output
    assert "Cancelled 0 overdue order" in runner.invoke(args=["expire-orders"]).output
    assert product_row(app, product_id).stock_quantity == 3
    [order] = all_orders(app)
    assert order.status is OrderStatus.CANCELLED


def test_reading_an_overdue_order_cancels_it(app, client, bank_ready, make_product):
    product_id, token = make_product(stock_managed=True, stock_quantity=1)
    location = place(client, token).headers["Location"]
    expire_now(app, all_orders(app)[0].order_no)
    html = client.get(location).get_data(as_text=True)
    assert "취소된 주문입니다" in html
    assert product_row(app, product_id).stock_quantity == 1


def test_concurrent_expiry_returns_stock_once(app, bank_ready, make_product):
    import threading

    product_id, token = make_product(stock_managed=True, stock_quantity=1)
    place(app.test_client(), token)
    expire_now(app, all_orders(app)[0].order_no)
    barrier = threading.Barrier(4)
    counts = []

    def run():
        with app.app_context():
            barrier.wait()
            counts.append(len(lifecycle.expire_due()))
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 0, 0, 1]
    assert product_row(app, product_id).stock_quantity == 1


def test_preset_fills_the_seeds_recommended_settings(app, client, admin):
    admin.post("/admin/categories", data={"action": "save", "rows-0-id": "", "rows-0-name": "개인결제창"})
    html = admin.post("/admin/products/new", data={"action": "preset", "name": "김규섭 고객님"}).get_data(as_text=True)
    assert "개인결제창 권장 설정을 채웠습니다" in html
    assert re.search(r'<input checked id="listed-1"', html)  # 상품 목록에 진열: 진열 안함
    assert re.search(r'<input checked id="stock_managed-0"', html)
    assert re.search(r'<input[^>]*name="stock_quantity"[^>]*value="1"', html)
    assert re.search(r'<input[^>]*name="purchase_limit"[^>]*value="1"', html)
    assert re.search(r"<option selected value=\"\d+\">개인결제창</option>", html)
    assert 'value="김규섭 고객님"' in html  # what the merchant typed is kept
