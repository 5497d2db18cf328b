"""What every Korean checkout does for the buyer, on a phone inside KakaoTalk: 주소 검색, 주문자 정보와 동일,
phone numbers written as 010-1234-5678, 계좌번호 복사 — and the same journey when the address service is blocked."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from storefront import catalog
from storefront.extensions import db
from storefront.security import POSTCODE_SCRIPT

from .conftest import KAKAOTALK_UA

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}

# A stand-in for the Kakao 우편번호 service with its documented interface: new daum.Postcode({oncomplete})
# and .open() / .embed(element); the chosen address arrives as zonecode, roadAddress, jibunAddress,
# userSelectedType ('R' 도로명, 'J' 지번), bname, buildingName, apartment.
FAKE_POSTCODE_SCRIPT = """
window.daum = window.daum || {};
window.daum.Postcode = function (options) {
  var found = {
    zonecode: "06236", address: "서울 강남구 테헤란로 123", addressType: "R",
    roadAddress: "서울 강남구 테헤란로 123", jibunAddress: "서울 강남구 역삼동 737",
    autoRoadAddress: "", autoJibunAddress: "", bname: "역삼동", buildingName: "멀티캠퍼스", apartment: "N"
  };
  function choose(type) {
    var data = Object.assign({}, found, { userSelectedType: type });
    options.oncomplete(data);
    if (options.onclose) options.onclose("COMPLETE_CLOSE");
  }
  this.open = function () { choose("R"); };
  this.embed = function (element) {
    var query = document.createElement("input");
    query.setAttribute("aria-label", "도로명, 건물명 또는 지번 입력");
    query.value = "테헤란로 123";
    element.appendChild(query);
    [["R", "도로명 " + found.roadAddress], ["J", "지번 " + found.jibunAddress]].forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = choice[1];
      button.addEventListener("click", function () { choose(choice[0]); });
      element.appendChild(button);
    });
  };
};
"""


@pytest.fixture
def shipped_product(live_server):
    with live_server.app.test_request_context():
        product = catalog.create_product(
            catalog.ProductData(name="김규섭 고객님 개인결제창", price=128000, listed=False, requires_shipping=True)
        )
        db.session.commit()
        return product.public_token


def kakaotalk_phone(browser, postcode_service: bool):
    context = browser.new_context(
        viewport=SMALL_PHONE,
        user_agent=KAKAOTALK_UA,
        is_mobile=True,
        has_touch=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    if postcode_service:
        context.route(
            POSTCODE_SCRIPT, lambda route: route.fulfill(body=FAKE_POSTCODE_SCRIPT, content_type="text/javascript")
        )
    else:
        context.route(POSTCODE_SCRIPT, lambda route: route.abort())
    violations = []
    context.expose_function("reportViolation", lambda violation: violations.append(violation))
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " window.reportViolation(e.violatedDirective + ' ' + e.blockedURI); });"
    )
    return context, violations


def assert_accessible(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("postcode_service", [True, False], ids=["address-search", "script-blocked"])
def test_kakaotalk_buyer_checks_out_with_the_shops_conveniences(
    browser, live_server, shipped_product, shots, postcode_service
):
    context, violations = kakaotalk_phone(browser, postcode_service)
    page = context.new_page()
    page.goto(f"{live_server.url}/products/{shipped_product}/buy")
    expect(page.get_by_role("heading", name="주문서")).to_be_visible()

    page.get_by_label("이름", exact=True).fill("김규섭")
    page.get_by_label("휴대폰 번호", exact=True).press_sequentially("01012345678")
    expect(page.get_by_label("휴대폰 번호", exact=True)).to_have_value("010-1234-5678")

    page.get_by_label("주문자 정보와 동일").check()
    expect(page.get_by_label("받는 분")).to_have_value("김규섭")
    expect(page.get_by_label("연락처")).to_have_value("010-1234-5678")
    page.get_by_label("이름", exact=True).fill("김규섭 님")  # the recipient follows while the box is ticked
    expect(page.get_by_label("받는 분")).to_have_value("김규섭 님")
    page.get_by_label("이름", exact=True).fill("김규섭")

    find_address = page.get_by_role("button", name="주소 검색")
    if postcode_service:
        # 지번 first, then the default 도로명: each choice fills both fields and focuses 상세주소.
        find_address.click()
        dialog = page.get_by_role("dialog", name="주소 검색")
        expect(dialog).to_be_visible()
        shots(page, "postcode-layer", full_page=False)
        dialog.get_by_role("button", name="지번 서울 강남구 역삼동 737").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_label("주소", exact=True)).to_have_value("서울 강남구 역삼동 737")
        find_address.click()
        page.get_by_role("button", name="도로명 서울 강남구 테헤란로 123").click()
        expect(page.get_by_label("우편번호")).to_have_value("06236")
        expect(page.get_by_label("주소", exact=True)).to_have_value("서울 강남구 테헤란로 123 (역삼동)")
        expect(page.get_by_label("상세주소")).to_be_focused()
        page.keyboard.type("4층")
    else:
        expect(find_address).to_be_hidden()  # never a button that does nothing
        page.get_by_label("우편번호").fill("06236")
        page.get_by_label("주소", exact=True).fill("서울특별시 강남구 테헤란로 123")
        page.get_by_label("상세주소").fill("4층")
    page.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    page.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    shots(page, "checkout-filled")
    assert_accessible(page)
    page.get_by_role("button", name="결제하기").click()

    expect(page.get_by_role("heading", name="주문 완료")).to_be_visible()
    expect(page.get_by_text("김규섭 (010-1234-5678)")).to_be_visible()
    account = page.locator("#account-number")
    expect(account).to_have_text("123456-01-234567")
    assert account.evaluate("e => e.getClientRects().length") == 1  # one line box: never wrapped mid-number
    page.get_by_role("button", name="계좌번호 복사").click()
    expect(page.get_by_role("status").filter(has_text="복사됨")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == "12345601234567"
    page.get_by_role("button", name="금액 복사").click()
    assert page.evaluate("navigator.clipboard.readText()") == "128000"
    shots(page, "order-copied")
    assert_accessible(page)
    assert violations == []
    context.close()


def test_postcode_layer_is_used_with_the_keyboard(browser, live_server, shipped_product, shots):
    context, violations = kakaotalk_phone(browser, postcode_service=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/products/{shipped_product}/buy")
    page.get_by_label("우편번호").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="주소 검색")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="주소 검색")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # closes without choosing; the focus returns to the button
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="주소 검색")).to_be_focused()
    expect(page.get_by_label("우편번호")).to_have_value("")
    assert violations == []
    context.close()


def test_phone_numbers_typed_in_the_browser_look_as_the_server_shows_them(browser, live_server, shipped_product):
    from storefront.text import format_phone

    page = browser.new_page(viewport=SMALL_PHONE)
    page.goto(f"{live_server.url}/products/{shipped_product}/buy")
    numbers = ["01012345678", "0111234567", "021234567", "0212345678", "0311234567", "07012345678", "05051234567"]
    for digits in numbers:
        field = page.get_by_label("휴대폰 번호", exact=True)
        field.fill("")
        field.press_sequentially(digits)
        expect(field).to_have_value(format_phone(digits))
    page.close()


def test_address_search_waits_for_a_loader_that_fetches_the_service_later(browser, live_server, shipped_product):
    deferred = (
        "window.daum = { postcode: { load: function (ready) { setTimeout(function () {"
        + FAKE_POSTCODE_SCRIPT
        + " ready(); }, 300); } } };"
    )
    context = browser.new_context(viewport=SMALL_PHONE)
    context.route(POSTCODE_SCRIPT, lambda route: route.fulfill(body=deferred, content_type="text/javascript"))
    page = context.new_page()
    page.goto(f"{live_server.url}/products/{shipped_product}/buy")
    expect(page.get_by_role("button", name="주소 검색")).to_be_visible()
    context.close()
