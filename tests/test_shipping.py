"""배송비: the fee types, 묶음배송, 제주/도서산간 by postcode, and the checkout charging only what it showed."""

import re

import pytest
import sqlalchemy as sa

from storefront import ledger, shipping
from storefront.extensions import db
from storefront.models import Order, Product, ShippingFeeType, ShippingMode, ShippingRegion
from storefront.settings import save_settings

from .builders import SEED_FORM
from .conftest import open_checkout, place

F = ShippingFeeType

# (rule, goods subtotal, quantity) → 배송비
RULES = [
    (shipping.Rule(F.FREE), 10_000, 1, 0),
    (shipping.Rule(F.PAID, 3000), 10_000, 1, 3000),
    (shipping.Rule(F.PAID, 3000), 1_000_000, 9, 3000),
    (shipping.Rule(F.CONDITIONAL, 3000, 50_000), 49_999, 1, 3000),  # one won under the threshold
    (shipping.Rule(F.CONDITIONAL, 3000, 50_000), 50_000, 1, 0),  # at it
    (shipping.Rule(F.CONDITIONAL, 3000, 50_000), 50_001, 1, 0),
    (shipping.Rule(F.PER_QUANTITY, 2500, quantity_unit=5), 1000, 1, 2500),
    (shipping.Rule(F.PER_QUANTITY, 2500, quantity_unit=5), 5000, 5, 2500),
    (shipping.Rule(F.PER_QUANTITY, 2500, quantity_unit=5), 6000, 6, 5000),  # a sixth piece starts a second box
    (shipping.Rule(F.PER_QUANTITY, 2500, quantity_unit=5), 11000, 11, 7500),
    (shipping.Rule(F.PER_QUANTITY, 2500, quantity_unit=1), 3000, 3, 7500),
]


@pytest.mark.parametrize(("rule", "subtotal", "quantity", "expected"), RULES)
def test_fee_rule_table(rule, subtotal, quantity, expected):
    assert rule.charge(subtotal, quantity) == expected


CONDITIONAL = {"shipping_fee_type": F.CONDITIONAL, "shipping_fee": 3000, "shipping_free_from": 50_000}
EXTRAS = {"jeju_extra_fee": 3000, "remote_extra_fee": 5000}


@pytest.fixture
def fees(app):
    """The shop charges 3,000원 under 50,000원 of goods, 제주 +3,000원 and 도서산간 +5,000원."""
    with app.test_request_context():
        save_settings({**CONDITIONAL, **EXTRAS})
        db.session.commit()


def order_fee(app, lines, postcode=""):
    with app.test_request_context():
        products = {pid: db.session.get(Product, pid) for pid, _ in lines}
        return shipping.order_fee([shipping.Line(products[pid], n) for pid, n in lines], postcode)


# postcode → (region, extra): the seeded 추가 배송비 지역 at their edges
POSTCODES = [
    ("62999", "", 0), ("63000", "jeju", 3000), ("63644", "jeju", 3000), ("63645", "", 0),
    ("40199", "", 0), ("40200", "remote", 5000), ("40240", "remote", 5000), ("40241", "", 0),
    ("58826", "remote", 5000), ("58827", "", 0), ("06236", "", 0), ("", "", 0), ("6300", "", 0), ("abcde", "", 0),
]  # fmt: skip


@pytest.mark.parametrize(("postcode", "region", "extra"), POSTCODES)
def test_jeju_and_remote_islands_by_postcode(app, fees, make_product, postcode, region, extra):
    product_id, _ = make_product(price=10_000)
    fee = order_fee(app, [(product_id, 1)], postcode)
    assert (fee.region, fee.extra, fee.base) == (region, extra, 3000)


def test_bundled_products_share_one_fee_and_own_fees_are_charged_apart(app, fees, make_product):
    coffee, _ = make_product(price=30_000)  # 기본 배송비 따름
    beans, _ = make_product(price=25_000)  # 기본 배송비 따름: with coffee, 55,000원 of goods ships free
    grinder, _ = make_product(price=80_000, shipping_mode=ShippingMode.OWN,
                              shipping_rule=shipping.Rule(F.PAID, 4000))  # fmt: skip
    gift, _ = make_product(price=5000, shipping_mode=ShippingMode.FREE)
    ticket, _ = make_product(price=9000, requires_shipping=False)
    assert order_fee(app, [(coffee, 1)]).base == 3000
    assert order_fee(app, [(coffee, 1), (beans, 1)]).base == 0  # 묶음배송 on their subtotal
    assert order_fee(app, [(coffee, 1), (grinder, 1)]).base == 3000 + 4000
    assert order_fee(app, [(gift, 1)]).base == 0
    no_shipping = order_fee(app, [(ticket, 2)], "63100")
    assert (no_shipping.base, no_shipping.extra, no_shipping.ships) == (0, 0, False)  # nothing ships: no 제주 extra
    free_to_jeju = order_fee(app, [(gift, 1)], "63100")
    assert (free_to_jeju.base, free_to_jeju.extra, free_to_jeju.total) == (0, 3000, 8000)  # the extra pays the island


def test_the_product_page_states_the_fee(client, bank_ready, fees, make_product):
    with client.application.test_request_context():
        save_settings({"return_shipping_fee": 3000, "exchange_shipping_fee": 6000})
        db.session.commit()
    _, token = make_product(price=12_000)
    page = client.get(f"/products/{token}").get_data(as_text=True)
    assert "배송비 3,000원 · 50,000원 이상 무료배송" in page
    assert "제주·도서산간 지역은 추가 배송비가 있습니다" in page
    assert "반품 배송비 3,000원 · 교환 배송비 6,000원" in page


def test_a_buyer_under_the_threshold_pays_the_fee_and_the_jeju_extra(app, client, bank_ready, fees, make_product):
    _, token = make_product(price=12_000)
    page = client.get(f"/products/{token}/buy").get_data(as_text=True)
    assert re.search(r"상품 금액</dt><dd>12,000원.*배송비</dt><dd>3,000원", page, re.S)
    assert 'name="expected_total" type="hidden" value="15000"' in page
    shown = client.get(f"/products/{token}/shipping-fee?quantity=1&postcode=63100").json
    assert shown["total"] == 18_000 and "제주 추가 배송비" in shown["lines"] and "3,000원" in shown["lines"]
    assert client.get(f"/products/{token}/shipping-fee?quantity=5&postcode=63100").json["total"] == 63_000  # free
    response = place(client, token, postcode="63100")
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        assert (order.total_amount, order.shipping_fee, order.extra_shipping_fee) == (18_000, 3000, 3000)
        assert order.goods_amount == 12_000 and order.extra_shipping_region == "jeju"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "제주 추가 배송비" in shown and "18,000원" in shown


def test_a_total_the_buyer_did_not_see_is_never_charged(app, client, bank_ready, fees, make_product):
    _, token = make_product(price=12_000)
    form = open_checkout(client, token)  # the page said 15,000원 for one, without a postcode
    response = client.post(f"/products/{token}/buy", data={**form, "postcode": "63100"})  # no script ran
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "배송비를 반영한 합계는 18,000원입니다" in page
    assert 'name="expected_total" type="hidden" value="18000"' in page and 'value="63100"' in page  # nothing lost
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    again = client.post(f"/products/{token}/buy", data={**form, "postcode": "63100", "expected_total": "18000"})
    assert again.status_code == 302


def test_orders_placed_before_shipping_fees_look_the_same(app, client, bank_ready, make_product):
    _, token = make_product(price=12_000)  # a shop that set no fee: 무료배송 by default
    response = place(client, token, postcode="63100")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "배송비" not in page.split("주문 내역")[1].split("합계")[0]
    with app.app_context():
        order = db.session.scalar(sa.select(Order))
        assert (order.total_amount, order.shipping_fee, order.extra_shipping_fee) == (12_000, 0, 0)


def test_the_merchant_sets_the_fee_in_shop_settings(app, client, admin):
    page = client.get("/admin/settings").get_data(as_text=True)
    labels = ("배송비 유형", "무료배송", "유료배송", "조건부 무료배송", "수량별 부과", "무료배송 기준 금액",
              "수량 단위", "반품 배송비", "교환 배송비", "제주 추가 배송비", "도서산간 추가 배송비",
              "추가 배송비 지역")  # fmt: skip
    assert [label for label in labels if label not in page] == []
    shop = {"name": "규섭커피", "payment_due_days": "3"}
    missing = admin.post("/admin/settings", data={**shop, "shipping_fee_type": "conditional", "shipping_fee": "3,000"})
    assert missing.status_code == 422 and "무료배송 기준 금액을 입력하세요." in missing.get_data(as_text=True)
    saved = admin.post("/admin/settings", data={"name": "규섭커피", "payment_due_days": "3",
                                                "shipping_fee_type": "conditional", "shipping_fee": "3,000",
                                                "shipping_free_from": "50,000", "jeju_extra_fee": "3000",
                                                "window_shipping_mode": "default"})  # fmt: skip
    assert saved.status_code == 302
    with app.test_request_context():
        rule = shipping.shop_rule()
        assert (rule.fee_type, rule.fee, rule.free_from) == (F.CONDITIONAL, 3000, 50_000)
        assert shipping.shop_rule().describe() == "배송비 3,000원 · 50,000원 이상 무료배송"


def test_new_personal_payment_windows_take_the_window_shipping_setting(app, client, admin):
    admin.post("/admin/settings", data={"name": "규섭커피", "payment_due_days": "3", "shipping_fee_type": "paid",
                                        "shipping_fee": "3000", "window_shipping_mode": "free"})  # fmt: skip
    admin.post("/admin/products/quick", data={"name": "김규섭 고객님 개인결제창", "price": "30000"})
    with app.app_context():
        window = db.session.scalar(sa.select(Product))
        assert window.shipping_mode is ShippingMode.FREE


def test_extra_fee_regions_are_data_the_merchant_corrects(app, client, admin):
    page = client.get("/admin/settings/shipping-regions").get_data(as_text=True)
    assert "63000–63644" in page and "제주특별자치도" in page
    bad = admin.post("/admin/settings/shipping-regions", data={"kind": "remote", "name": "가", "postcode_from": "123",
                                                               "postcode_to": "99999"})  # fmt: skip
    assert bad.status_code == 422 and "우편번호 5자리를 입력하세요." in bad.get_data(as_text=True)
    island = {"kind": "remote", "name": "새 섬", "postcode_from": "12345", "postcode_to": "12346"}
    added = admin.post("/admin/settings/shipping-regions", data=island)
    assert added.status_code == 302
    with app.test_request_context():
        assert shipping.region_of("12346") == "remote"
        bridge = db.session.scalar(sa.select(ShippingRegion.id).where(ShippingRegion.postcode_from == "12345"))
    admin.post(f"/admin/settings/shipping-regions/{bridge}/remove")
    with app.test_request_context():
        assert shipping.region_of("12346") == ""


def _paid_jeju_order(app, client, admin, token) -> int:
    place(client, token, postcode="63100")  # 12,000원 + 배송비 3,000원 + 제주 3,000원
    with app.app_context():
        order_id = db.session.scalar(sa.select(Order.id))
    admin.post(f"/admin/orders/{order_id}/paid")
    return order_id


ACCOUNT = {"refund_bank": "신한은행", "refund_account": "110-123-456789", "refund_holder": "김규섭"}


def test_a_full_refund_before_shipping_returns_the_shipping_fee(app, client, admin, bank_ready, fees, make_product):
    _, token = make_product(price=12_000)
    order_id = _paid_jeju_order(app, client, admin, token)
    admin.refund(order_id, amount="18,000", **ACCOUNT)
    with app.app_context():
        totals = ledger.totals(db.session.get(Order, order_id))
        assert (totals.refunded, totals.shipping_refunded, totals.balance) == (18_000, 6000, 0)


def test_after_shipping_the_merchant_chooses_whether_shipping_is_refunded(
    app, client, admin, bank_ready, fees, make_product
):
    _, token = make_product(price=12_000)
    order_id = _paid_jeju_order(app, client, admin, token)
    admin.post(f"/admin/orders/{order_id}/ship", data={"carrier": "cj", "tracking_no": "123456789012"})
    page = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "배송비도 환불" in page and 'value="12000"' in page  # the goods, by default
    too_much = admin.refund(order_id, amount="18,000", **ACCOUNT)
    assert too_much.status_code == 422 and "배송비를 뺀 12,000원까지" in too_much.get_data(as_text=True)
    admin.refund(order_id, amount="5,000", **ACCOUNT)  # part of the goods: the 배송비 stays
    admin.refund(order_id, amount="13,000", include_shipping="y", **ACCOUNT)  # the rest, shipping included
    with app.app_context():
        totals = ledger.totals(db.session.get(Order, order_id))
        assert (totals.refunded, totals.shipping_refunded, totals.balance) == (18_000, 6000, 0)
    ledger_page = client.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "이 중 배송비 6,000원" in ledger_page


def test_return_and_exchange_fees_are_in_the_refund_policy(client, app):
    with app.test_request_context():
        save_settings({"return_shipping_fee": 3000, "exchange_shipping_fee": 6000})
        db.session.commit()
    policy = client.get("/policies/refund").get_data(as_text=True)
    assert "반품 3,000원, 교환 6,000원" in policy


def test_a_product_with_its_own_fee_is_saved_from_the_form(app, client, admin):
    form = {**SEED_FORM, "name": "핸드드립 세트", "shipping_mode": "own", "shipping_fee_type": "per_quantity"}
    missing = admin.post("/admin/products/new", data=form)
    assert missing.status_code == 422 and "배송비를 입력하세요." in missing.get_data(as_text=True)
    saved = admin.post("/admin/products/new", data={**form, "shipping_fee": "2,500", "shipping_quantity_unit": "3"})
    assert saved.status_code == 302
    with app.app_context():
        product = db.session.scalar(sa.select(Product).where(Product.name == "핸드드립 세트"))
        assert product.shipping_mode is ShippingMode.OWN
        assert shipping.product_rule(product).charge(0, 4) == 5000  # 4 pieces: two boxes of up to 3
