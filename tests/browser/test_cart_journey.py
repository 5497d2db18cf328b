"""A buyer on a phone in KakaoTalk: 사이즈 M of a T-shirt and 색상 블랙 of a tumbler into the 장바구니, a
quantity changed, one order by 무통장입금 with one 배송비; the merchant sees one order with both lines and
their options; the next buyer finds M (품절); a personal payment window offers no 장바구니 담기."""

import re

import pytest
from playwright.sync_api import expect

from storefront import catalog, options
from storefront.extensions import db
from storefront.settings import save_settings

from .conftest import DESKTOP, KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser


def product_with_options(app, name, price, group, values, stock):
    with app.test_request_context():
        rows = {f"n{value}": options.Row(stock=stock.get(value, 5)) for value in values}
        chosen = options.Options(True, [options.Group(group, values)], rows)
        product = catalog.create_product(
            catalog.ProductData(name=name, price=price, stock_managed=True, options=chosen)
        )
        db.session.commit()
        return product.public_token


def test_two_products_with_options_in_one_order(browser, live_server, shots):
    app, base = live_server.app, live_server.url
    with app.test_request_context():
        save_settings({"shipping_fee_type": "conditional", "shipping_fee": 3000, "shipping_free_from": 100000})
        window = catalog.create_product(
            catalog.ProductData(name="김규섭 고객님 개인결제창", price=56000, **catalog.personal_payment_preset())
        )
        db.session.commit()
        window_token = window.public_token
    shirt = product_with_options(app, "오버핏 티셔츠", 29000, "사이즈", ["S", "M", "L"], {"M": 1})
    tumbler = product_with_options(app, "보온 텀블러 500ml", 18000, "색상", ["블랙", "화이트"], {})

    buyer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = buyer.new_page()
    phone.goto(f"{base}/products/{shirt}")
    phone.get_by_label("사이즈").select_option(label="M")
    shots(phone, "shirt-size-m")
    phone.get_by_role("button", name="장바구니 담기").tap()
    expect(phone.get_by_text("장바구니에 담았습니다: 오버핏 티셔츠")).to_be_visible()
    phone.goto(f"{base}/products/{tumbler}")
    expect(phone.locator("[data-cart-count]")).to_have_text("1")  # the header's count, on a shared page
    phone.get_by_label("색상").select_option(label="블랙")
    phone.get_by_role("button", name="장바구니 담기").tap()
    expect(phone.get_by_role("heading", name="장바구니")).to_be_visible()
    expect(phone.locator("[data-cart-count]")).to_have_text("2")

    # 수량 변경: two tumblers.
    phone.get_by_label("수량").nth(1).fill("2")
    phone.get_by_role("button", name="변경").nth(1).tap()
    expect(phone.get_by_text("65,000원").first).to_be_visible()  # 29,000 + 2 × 18,000
    expect(phone.get_by_text("3,000원")).to_be_visible()  # one 배송비 for both
    expect(phone.get_by_text("68,000원")).to_be_visible()
    shots(phone, "cart")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.get_by_role("link", name="주문하기").tap()
    expect(phone.get_by_text("오버핏 티셔츠 (M) × 1")).to_be_visible()
    expect(phone.get_by_text("보온 텀블러 500ml (블랙) × 2")).to_be_visible()
    phone.get_by_label("이름", exact=True).fill("김규섭")
    phone.get_by_label("휴대폰 번호", exact=True).fill("010-1234-5678")
    phone.get_by_label("주문자 정보와 동일").check()
    phone.get_by_label("우편번호").fill("06236")
    phone.get_by_label("주소", exact=True).fill("서울특별시 강남구 테헤란로 123")
    phone.get_by_label("무통장입금").check()
    phone.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    expect(phone.locator("[data-total]")).to_have_text("68,000원")
    shots(phone, "cart-checkout")
    phone.get_by_role("button", name="결제하기").tap()
    expect(phone.get_by_text("68,000원").first).to_be_visible()
    expect(phone.get_by_text("국민은행 123456-01-234567").first).to_be_visible()
    shots(phone, "order-placed")
    order_no = re.search(r"/orders/([0-9A-Z-]+)", phone.url).group(1)

    # The next buyer: M is sold out and cannot be chosen.
    other = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True).new_page()
    other.goto(f"{base}/products/{shirt}")
    expect(other.get_by_role("option", name="M (품절)")).to_be_disabled()
    shots(other, "next-buyer-sees-m-sold-out")
    # A personal payment window is bought alone.
    other.goto(f"{base}/products/{window_token}")
    expect(other.get_by_role("link", name="구매하기")).to_be_visible()
    expect(other.get_by_role("button", name="장바구니 담기")).to_have_count(0)

    merchant = browser.new_context(viewport=DESKTOP).new_page()
    log_in(merchant, base)
    merchant.goto(base + "/admin/orders")
    row = merchant.get_by_role("row").filter(has_text=order_no)
    expect(row).to_contain_text("오버핏 티셔츠 (M) × 1")
    expect(row).to_contain_text("보온 텀블러 500ml (블랙) × 2")
    expect(row).to_contain_text("68,000원")
    shots(merchant, "merchant-sees-two-lines")
    buyer.close()
