"""장바구니: listed products (with their 옵션) go in, 수량 변경 · 삭제 · 선택 삭제, one 묶음 배송비, 주문하기 makes
one order of several lines (all or nothing, even under a race), and lines that changed are left out, saying why."""

import re

import pytest
import requests
import sqlalchemy as sa

from storefront import catalog
from storefront.extensions import db
from storefront.models import DisplayStatus, Order, Product, ProductVariant
from storefront.settings import save_settings

from .builders import orders_made, race
from .conftest import BUYER_FORM, csrf_from
from .test_options import choice, make_shirt, variant


def add(client, token, quantity=1, action="cart", **picked):
    page = client.get(f"/products/{token}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "token": token, "quantity": str(quantity), "action": action, **picked}
    return client.post("/cart", data=data)


def cart_html(client) -> str:
    return client.get("/cart").get_data(as_text=True)


def order_cart(client, **overrides):
    """주문하기 with the buyer's details and the 합계 the page shows."""
    page = client.get("/cart/checkout")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', html).group(1)
    total = re.search(r'name="expected_total" type="hidden" value="(\d+)"', html).group(1)
    form = {**BUYER_FORM, "csrf_token": csrf_from(html), "nonce": nonce, "expected_total": total, **overrides}
    form.pop("quantity")
    return client.post("/cart/checkout", data=form)


@pytest.fixture
def beans(make_product):
    return make_product(name="원두 1kg", price=18000, stock_managed=True, stock_quantity=10)


@pytest.fixture
def shop_fee(app, bank_ready):
    """기본 배송비 3,000원, 50,000원 이상 무료."""
    with app.test_request_context():
        save_settings({"shipping_fee_type": "conditional", "shipping_fee": 3000, "shipping_free_from": 50000})
        db.session.commit()


def test_two_products_with_options_one_order_one_shipping_fee(app, client, admin, shop_fee, beans):
    beans_id, beans_token = beans
    shirt_id, shirt_token = make_shirt(app)
    assert add(client, shirt_token, 1, **choice(app, shirt_id, "M / 블랙")).headers["Location"].startswith("/cart")
    add(client, beans_token, 1)
    html = cart_html(client)
    assert "티셔츠" in html and "M / 블랙" in html and "원두 1kg" in html
    assert re.search(r"cart_n=2", client.get("/cart").headers["Set-Cookie"])
    # 수량 변경: two bags of beans.
    quantities = {"qty-0": "1", "qty-1": "2", "action": "quantities"}
    client.post("/cart/update", data={"csrf_token": csrf_from(html), **quantities})
    html = cart_html(client)
    assert "56,000원" in html  # 20,000 + 2 × 18,000; over 50,000원: 무료
    response = order_cart(client)
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        assert [(i.product_name, i.option_text, i.unit_price, i.quantity) for i in order.items] == [
            ("티셔츠", "M / 블랙", 20000, 1),
            ("원두 1kg", "", 18000, 2),
        ]
        assert (order.total_amount, order.shipping_fee) == (56000, 0)
        assert order.order_name == "티셔츠 외 1건"
        assert db.session.get(Product, beans_id).stock_quantity == 8
    assert variant(app, shirt_id, "M / 블랙").stock_quantity == 4
    assert "장바구니가 비어 있습니다." in cart_html(client)  # the ordered lines left the cart
    # The merchant sees one order with both lines and the option.
    admin_html = admin._client.get("/admin/orders").get_data(as_text=True)
    assert "티셔츠 (M / 블랙) × 1" in admin_html and "원두 1kg × 2" in admin_html


def test_one_bundled_fee_below_the_free_threshold(app, client, shop_fee, beans, make_product):
    _, beans_token = beans
    _, cups_token = make_product(name="드립백", price=9000)
    add(client, beans_token)
    add(client, cups_token)
    html = cart_html(client)
    assert "27,000원" in html and "3,000원" in html and "30,000원" in html  # one 배송비 for both


def test_remove_and_remove_selected(app, client, bank_ready, beans, make_product):
    _, beans_token = beans
    tokens = [beans_token] + [make_product(name=f"상품{n}", price=1000)[1] for n in range(3)]
    for token in tokens:
        add(client, token)
    html = cart_html(client)
    client.post("/cart/update", data={"csrf_token": csrf_from(html), "action": "remove-0"})
    html = cart_html(client)
    assert "원두 1kg" not in html and "장바구니에서 삭제했습니다." in html
    response = client.post("/cart/update", data={"csrf_token": csrf_from(html), "action": "remove-selected"})
    assert "삭제할 상품을 선택하세요." in client.get(response.headers["Location"]).get_data(as_text=True)
    client.post(
        "/cart/update", data={"csrf_token": csrf_from(html), "action": "remove-selected", "selected": ["0", "2"]}
    )
    html = cart_html(client)
    assert "상품1" in html and "상품0" not in html and "상품2" not in html


def change(app, product_id, **values):
    with app.app_context():
        db.session.execute(sa.update(Product).where(Product.id == product_id).values(**values))
        db.session.commit()


@pytest.mark.parametrize(
    "changed, message",
    [
        ({"display_status": DisplayStatus.HIDDEN}, "판매 종료"),
        ({"stock_quantity": 0}, "품절"),
        ({"stock_quantity": 1}, "1개만 남았습니다: 수량을 줄여 주세요"),
        ({"price": 21000}, "가격이 18,000원에서 21,000원으로 바뀌었습니다"),
        ({"listed": False}, "판매 종료"),
    ],
)
def test_a_line_that_changed_is_shown_and_left_out(app, client, bank_ready, beans, make_product, changed, message):
    beans_id, beans_token = beans
    _, cups_token = make_product(name="드립백", price=9000)
    add(client, beans_token, 2)
    add(client, cups_token, 1)
    change(app, beans_id, **changed)
    html = cart_html(client)
    assert message in html and "주문에서 제외됩니다" in html
    assert "9,000원" in html and "합계" in html
    response = order_cart(client)
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        assert [i.product_name for i in order.items] == ["드립백"]  # never the changed line
        assert order.total_amount == 9000
    assert "원두 1kg" in cart_html(client)  # it stays in the cart, to be seen again


def test_a_new_price_is_kept_only_when_the_buyer_says_so(app, client, bank_ready, beans):
    beans_id, beans_token = beans
    add(client, beans_token)
    change(app, beans_id, price=15000)
    html = cart_html(client)
    assert "바뀐 가격으로 담기" in html
    client.post("/cart/update", data={"csrf_token": csrf_from(html), "action": "accept-0"})
    html = cart_html(client)
    assert "가격이" not in html and "15,000원" in html
    assert order_cart(client).status_code == 302


def test_an_option_taken_off_sale_is_left_out(app, client, bank_ready):
    shirt_id, shirt_token = make_shirt(app)
    add(client, shirt_token, **choice(app, shirt_id, "S / 화이트"))
    off = variant(app, shirt_id, "S / 화이트")
    with app.app_context():
        db.session.execute(sa.update(ProductVariant).where(ProductVariant.id == off.id).values(on_sale=False))
        db.session.commit()
    html = cart_html(client)
    assert "판매하지 않는 옵션입니다" in html
    assert client.get("/cart/checkout").status_code == 302  # nothing left to order


def test_a_window_is_bought_alone(app, client, bank_ready, make_product):
    with app.test_request_context():
        window = catalog.create_product(
            catalog.ProductData(name="김규섭 고객님 개인결제창", price=56000, **catalog.personal_payment_preset())
        )
        db.session.commit()
        token = window.public_token
    page = client.get(f"/products/{token}").get_data(as_text=True)
    assert "구매하기" in page and "장바구니 담기" not in page
    _, listed = make_product(name="원두")
    csrf = csrf_from(client.get(f"/products/{listed}").get_data(as_text=True))
    client.post("/cart", data={"csrf_token": csrf, "token": token, "quantity": "1", "action": "cart"})
    assert "장바구니가 비어 있습니다." in cart_html(client)


def test_cart_forms_need_the_csrf_token(client, bank_ready, beans):
    _, token = beans
    assert client.post("/cart", data={"token": token, "quantity": "1", "action": "cart"}).status_code == 400
    assert client.post("/cart/update", data={"action": "remove-selected", "selected": "0"}).status_code == 400


def test_bad_quantities_get_a_message_and_lose_nothing(app, client, bank_ready, beans):
    _, token = beans
    add(client, token, 2)
    html = cart_html(client)
    response = client.post("/cart/update", data={"csrf_token": csrf_from(html), "qty-0": "열", "action": "quantities"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "수량은 1부터 99까지의 숫자로 입력하세요." in html and 'value="2"' in html
    response = add(client, token, 9)  # 2 + 9 is more than the stock of 10
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "최대 10" in html and 'value="2"' in html


def test_buy_now_goes_to_the_checkout_with_the_choice(app, client, bank_ready):
    shirt_id, token = make_shirt(app)
    picked = choice(app, shirt_id, "L / 블랙")
    response = add(client, token, 3, action="buy_now", **picked)
    location = response.headers["Location"]
    assert location.startswith(f"/products/{token}/buy?") and "quantity=3" in location
    html = client.get(location).get_data(as_text=True)
    assert 'summary-option">L / 블랙<' in html
    assert re.search(r'<input[^>]*name="quantity"[^>]*value="3"', html)


def test_the_header_count_does_not_split_the_kept_pages(app, client, bank_ready, beans):
    from storefront import pagecache

    _, token = beans
    visitor = app.test_client()
    for n in range(5):
        assert visitor.get(f"/?x={n}").status_code == 200
    add(client, token)
    home = client.get("/").get_data(as_text=True)
    assert "data-cart-count hidden" in home  # the count is the script's, from the cookie
    with app.app_context():
        kept_homes = [key for key in pagecache._store().pages if key[1] == "/"]
    assert len(kept_homes) == 1  # /?x=0 … /?x=4 and / are one page, kept once


def test_all_or_nothing_when_one_line_sold_out_meanwhile(app, client, bank_ready, beans, make_product):
    beans_id, beans_token = beans
    last_id, last_token = make_product(name="마지막 하나", price=5000, stock_managed=True, stock_quantity=1)
    add(client, beans_token, 2)
    add(client, last_token, 1)
    page = client.get("/cart/checkout").get_data(as_text=True)
    change(app, last_id, stock_quantity=0)  # someone else bought it between the page and 결제하기
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    total = re.search(r'name="expected_total" type="hidden" value="(\d+)"', page).group(1)
    form = {**BUYER_FORM, "csrf_token": csrf_from(page), "nonce": nonce, "expected_total": total}
    response = client.post("/cart/checkout", data=form)
    assert response.status_code in (409, 422)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
        assert db.session.get(Product, beans_id).stock_quantity == 10  # nothing taken from the other line


def test_carts_racing_for_the_last_unit_make_one_order_and_take_nothing_else(app, live_app, bank_ready, make_product):
    common_id, common_token = make_product(name="원두", price=10000, stock_managed=True, stock_quantity=100)
    last_id, last_token = make_product(name="마지막 하나", price=5000, stock_managed=True, stock_quantity=1)
    buyers = []
    for n in range(10):
        session = requests.Session()
        # half the carts list the lines one way round, half the other: no two wait on each other's rows
        for token in ([common_token, last_token] if n % 2 else [last_token, common_token]):
            page = session.get(f"{live_app.url}/products/{token}", timeout=30).text
            session.post(f"{live_app.url}/cart", data={"csrf_token": csrf_from(page), "token": token,
                                                        "quantity": "1", "action": "cart"}, timeout=30)  # fmt: skip
        page = session.get(f"{live_app.url}/cart/checkout", timeout=30).text
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
        total = re.search(r'name="expected_total" type="hidden" value="(\d+)"', page).group(1)
        form = {**BUYER_FORM, "csrf_token": csrf_from(page), "nonce": nonce, "expected_total": total}
        form.pop("quantity")
        buyers.append((session, form))
    results = race([(session, f"{live_app.url}/cart/checkout", form) for session, form in buyers])
    assert orders_made(results) == 1, results
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
        assert db.session.get(Product, last_id).stock_quantity == 0
        assert db.session.get(Product, common_id).stock_quantity == 99  # only the winner's unit


def test_a_partial_refund_returns_one_line_to_stock(app, client, admin, bank_ready, beans):
    beans_id, beans_token = beans
    shirt_id, shirt_token = make_shirt(app)
    add(client, beans_token, 2)
    add(client, shirt_token, 1, **choice(app, shirt_id, "L / 화이트"))
    order_cart(client)
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        order_id = order.id
        beans_line = next(item.id for item in order.items if item.product_name == "원두 1kg")
    admin.post(f"/admin/orders/{order_id}/paid")
    page = admin._client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "반품된 상품 (재고로 되돌립니다)" in page
    account = {"refund_bank": "국민은행", "refund_account": "12345678901234", "refund_holder": "김규섭"}
    response = admin.refund(order_id, amount="36000", returned_item=str(beans_line), **account)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Order, order_id).status.value == "partially_refunded"
        assert db.session.get(Product, beans_id).stock_quantity == 10  # the beans came back
    assert variant(app, shirt_id, "L / 화이트").stock_quantity == 4  # the shirt is still sold
    page = admin._client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "재고로 되돌림" in page
    # The form sent again returns nothing twice.
    admin.refund(order_id, amount="1000", returned_item=str(beans_line), **account)
    with app.app_context():
        assert db.session.get(Product, beans_id).stock_quantity == 10


# -- what a fresh-eyes review found ----------------------------------------------------------------


def test_turning_options_off_leaves_a_cart_line_with_a_combination_out(app, client, bank_ready, beans):
    shirt_id, shirt_token = make_shirt(app, extra={"M / 블랙": 5000})
    add(client, shirt_token, **choice(app, shirt_id, "M / 블랙"))
    _, beans_token = beans
    add(client, beans_token)
    change(app, shirt_id, options_enabled=False)
    html = cart_html(client)
    assert "판매하지 않는 옵션입니다" in html
    order_cart(client)
    with app.app_context():
        assert [i.product_name for i in db.session.scalar(sa.select(Order)).items] == ["원두 1kg"]


def test_two_combinations_of_one_product_count_once_and_keep_the_per_order_maximum(app, client, bank_ready):
    shirt_id, shirt_token = make_shirt(app)
    change(app, shirt_id, purchase_limit=3, max_per_order=3)
    add(client, shirt_token, 1, **choice(app, shirt_id, "S / 블랙"))
    add(client, shirt_token, 1, **choice(app, shirt_id, "M / 블랙"))
    assert order_cart(client).status_code == 302
    with app.app_context():
        assert db.session.get(Product, shirt_id).order_count == 1  # one order, whatever its lines
        order = db.session.scalar(sa.select(Order))
        order.expires_at = order.created_at
        db.session.commit()
        from storefront import lifecycle

        assert lifecycle.expire_if_due(db.session.get(Order, order.id))
        db.session.commit()
        assert db.session.get(Product, shirt_id).order_count == 0
    # 주문당 최대 수량 3: two lines of 2 are refused together.
    add(client, shirt_token, 2, **choice(app, shirt_id, "S / 화이트"))
    add(client, shirt_token, 2, **choice(app, shirt_id, "L / 화이트"))
    response = order_cart(client)
    assert response.status_code == 409 and "티셔츠" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_options_turned_on_with_an_order_open_keep_the_stock_the_sum(app, client, admin, bank_ready, make_product):
    from .builders import SEED_FORM

    mug_id, mug_token = make_product(name="머그", price=9000, stock_managed=True, stock_quantity=5)
    add(client, mug_token, 2)
    order_cart(client)
    form = {**SEED_FORM, "name": "머그", "price": "9000", "stock_managed": "on", "use_options": "y",
            "option_name_1": "색상", "option_values_1": "흰색, 검정", "combo-n흰색-present": "1",
            "combo-n흰색-stock": "1", "combo-n흰색-on_sale": "y", "combo-n검정-present": "1",
            "combo-n검정-stock": "1", "combo-n검정-on_sale": "y"}  # fmt: skip
    assert admin.post(f"/admin/products/{mug_id}/edit", data=form).status_code == 302
    with app.app_context():
        assert db.session.get(Product, mug_id).stock_quantity == 2
        from storefront import lifecycle

        order = db.session.scalar(sa.select(Order))
        order.expires_at = order.created_at
        db.session.commit()
        assert lifecycle.expire_if_due(db.session.get(Order, order.id))
        db.session.commit()
        assert db.session.get(Product, mug_id).stock_quantity == 2  # the sum of its combinations, still


def test_query_arguments_a_page_does_not_read_make_no_new_kept_copies(app, client, bank_ready, beans):
    from storefront import pagecache

    _, token = beans
    urls = [f"/?afterx={n}" for n in range(3)] + ["/?before=01", "/?before=001", "/?before=1"]
    urls += [f"/search?q=원두&qz={n}" for n in range(3)]
    urls += [f"/products/{token}/buy?option-zz{n}=1&quantity=0{n}" for n in range(1, 3)]
    for url in urls:
        assert client.get(url).status_code == 200, url
    with app.app_context():
        kept = list(pagecache._store().pages)
    assert len([key for key in kept if key[1] == "/"]) == 2  # / and /?before=1 (01 is 1)
    assert len([key for key in kept if key[1] == "/search"]) == 1
    assert len([key for key in kept if key[1].endswith("/buy")]) == 2  # quantity 1 and 2


def test_a_value_replaced_is_not_a_value_renamed(app, client, admin, bank_ready):
    from .builders import SEED_FORM

    shirt_id, _ = make_shirt(app, stock={"S / 블랙": 9})
    form = {**SEED_FORM, "name": "티셔츠", "price": "20000", "stock_managed": "on", "use_options": "y",
            "option_name_1": "사이즈", "option_values_1": "M, L, XL", "option_name_2": "색상",
            "option_values_2": "블랙, 화이트"}  # fmt: skip
    assert admin.post(f"/admin/products/{shirt_id}/edit", data=form).status_code == 302
    with app.app_context():
        stocks = {v.label: v.stock_quantity for v in db.session.get(Product, shirt_id).variants}
    assert stocks["XL / 블랙"] == 0 and stocks["M / 블랙"] == 5 and "S / 블랙" not in stocks


def test_a_duplicate_keeps_the_options(app, client, admin):
    shirt_id, _ = make_shirt(app, stock={"M / 화이트": 2}, extra={"L / 블랙": 2000})
    edit = client.get(f"/admin/products/{shirt_id}/edit").get_data(as_text=True)
    admin.post(f"/admin/products/{shirt_id}/duplicate", data={"csrf_token": csrf_from(edit)})
    with app.app_context():
        copy = db.session.scalars(sa.select(Product).order_by(Product.id.desc())).first()
        assert copy.id != shirt_id and copy.has_options
        by_label = {v.label: (v.extra_price, v.stock_quantity) for v in copy.variants}
        assert by_label["M / 화이트"] == (0, 2) and by_label["L / 블랙"] == (2000, 5)
        assert copy.stock_quantity == 27


def test_carts_with_two_combinations_and_single_buyers_race_without_deadlock(app, live_app, bank_ready):
    """Locks are taken product first, then combinations: a cart of S and M and a buyer of M alone never wait
    on each other (on PostgreSQL that was a deadlock and a 500)."""
    shirt_id, token = make_shirt(app, stock={"S / 블랙": 20, "M / 블랙": 1})
    s_choice, m_choice = choice(app, shirt_id, "S / 블랙"), choice(app, shirt_id, "M / 블랙")
    url = live_app.url
    racers = []
    for n in range(12):
        session = requests.Session()
        if n % 2:  # a cart of S and M
            for picked in (s_choice, m_choice):
                page = session.get(f"{url}/products/{token}", timeout=30).text
                session.post(f"{url}/cart", data={"csrf_token": csrf_from(page), "token": token, "quantity": "1",
                                                   "action": "cart", **picked}, timeout=30)  # fmt: skip
            target = f"{url}/cart/checkout"
            page = session.get(target, timeout=30).text
        else:  # 바로 구매 of M alone
            target = f"{url}/products/{token}/buy"
            page = session.get(target, params=m_choice, timeout=30).text
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
        total = re.search(r'name="expected_total" type="hidden" value="(\d+)"', page).group(1)
        form = {**BUYER_FORM, "csrf_token": csrf_from(page), "nonce": nonce, "expected_total": total}
        if n % 2:
            form.pop("quantity")
        else:
            form.update(m_choice)
        racers.append((session, target, form))
    results = race(racers)
    assert orders_made(results) == 1, results
    assert variant(app, shirt_id, "M / 블랙").stock_quantity == 0
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        taken_s = sum(1 for item in order.items if item.option_text == "S / 블랙")
    assert variant(app, shirt_id, "S / 블랙").stock_quantity == 20 - taken_s  # nothing else taken


def test_a_cart_paid_by_card_at_toss(app, client, toss, beans, make_product):
    """Toss is asked for the order's whole amount under the name "원두 1kg 외 1건", and confirms it once."""
    from .builders import order_row, success_url

    _, beans_token = beans
    _, cups_token = make_product(name="드립백", price=9000)
    add(client, beans_token, 2)
    add(client, cups_token, 1)
    response = order_cart(client, payment_method="card")
    assert response.status_code == 302
    order_no, secret = re.match(r"/orders/([^?]+)\?t=(.+)", response.headers["Location"]).groups()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-amount="45000"' in page and 'data-order-name="원두 1kg 외 1건"' in page
    key = toss.open_session(order_no, 45000)
    paid = client.get(success_url({"order_no": order_no, "t": secret}, key, 45000))
    assert paid.status_code == 302
    assert order_row(app, order_no).status.value == "paid" and toss.charges == 1
    with app.app_context():
        order = db.session.scalar(sa.select(Order).where(Order.order_no == order_no))
        assert [item.product_name for item in order.items] == ["원두 1kg", "드립백"]
