"""A customer who has already opened the shop never sees a kept page older than the merchant's edit."""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser


def test_a_price_change_reaches_a_customer_who_already_opened_the_page(browser, live_server, shots):
    base = live_server.url
    merchant = browser.new_context(viewport=DESKTOP)
    page = merchant.new_page()
    log_in(page, base)
    page.get_by_role("navigation", name="관리자 메뉴").get_by_role("link", name="상품 등록").click()
    page.get_by_role("group", name="진열상태").get_by_label("진열함").check()
    page.get_by_role("group", name="상품 목록에 진열").get_by_label("진열함").check()
    page.get_by_label("상품명").fill("에티오피아 예가체프 원두 200g")
    page.get_by_label("판매가").fill("18000")
    page.get_by_role("button", name="등록하기").click()
    expect(page.get_by_text("상품을 등록했습니다.")).to_be_visible()

    customer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = customer.new_page()
    phone.goto(base + "/")
    phone.get_by_role("link", name="에티오피아 예가체프 원두 200g").click()
    expect(phone.get_by_text("18,000원")).to_be_visible()
    product_url = phone.url
    phone.goto(base + "/")  # both pages are now kept by the shop
    phone.goto(product_url)
    expect(phone.get_by_text("18,000원")).to_be_visible()

    # 상품 관리 → 더보기 → 편집하기: 판매가 15,000원, 수정하기
    page.goto(base + "/admin/products")
    row = page.get_by_role("row").filter(has_text="에티오피아 예가체프 원두 200g")
    row.get_by_text("더보기").click()
    row.get_by_role("link", name="편집하기").click()
    page.get_by_label("판매가").fill("15000")
    page.get_by_role("button", name="수정하기").click()
    expect(page.get_by_text("상품을 수정했습니다.")).to_be_visible()

    phone.reload()
    expect(phone.get_by_text("15,000원")).to_be_visible()
    expect(phone.get_by_text("18,000원")).to_have_count(0)
    shots(phone, "customer-sees-the-new-price")
    phone.goto(base + "/")
    card = phone.get_by_role("link", name="에티오피아 예가체프 원두 200g")
    expect(card).to_contain_text("15,000원")
    card.click()
    phone.get_by_role("button", name="바로 구매").click()  # a listed product: 바로 구매 (or 장바구니 담기)
    expect(phone.get_by_text("15,000원").first).to_be_visible()
    shots(phone, "customer-checkout-at-the-new-price")
    merchant.close()
    customer.close()
