"""The seed's journey in a real browser: the merchant makes a personal payment window, the customer opens it."""

import re

import pytest
from playwright.sync_api import expect

from ..builders import product_photo
from .conftest import DESKTOP, KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser




def test_personal_payment_window_from_category_to_closed_link(browser, live_server, shots, tmp_path):
    base = live_server.url
    merchant = browser.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    page = merchant.new_page()

    # 1. 카테고리 관리 → 카테고리 추가하기 "개인결제창" → 저장하기
    log_in(page, base)
    page.get_by_role("link", name="카테고리 관리").click()
    expect(page.get_by_role("heading", name="카테고리 관리")).to_be_visible()
    page.get_by_role("button", name="카테고리 추가하기").click()
    page.get_by_label("카테고리명").last.fill("개인결제창")
    shots(page, "category-added")
    page.get_by_role("button", name="저장하기").click()
    expect(page.get_by_text("카테고리를 저장했습니다.")).to_be_visible()
    expect(page.get_by_label("카테고리명")).to_have_value("개인결제창")

    # 2. 상품 등록 with the seed's settings
    page.get_by_role("link", name="상품 등록").click()
    page.get_by_role("group", name="진열상태").get_by_label("진열함").check()
    page.get_by_label("데스크탑").check()
    page.get_by_label("모바일").check()
    page.get_by_role("group", name="상품 목록에 진열").get_by_label("진열 안함").check()
    page.get_by_label("카테고리").select_option(label="개인결제창")
    page.get_by_label("상품명").fill("김규섭 고객님 개인결제창")
    page.get_by_label("판매가").fill("128000")
    page.get_by_label("상품 설명").fill("요청하신 에티오피아 원두 정기배송 3개월분입니다.")
    page.get_by_label("상품 이미지").set_input_files(str(product_photo(tmp_path / "beans.jpg")))
    page.get_by_role("group", name="재고관리").get_by_label("사용함").check()
    page.get_by_label("재고 수량").fill("1")
    shots(page, "product-form-filled")
    page.get_by_role("button", name="등록하기").click()
    expect(page.get_by_text("상품을 등록했습니다.")).to_be_visible()
    shots(page, "product-registered")

    # 3. 상품 관리 → 더보기 → 바로가기 (new tab) and URL 복사 (clipboard)
    page.get_by_role("link", name="상품 관리").click()
    row = page.get_by_role("row").filter(has_text="김규섭 고객님 개인결제창")
    expect(row.get_by_text("링크 전용")).to_be_visible()
    row.get_by_text("더보기").click()
    shots(page, "more-menu-open", full_page=False)
    with merchant.expect_page() as new_tab:
        row.get_by_role("link", name="바로가기").click()
    product_tab = new_tab.value
    product_tab.wait_for_load_state()
    expect(product_tab.get_by_role("heading", name="김규섭 고객님 개인결제창")).to_be_visible()
    product_url = product_tab.url
    assert re.fullmatch(re.escape(base) + r"/products/[A-Za-z0-9_-]{22}", product_url)
    product_tab.close()
    row.get_by_role("button", name="URL 복사").click()
    expect(row.get_by_role("button", name="복사됨")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == product_url

    # 4. The customer, on a phone inside KakaoTalk: no list shows the product, the link does.
    customer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = customer.new_page()
    phone.goto(base + "/")
    expect(phone.get_by_text("김규섭 고객님 개인결제창")).to_have_count(0)
    # A category holding only personal payment windows is not in the shop's menu.
    expect(phone.get_by_role("link", name="개인결제창")).to_have_count(0)
    shots(phone, "customer-home-page")
    phone.goto(product_url)
    expect(phone.get_by_role("heading", name="김규섭 고객님 개인결제창")).to_be_visible()
    expect(phone.get_by_text("128,000원")).to_be_visible()
    expect(phone.get_by_role("link", name="구매하기")).to_be_visible()
    shots(phone, "customer-product-page", full_page=False)
    shots(phone, "customer-product-page-full")

    # The customer buys it by bank transfer.
    phone.get_by_role("link", name="구매하기").click()
    expect(phone.get_by_role("heading", name="주문서")).to_be_visible()
    phone.get_by_label("이름", exact=True).fill("김규섭")
    phone.get_by_label("휴대폰 번호", exact=True).fill("010-1234-5678")
    phone.get_by_label("받는 분").fill("김규섭")
    phone.get_by_label("연락처").fill("01012345678")
    phone.get_by_label("우편번호").fill("06236")
    phone.get_by_label("주소", exact=True).fill("서울특별시 강남구 테헤란로 123")
    phone.get_by_label("상세주소").fill("4층")
    expect(phone.get_by_role("group", name="결제수단").get_by_label("무통장입금")).to_be_checked()
    expect(phone.get_by_text("국민은행 123456-01-234567 (규섭커피)")).to_be_visible()
    phone.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    shots(phone, "customer-checkout")
    phone.get_by_role("button", name="결제하기").click()
    expect(phone.get_by_role("heading", name="주문 완료")).to_be_visible()
    expect(phone.get_by_text("128,000원").first).to_be_visible()
    shots(phone, "customer-order-placed")
    order_url = phone.url

    # 5. The link now shows 품절 and cannot be bought again.
    phone.goto(product_url)
    expect(phone.get_by_text("품절된 상품입니다.")).to_be_visible()
    expect(phone.get_by_role("link", name="구매하기")).to_have_count(0)
    shots(phone, "customer-sold-out", full_page=False)

    # The merchant sees the order and confirms the deposit.
    page.goto(base + "/admin/orders")
    expect(page.get_by_role("link", name="주문 관리")).to_contain_text("1")
    page.get_by_role("row").filter(has_text="김규섭").get_by_role("link").click()
    shots(page, "merchant-order-detail")
    page.get_by_role("button", name="입금 확인").click()
    expect(page.get_by_text("입금을 확인했습니다.")).to_be_visible()

    # 배송 시작 with 택배사 and 송장번호; the buyer sees 배송중 and the carrier's tracking link.
    page.get_by_label("택배사").select_option(label="CJ대한통운")
    page.get_by_label("송장번호").fill("6543-2109-8765")
    shots(page, "merchant-start-shipping")
    page.get_by_role("button", name="배송 시작").last.click()
    expect(page.get_by_text("배송을 시작했습니다.")).to_be_visible()
    phone.goto(order_url)
    expect(phone.get_by_text("배송중", exact=True)).to_be_visible()
    expect(phone.get_by_text("CJ대한통운")).to_be_visible()
    track = phone.get_by_role("link", name="배송 조회")
    expect(track).to_have_attribute("href", "https://trace.cjlogistics.com/next/tracking.html?wblNo=654321098765")
    shots(phone, "customer-order-shipped")
    page.get_by_role("button", name="배송 완료 처리").click()
    expect(page.get_by_text("배송 완료로 처리했습니다.")).to_be_visible()
    expect(page.locator("h1 .status-badge")).to_have_text("배송 완료")
    shots(page, "merchant-order-delivered")
    page.goto(base + "/admin/products")

    # 6. 더보기 → 편집하기, 진열상태 = 진열 안함, 수정하기: the link shows the sale-ended page.
    row = page.get_by_role("row").filter(has_text="김규섭 고객님 개인결제창")
    row.get_by_text("더보기").click()
    row.get_by_role("link", name="편집하기").click()
    page.get_by_role("group", name="진열상태").get_by_label("진열 안함").check()
    page.get_by_role("button", name="수정하기").click()
    expect(page.get_by_text("상품을 수정했습니다.")).to_be_visible()
    shots(page, "product-stopped")
    response = phone.goto(product_url)
    assert response.status == 410
    expect(phone.get_by_role("heading", name="판매가 종료된 상품입니다")).to_be_visible()
    expect(phone.get_by_text("128,000원")).to_have_count(0)
    expect(phone.get_by_role("link", name="구매하기")).to_have_count(0)
    shots(phone, "customer-sale-ended")


def test_merchant_refunds_part_of_a_second_order(browser, live_server, shots):
    from storefront import catalog
    from storefront.extensions import db

    base = live_server.url
    with live_server.app.app_context():
        product = catalog.create_product(
            catalog.ProductData(
                name="박서준 고객님 개인결제창", price=55000, listed=False, stock_managed=True, stock_quantity=1
            )
        )
        db.session.commit()
        product_url = f"{base}/products/{product.public_token}"
    customer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = customer.new_page()
    phone.goto(product_url + "/buy")
    phone.get_by_label("이름", exact=True).fill("박서준")
    phone.get_by_label("휴대폰 번호", exact=True).fill("010-9876-5432")
    phone.get_by_label("받는 분").fill("박서준")
    phone.get_by_label("연락처").fill("01098765432")
    phone.get_by_label("우편번호").fill("04524")
    phone.get_by_label("주소", exact=True).fill("서울특별시 중구 세종대로 110")
    phone.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    phone.get_by_role("button", name="결제하기").click()
    expect(phone.get_by_role("heading", name="주문 완료")).to_be_visible()

    merchant = browser.new_context(viewport=PHONE)
    page = merchant.new_page()
    log_in(page, base)
    page.goto(base + "/admin/orders")
    page.get_by_role("row").filter(has_text="박서준").get_by_role("link").click()
    page.get_by_role("button", name="입금 확인").click()
    expect(page.get_by_text("입금을 확인했습니다.")).to_be_visible()
    # A second staff member has the same order open (or the merchant taps twice).
    other = merchant.new_page()
    other.goto(page.url)
    # 5,000원 back (a discount agreed on the phone), sent to the buyer's account first.
    page.get_by_text("환불하기", exact=True).click()
    page.get_by_label("환불 금액").fill("5,000")
    page.get_by_label("은행").fill("신한은행")
    page.get_by_label("계좌번호").fill("110-123-456789")
    page.get_by_label("예금주").fill("박서준")
    shots(page, "merchant-partial-refund-form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="환불 완료").click()
    expect(page.get_by_text("환불을 기록했습니다.")).to_be_visible()
    expect(page.locator("h1 .status-badge")).to_have_text("부분 환불")
    payments = page.locator("#payments")
    expect(payments.get_by_text("50,000원")).to_be_visible()  # the balance
    expect(payments.get_by_text("신한은행 110-123-456789 (박서준)")).to_be_visible()
    shots(page, "merchant-partially-refunded")
    # The other page sends the same refund: nothing more is refunded, and it says why.
    other.get_by_text("환불하기", exact=True).click()
    other.get_by_label("환불 금액").fill("5,000")
    other.get_by_label("은행").fill("신한은행")
    other.get_by_label("계좌번호").fill("110-123-456789")
    other.get_by_label("예금주").fill("박서준")
    other.once("dialog", lambda dialog: dialog.accept())
    other.get_by_role("button", name="환불 완료").click()
    expect(other.get_by_text("다른 환불이 기록되어, 이번 환불은 기록하지 않았습니다")).to_be_visible()
    expect(other.locator("#payments").get_by_text("50,000원")).to_be_visible()
    shots(other, "merchant-refund-sent-twice")
    other.close()
    page.set_viewport_size(DESKTOP)
    shots(page, "merchant-partially-refunded-desktop")
    # 주문 관리 › 일괄 배송 시작: order numbers and tracking numbers pasted from a spreadsheet.
    order_no = page.locator("h1").inner_text().split()[1]
    page.goto(base + "/admin/orders")
    page.get_by_text("일괄 배송 시작").click()
    bulk = page.locator(".bulk-ship")
    bulk.get_by_label("택배사").select_option(label="우체국택배")
    bulk.get_by_label("주문번호 송장번호").fill(f"{order_no}\t6070 1234 5678 9")
    shots(page, "merchant-bulk-shipping")
    bulk.get_by_role("button", name="배송 시작").click()
    expect(page.get_by_text("주문 1건의 배송을 시작했습니다.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="박서준")).to_contain_text("배송중")
    merchant.close()
    customer.close()


def test_login_failure_shows_a_message(browser, live_server, shots):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_server.url + "/admin/products")
    page.get_by_label("이메일").fill("owner@example.com")
    page.get_by_label("비밀번호").fill("wrong password")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("alert")).to_have_text("이메일 또는 비밀번호가 올바르지 않습니다.")
    expect(page.get_by_label("이메일")).to_have_value("owner@example.com")
    shots(page, "login-failed")
    page.close()


def test_validation_error_is_shown_beside_its_field(browser, live_server, shots, tmp_path):
    page = browser.new_page(viewport=PHONE)
    log_in(page, live_server.url)
    page.goto(live_server.url + "/admin/products/new")
    page.get_by_label("상품명").fill("가격을 빠뜨린 상품")
    page.get_by_label("상품 이미지").set_input_files(str(product_photo(tmp_path / "p.jpg")))
    page.get_by_role("button", name="등록하기").click()
    price = page.get_by_label("판매가")
    expect(price).to_have_attribute("aria-invalid", "true")
    error_id = price.get_attribute("aria-describedby").split()[0]
    expect(page.locator(f"#{error_id}")).to_have_text("판매가를 입력하세요.")
    expect(page.get_by_label("상품명")).to_have_value("가격을 빠뜨린 상품")
    expect(page.get_by_role("img", name="이미지 1")).to_be_visible()  # the upload was kept
    shots(page, "validation-error-phone")
    page.close()


def test_admin_can_be_used_with_the_keyboard_only(browser, live_server, shots):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_server.url + "/admin/login")
    page.get_by_label("이메일").focus()
    page.keyboard.type("owner@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="관리자 홈")).to_be_visible()
    page.goto(live_server.url + "/admin/products/new")
    page.get_by_label("상품명").focus()
    page.keyboard.type("키보드 상품")
    page.keyboard.press("Tab")
    page.keyboard.type("9900")
    page.keyboard.press("Enter")  # Enter submits with the primary button, not an image button
    expect(page.get_by_text("상품을 등록했습니다.")).to_be_visible()
    # The 더보기 menu opens and closes from the keyboard.
    page.goto(live_server.url + "/admin/products")
    summary = page.locator("summary", has_text="더보기").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="편집하기")).to_be_visible()
    shots(page, "keyboard-more-menu", full_page=False)
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="편집하기")).to_be_hidden()
    page.close()
