"""배송비 in a real browser: the merchant sets 조건부 무료배송 and the 제주 extra; a buyer on a phone sees
the fee, types a 제주 postcode and sees the extra before paying; the order, the admin and the
XLSX show the same lines."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from storefront import catalog, masking
from storefront.extensions import db

from .conftest import KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser


def test_a_buyer_in_jeju_sees_the_fee_and_the_extra_before_paying(browser, live_server, shots):
    base = live_server.url
    merchant = browser.new_context(viewport=PHONE, accept_downloads=True)
    admin = merchant.new_page()
    log_in(admin, base)
    admin.goto(base + "/admin/settings")
    shipping = admin.locator("#shipping")
    shipping.get_by_label("조건부 무료배송").check()
    shipping.get_by_label("배송비", exact=True).fill("3,000")
    shipping.get_by_label("무료배송 기준 금액").fill("50,000")
    shipping.get_by_label("제주 추가 배송비").fill("3,000")
    shipping.get_by_label("도서산간 추가 배송비").fill("5,000")
    shots(admin, "settings-shipping")
    admin.get_by_role("button", name="저장").first.click()
    expect(admin.get_by_text("설정을 저장했습니다.")).to_be_visible()

    with live_server.app.app_context():
        product = catalog.create_product(catalog.ProductData(name="케냐 AA 원두 200g", price=12_000))
        db.session.commit()
        token = product.public_token
    buyer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = buyer.new_page()
    phone.goto(f"{base}/products/{token}")
    expect(phone.get_by_text("배송비 3,000원 · 50,000원 이상 무료배송")).to_be_visible()
    phone.get_by_role("button", name="바로 구매").click()
    total = phone.locator("[data-total]")
    expect(total).to_have_text("15,000원")
    phone.get_by_label("이름", exact=True).fill("고은비")
    phone.get_by_label("휴대폰 번호", exact=True).fill("010-5555-1234")
    phone.get_by_label("받는 분").fill("고은비")
    phone.get_by_label("연락처").fill("010-5555-1234")
    phone.get_by_label("우편번호").fill("63100")
    expect(phone.get_by_text("제주 추가 배송비")).to_be_visible()
    expect(total).to_have_text("18,000원")
    phone.get_by_label("주소", exact=True).fill("제주특별자치도 제주시 첨단로 242")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(phone, "checkout-jeju-extra")
    phone.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    phone.get_by_role("button", name="결제하기").click()
    expect(phone.get_by_role("heading", name="주문 완료")).to_be_visible()
    expect(phone.locator("#deposit-amount")).to_have_text("18,000원")
    for line in ("상품 금액", "12,000원", "제주 추가 배송비"):
        expect(phone.get_by_text(line, exact=True).first).to_be_visible()
    shots(phone, "order-with-shipping-lines")

    admin.goto(base + "/admin/orders")
    admin.get_by_role("row").filter(has_text=masking.name("고은비")).get_by_role("link").first.click()
    for line in ("상품 금액", "제주 추가 배송비", "18,000원"):
        expect(admin.get_by_text(line, exact=True).first).to_be_visible()
    shots(admin, "admin-order-with-shipping-lines")
    admin.goto(base + "/admin/orders")
    admin.get_by_text("목록 내려받기 (CSV, 엑셀)").click()
    admin.get_by_label("정산·세무 (금액, 결제, 현금영수증 · 주소와 배송 정보 제외)").check()
    with admin.expect_download() as download:
        admin.get_by_role("button", name="엑셀 내려받기").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["상품 금액"], row["배송비"], row["추가 배송비"], row["금액"]) == (12_000, 3000, 3000, 18_000)

    # 추가 결제 요청: the courier wants more for this island; the merchant asks the buyer for 2,000원.
    admin.goto(base + "/admin/orders")
    admin.get_by_role("row").filter(has_text=masking.name("고은비")).get_by_role("link").first.click()
    order_page = admin.url
    admin.get_by_role("button", name="입금 확인").click()
    request = admin.locator("#extra-payments")
    request.get_by_text("추가 결제 요청", exact=True).first.click()
    request.get_by_label("금액", exact=True).fill("2,000")
    request.get_by_label("교환 배송비").check()
    request.get_by_label("구매자에게 보일 메모").fill("우도 추가 운임")
    request.get_by_role("button", name="추가 결제 요청").click()
    expect(admin.get_by_text("추가 결제 창을 만들었습니다.")).to_be_visible()
    link = admin.locator("#public-url").input_value()
    shots(admin, "extra-payment-send-link")
    phone.goto(link)
    phone.get_by_label("휴대폰 번호 뒤 4자리").fill("1234")
    phone.get_by_role("button", name="확인").click()
    expect(phone.get_by_text("2,000원").first).to_be_visible()
    phone.get_by_role("link", name="구매하기").click()
    expect(phone.get_by_label("이름", exact=True)).to_have_value("고은비")  # the buyer's details, prefilled
    expect(phone.locator("[data-total]")).to_have_text("2,000원")
    phone.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    phone.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    phone.get_by_role("button", name="결제하기").click()
    expect(phone.get_by_role("heading", name="주문 완료")).to_be_visible()
    shots(phone, "extra-payment-ordered")
    admin.goto(order_page)
    extras = admin.locator("#extra-payments")
    expect(extras.get_by_text("추가 결제 2,000원 · 우도 추가 운임")).to_be_visible()
    expect(extras.get_by_text("입금 대기")).to_be_visible()
    shots(admin, "original-order-with-extra-payment")
    merchant.close()
    buyer.close()
