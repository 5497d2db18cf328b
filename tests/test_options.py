"""옵션: groups and values on the product form, each combination with its own 추가 금액, 재고 and 판매 여부;
the buyer picks one; stock is taken and given back per combination; past orders keep what they bought."""

import re
from html import unescape

import pytest
import requests
import sqlalchemy as sa

from storefront import catalog, lifecycle, options
from storefront.extensions import db
from storefront.models import Order, OrderStatus, Product, ProductVariant

from .builders import SEED_FORM, orders_made, race
from .conftest import checkout_form, filled_checkout


def make_shirt(app, stock=None, extra=None, on_sale=None, managed=True, price=20000):
    """티셔츠 with 사이즈 S, M, L × 색상 블랙, 화이트; ``stock``/``extra``/``on_sale`` by label ("M / 블랙")."""
    stock, extra, on_sale = stock or {}, extra or {}, on_sale or {}
    groups = [options.Group("사이즈", ["S", "M", "L"]), options.Group("색상", ["블랙", "화이트"])]
    rows = {}
    for size in ("S", "M", "L"):
        for colour in ("블랙", "화이트"):
            label = f"{size} / {colour}"
            rows[f"n{size}|{colour}"] = options.Row(
                extra_price=extra.get(label, 0), stock=stock.get(label, 5), on_sale=on_sale.get(label, True)
            )
    with app.test_request_context():
        product = catalog.create_product(
            catalog.ProductData(
                name="티셔츠", price=price, stock_managed=managed, options=options.Options(True, groups, rows)
            )
        )
        db.session.commit()
        return product.id, product.public_token


def choice(app, product_id, label) -> dict:
    """The selects' values a buyer sends for ``label`` ("M / 블랙")."""
    with app.app_context():
        product = db.session.get(Product, product_id)
        names = label.split(" / ")
        return {
            f"option-{option.id}": str(next(value.id for value in option.values if value.name == name))
            for option, name in zip(product.options, names, strict=True)
        }


def variant(app, product_id, label) -> ProductVariant:
    with app.app_context():
        return db.session.scalar(
            sa.select(ProductVariant).where(ProductVariant.product_id == product_id, ProductVariant.label == label)
        )


def buy(client, token, picked, **fields):
    """The checkout as a buyer sends it, with the 합계 its script shows for the quantity and the 옵션."""
    html = client.get(f"/products/{token}/buy", query_string=picked).get_data(as_text=True)
    form = {**checkout_form(html), **picked, **fields}
    shown = client.get(f"/products/{token}/shipping-fee", query_string={"quantity": form["quantity"], **picked})
    form["expected_total"] = str(shown.json["total"])
    return client.post(f"/products/{token}/buy", data=form)


def product_stock(app, product_id) -> int:
    with app.app_context():
        return db.session.get(Product, product_id).stock_quantity


# -- rule tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, price_shown",
    [(0, "20,000원"), (3000, "23,000원"), (-5000, "15,000원"), (-20000, "0원")],
)
def test_option_price_rule(app, client, bank_ready, extra, price_shown):
    product_id, token = make_shirt(app, extra={"M / 블랙": extra})
    page = client.get(f"/products/{token}/buy", query_string=choice(app, product_id, "M / 블랙"))
    assert re.search(rf'summary-price" data-unit-price>{price_shown}<', page.get_data(as_text=True))
    response = buy(client, token, choice(app, product_id, "M / 블랙"), quantity="2")
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(sa.select(Order)).items[0]
        unit = 20000 + extra
        assert (item.option_text, item.unit_price, item.line_total) == ("M / 블랙", unit, unit * 2)


def test_an_extra_amount_below_the_price_is_refused(app):
    with pytest.raises(catalog.CatalogError, match="0원보다 낮아질 수 없습니다"):
        make_shirt(app, extra={"S / 화이트": -20001})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


@pytest.mark.parametrize(
    "label, stock, on_sale, quantity, outcome",
    [
        ("M / 블랙", 3, True, 2, "ordered"),
        ("M / 블랙", 3, True, 3, "ordered"),
        ("M / 블랙", 3, True, 4, "too many"),
        ("M / 블랙", 0, True, 1, "sold out"),
        ("M / 블랙", 3, False, 1, "not on sale"),
    ],
)
def test_stock_per_combination_rule(app, client, bank_ready, label, stock, on_sale, quantity, outcome):
    product_id, token = make_shirt(app, stock={label: stock}, on_sale={label: on_sale})
    total_before = product_stock(app, product_id)
    assert total_before == 25 + (stock if on_sale else 0)  # the sum of the combinations on sale
    response = buy(client, token, choice(app, product_id, label), quantity=str(quantity))
    html = response.get_data(as_text=True)
    if outcome == "ordered":
        assert response.status_code == 302
        assert variant(app, product_id, label).stock_quantity == stock - quantity
        assert variant(app, product_id, "M / 화이트").stock_quantity == 5  # the other combinations keep theirs
        assert product_stock(app, product_id) == total_before - quantity
    else:
        assert response.status_code == 422
        message = {
            "too many": "최대 3",
            "sold out": "M / 블랙은(는) 품절입니다",
            "not on sale": "판매하지 않는 옵션 조합입니다",
        }[outcome]
        assert message in html, html[:2000]
        assert variant(app, product_id, label).stock_quantity == stock
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


@pytest.mark.parametrize(
    "sent",
    [
        {},  # nothing chosen
        {"option-1": "1"},  # one group only
        {"option-1": "9999", "option-2": "4"},  # a value of no group
        {"option-1": "x", "option-2": "<script>"},
    ],
)
def test_a_choice_the_page_did_not_offer_is_refused_with_a_message(app, client, bank_ready, sent):
    _, token = make_shirt(app)
    html = client.get(f"/products/{token}/buy").get_data(as_text=True)
    response = client.post(f"/products/{token}/buy", data={**checkout_form(html), **sent})
    assert response.status_code == 422
    assert "선택하세요" in response.get_data(as_text=True) or "판매하지 않는" in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)


def test_the_line_gives_its_units_back_to_its_combination(app, client, bank_ready, time_machine):
    product_id, token = make_shirt(app, stock={"L / 화이트": 2})
    assert buy(client, token, choice(app, product_id, "L / 화이트"), quantity="2").status_code == 302
    assert variant(app, product_id, "L / 화이트").stock_quantity == 0
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        assert lifecycle.expire_if_due(order) is False
        order.expires_at = order.created_at  # the deadline has passed
        db.session.commit()
        assert lifecycle.expire_if_due(db.session.get(Order, order.id))
        db.session.commit()
        assert db.session.get(Order, order.id).status is OrderStatus.CANCELLED
    assert variant(app, product_id, "L / 화이트").stock_quantity == 2
    assert product_stock(app, product_id) == 27


def test_renaming_a_value_keeps_stock_and_past_orders(app, client, admin, bank_ready):
    product_id, token = make_shirt(app, stock={"M / 블랙": 4})
    assert buy(client, token, choice(app, product_id, "M / 블랙")).status_code == 302
    before = variant(app, product_id, "M / 블랙")
    assert before.stock_quantity == 3
    form = {**SEED_FORM, "name": "티셔츠", "price": "20000", "stock_managed": "on", "use_options": "y",
            "option_name_1": "사이즈", "option_values_1": "S, Medium, L",
            "option_name_2": "색상", "option_values_2": "블랙, 화이트"}  # fmt: skip
    edit = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    form["stock_seen"] = re.search(r'name="stock_seen" type="hidden" value="(\d+)"', edit).group(1)
    response = admin.post(f"/admin/products/{product_id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    after = variant(app, product_id, "Medium / 블랙")
    assert (after.id, after.stock_quantity) == (before.id, 3)
    with app.app_context():
        assert db.session.scalar(sa.select(Order)).items[0].option_text == "M / 블랙"


def test_the_product_form_lists_the_combinations_then_saves_them(app, client, admin, bank_ready):
    form = {**SEED_FORM, "name": "원두", "price": "15000", "stock_managed": "on", "stock_quantity": "",
            "use_options": "y", "option_name_1": "분쇄", "option_values_1": "홀빈, 핸드드립, 에스프레소",
            "action": "options"}  # fmt: skip
    listed = admin.post("/admin/products/new", data=form).get_data(as_text=True)
    keys = re.findall(r'name="combo-([^"]+)-present"', listed)
    assert keys == ["n홀빈", "n핸드드립", "n에스프레소"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0  # nothing saved yet
    rows = {}
    for key in keys:
        extra = "1,000" if key == "n에스프레소" else "0"
        for name, value in [("present", "1"), ("extra", extra), ("stock", "7"), ("on_sale", "y")]:
            rows[f"combo-{key}-{name}"] = value
    rows["combo-n핸드드립-stock"] = "열"
    refused = admin.post("/admin/products/new", data={**form, **rows, "action": "save"})
    assert refused.status_code == 422 and "재고 수량은 0 이상의 숫자로 입력하세요." in refused.get_data(as_text=True)
    rows["combo-n핸드드립-stock"] = "0"
    response = admin.post("/admin/products/new", data={**form, **rows, "action": "save"})
    assert response.status_code == 302, re.findall(r'field-error[^>]*>([^<]+)', response.get_data(as_text=True))
    with app.app_context():
        product = db.session.scalar(sa.select(Product))
        assert [(v.label, v.extra_price, v.stock_quantity) for v in product.variants] == [
            ("홀빈", 0, 7),
            ("핸드드립", 0, 0),
            ("에스프레소", 1000, 7),
        ]
        assert product.stock_quantity == 14
        product_id = product.id
    # 상품 관리: 일부 품절, and each combination's stock.
    html = client.get("/admin/products").get_data(as_text=True)
    assert "일부 품절" in html and "옵션별 재고" in html
    # One group: the product page says (품절) on the value, and it cannot be chosen.
    token = catalog_token(app, product_id)
    page = client.get(f"/products/{token}").get_data(as_text=True)
    assert re.search(r"<option value=\"\d+\" disabled>핸드드립 \(품절\)</option>", page)
    assert re.search(r"<option value=\"\d+\">에스프레소 \(\+1,000원\)</option>", page)


def test_every_combination_sold_out_is_sold_out(app, client, admin):
    product_id, _ = make_shirt(app, stock={f"{s} / {c}": 0 for s in "SML" for c in ("블랙", "화이트")})
    html = client.get("/admin/products?stock=soldout").get_data(as_text=True)
    assert "티셔츠" in html
    with app.app_context():
        assert db.session.get(Product, product_id).sold_out


def catalog_token(app, product_id) -> str:
    with app.app_context():
        return db.session.get(Product, product_id).public_token


def test_twenty_buyers_race_for_the_last_unit_of_one_combination(app, live_app, bank_ready):
    product_id, token = make_shirt(app, stock={"M / 블랙": 1})
    picked = choice(app, product_id, "M / 블랙")
    url = f"{live_app.url}/products/{token}/buy"
    query = "?" + "&".join(f"{name}={value}" for name, value in picked.items())
    buyers = []
    for _ in range(20):
        session = requests.Session()
        buyers.append((session, {**filled_checkout(session, url + query), **picked}))
    results = race([(session, url, form) for session, form in buyers])
    assert orders_made(results) == 1, results
    assert variant(app, product_id, "M / 블랙").stock_quantity == 0
    assert variant(app, product_id, "M / 화이트").stock_quantity == 5
    assert product_stock(app, product_id) == 25
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_a_full_refund_before_shipping_restocks_the_combination(app, client, admin, bank_ready):
    product_id, token = make_shirt(app, stock={"S / 블랙": 3})
    assert buy(client, token, choice(app, product_id, "S / 블랙"), quantity="2").status_code == 302
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        order_id, total = order.id, order.total_amount
    admin.post(f"/admin/orders/{order_id}/paid")
    admin.refund(order_id, amount=str(total), refund_bank="국민은행", refund_account="12345678901234",
                 refund_holder="김규섭")  # fmt: skip
    with app.app_context():
        assert db.session.get(Order, order_id).status is OrderStatus.REFUNDED
    assert variant(app, product_id, "S / 블랙").stock_quantity == 3
    assert product_stock(app, product_id) == 28
    # The order's pages name the combination bought.
    html = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "티셔츠 (S / 블랙)" in html
    assert "티셔츠 (S / 블랙) × 2" in client.get("/admin/orders").get_data(as_text=True)


def test_a_batch_row_with_options(app, admin):
    good = "김규섭\t010-1234-5678\t맞춤 셔츠\t39000\t2\t\t\t사이즈: S, M / 색상: 블랙, 화이트"
    pasted = good + "\n이영희\t\t드립백\t9000\t\t\t\t사이즈 S M"
    html = admin.post("/admin/products/batch", data={"action": "preview", "pasted": pasted}).get_data(as_text=True)
    assert "옵션: 옵션은 사이즈: S, M, L / 색상: 블랙, 화이트 처럼 쓰세요." in html  # the second row, said why
    html = admin.post("/admin/products/batch", data={"action": "preview", "pasted": good}).get_data(as_text=True)
    rows = unescape(re.search(r'id="rows" name="rows" type="hidden" value="([^"]*)"', html).group(1))
    assert admin.post("/admin/products/batch", data={"action": "create", "rows": rows}).status_code == 302
    with app.app_context():
        product = db.session.scalar(sa.select(Product))
        assert [(v.label, v.stock_quantity) for v in product.variants] == [
            ("S / 블랙", 2), ("S / 화이트", 2), ("M / 블랙", 2), ("M / 화이트", 2)
        ]  # fmt: skip
        assert product.stock_quantity == 8 and product.customer_name == "김규섭"


def test_a_quick_window_with_options(app, admin):
    form = {"name": "김규섭 고객님 맞춤 셔츠", "price": "39,000"}
    form.update(option_name_1="사이즈", option_values_1="S, M, L")
    assert admin.post("/admin/products/quick", data=form).status_code == 302
    with app.app_context():
        product = db.session.scalar(sa.select(Product))
        assert [(v.label, v.stock_quantity) for v in product.variants] == [("S", 1), ("M", 1), ("L", 1)]
        assert not product.listed and product.purchase_limit == 1
    refused = admin.post("/admin/products/quick", data={**form, "option_name_1": "", "option_values_1": "S"})
    assert refused.status_code == 422
    assert "옵션마다 옵션명과 옵션값을 하나 이상 입력하세요." in refused.get_data(as_text=True)
