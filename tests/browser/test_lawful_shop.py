"""A shop a Korean merchant may lawfully run, in a real browser: 사업자 정보 in the footer, the policies,
two consents, a 현금영수증 request and 비회원 주문조회."""

import re

import pytest
from playwright.sync_api import expect

from storefront import catalog
from storefront.extensions import db

from .conftest import DESKTOP, KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser


def test_merchant_fills_business_information_and_a_phone_buyer_orders_and_finds_the_order(browser, live_server, shots):
    base = live_server.url
    with live_server.app.app_context():
        product = catalog.create_product(catalog.ProductData(name="케냐 AA 원두 1kg", price=128000, listed=False))
        db.session.commit()
        product_url = f"{base}/products/{product.public_token}"

    # The merchant fills 사업자 정보 in 상점 설정; the page says what is missing until then.
    merchant = browser.new_context(viewport=DESKTOP)
    page = merchant.new_page()
    log_in(page, base)
    page.goto(base + "/admin/settings")
    missing = page.locator("#missing-business-info")
    expect(missing).to_contain_text("사업자등록번호")
    expect(missing).to_contain_text("구매안전서비스")
    page.get_by_label("상호").fill("주식회사 규섭커피")
    page.get_by_label("대표자").fill("김규섭")
    page.get_by_label("사업자등록번호").fill("120-81-47522")  # one digit off
    page.get_by_label("통신판매업 신고번호").fill("제2024-서울강남-01234호")
    page.get_by_label("사업장 주소").fill("서울특별시 강남구 테헤란로 123, 4층")
    page.get_by_label("개인정보보호책임자").fill("김규섭 (대표)")
    page.get_by_label("호스팅 제공자").fill("아마존웹서비시즈코리아 유한회사")
    page.get_by_label("구매안전서비스 제공자").fill("KB국민은행 에스크로")
    page.get_by_label("서비스 가입사실 확인 링크").fill("https://okbfex.kbstar.com/quics?page=C021590")
    page.get_by_role("button", name="저장").click()
    expect(page.get_by_text("123-45-67890 형식의 올바른 사업자등록번호 10자리를 입력하세요.")).to_be_visible()
    shots(page, "merchant-business-number-refused")
    page.get_by_label("사업자등록번호").fill("120-81-47521")
    page.get_by_role("button", name="저장").click()
    expect(page.get_by_text("설정을 저장했습니다.")).to_be_visible()
    expect(page.locator("#missing-business-info")).to_have_count(0)
    shots(page, "merchant-business-information")
    page.goto(base + "/")
    expect(page.locator(".biz-details")).to_contain_text("120-81-47521")  # open on a wide screen
    shots(page, "desktop-footer")

    # A buyer on a phone: the footer folds 사업자 정보 behind a toggle.
    buyer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = buyer.new_page()
    phone.goto(product_url)
    footer = phone.locator("footer")
    expect(footer.get_by_text("120-81-47521")).to_be_hidden()
    footer.get_by_text("사업자 정보").click()
    expect(footer.get_by_text("120-81-47521")).to_be_visible()
    expect(footer.get_by_role("link", name="사업자정보 확인")).to_have_attribute(
        "href", "https://www.ftc.go.kr/bizCommPop.do?wrkr_no=1208147521"
    )
    expect(footer).to_contain_text("KB국민은행 에스크로")
    footer.scroll_into_view_if_needed()
    shots(phone, "phone-footer-open", full_page=False)

    footer.get_by_role("link", name="이용약관").click()
    expect(phone.get_by_role("heading", name="이용약관")).to_be_visible()
    expect(phone.get_by_text("사업자등록번호: 120-81-47521")).to_be_visible()
    shots(phone, "phone-terms", full_page=False)

    phone.goto(product_url)
    phone.get_by_role("link", name="구매하기").click()
    phone.get_by_label("이름", exact=True).fill("김규섭")
    phone.get_by_label("휴대폰 번호", exact=True).fill("010-1234-5678")
    phone.get_by_label("받는 분").fill("김규섭")
    phone.get_by_label("연락처").fill("01012345678")
    phone.get_by_label("우편번호").fill("06236")
    phone.get_by_label("주소", exact=True).fill("서울특별시 강남구 테헤란로 123")
    expect(phone.get_by_label("현금영수증 휴대폰 번호")).to_be_hidden()  # 신청 안함 asks for nothing
    phone.get_by_label("소득공제용 (휴대폰 번호)").check()
    expect(phone.get_by_label("현금영수증 휴대폰 번호")).to_be_visible()
    expect(phone.get_by_label("[필수] 개인정보 수집·이용 동의")).not_to_be_checked()
    expect(phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의")).not_to_be_checked()
    phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    phone.get_by_role("button", name="결제하기").click()
    expect(phone.get_by_text("주문하려면 개인정보 수집·이용에 동의해 주세요.")).to_be_visible()
    shots(phone, "phone-consent-missing")
    phone.locator(".consent-text summary").click()
    expect(phone.get_by_text("동의하지 않을 수 있습니다")).to_be_visible()
    phone.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    phone.locator(".consents").scroll_into_view_if_needed()
    shots(phone, "phone-consents", full_page=False)
    phone.get_by_role("button", name="결제하기").click()
    expect(phone.get_by_role("heading", name="주문 완료")).to_be_visible()
    expect(phone.get_by_text("소득공제용 (휴대폰 번호) · 010-1234-5678")).to_be_visible()
    order_no = re.search(r"/orders/([^?]+)", phone.url).group(1)
    shots(phone, "phone-order-placed")

    # Later, on another phone: 비회원 주문조회 from the footer.
    other = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True).new_page()
    other.goto(base + "/")
    other.locator("footer").get_by_role("link", name="비회원 주문조회").click()
    expect(other.get_by_role("heading", name="비회원 주문조회")).to_be_visible()
    other.get_by_label("주문번호").fill(order_no)
    other.get_by_label("휴대폰 번호", exact=True).fill("010-9999-0000")
    other.get_by_role("button", name="주문 조회").click()
    expect(other.get_by_text("주문번호와 휴대폰 번호가 일치하는 주문이 없습니다.")).to_be_visible()
    expect(other.get_by_label("주문번호")).to_have_value(order_no)
    shots(other, "phone-lookup-refused", full_page=False)
    other.get_by_label("휴대폰 번호", exact=True).fill("010-1234-5678")
    other.get_by_role("button", name="주문 조회").click()
    expect(other.get_by_text(f"주문번호 {order_no}")).to_be_visible()
    expect(other.get_by_text("케냐 AA 원두 1kg")).to_be_visible()
    shots(other, "phone-order-found")

    # The merchant confirms the deposit and marks the requested receipt 발급 완료.
    page.goto(base + "/admin/orders")
    expect(page.get_by_role("row").filter(has_text=order_no)).to_contain_text("현금영수증: 소득공제용 (휴대폰 번호)")
    page.get_by_role("link", name=order_no).click()
    page.get_by_role("button", name="입금 확인").click()
    receipt = page.locator("#cash-receipt")
    expect(receipt).to_contain_text("010-1234-5678")
    shots(page, "merchant-cash-receipt-due")
    receipt.get_by_role("button", name="발급 완료 처리").click()
    expect(page.get_by_text("현금영수증을 발급 완료로 표시했습니다.")).to_be_visible()
    expect(page.locator("#cash-receipt").get_by_role("button")).to_have_count(0)
    shots(page, "merchant-cash-receipt-issued")
