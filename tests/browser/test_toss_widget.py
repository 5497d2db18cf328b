"""static/js/toss.js in Chromium, against a local fake of the Toss Payments v2 SDK and the fake gateway.

The SDK's URL (https://js.tosspayments.com/v2/standard) is answered by route interception with
tests/browser/fake_toss_sdk.js; the fake SDK "authenticates" the buyer with the fake gateway
(tests/fake_toss.py) through an intercepted call, then goes to the success or fail URL like the
real one. Any Content-Security-Policy violation fails the test.
"""

import json
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from storefront import catalog, create_app, masking
from storefront.auth import create_or_update_admin
from storefront.clock import KST
from storefront.extensions import db
from storefront.settings import save_settings

from ..conftest import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer
from ..fake_toss import FakeToss, FakeTossError
from .conftest import DESKTOP, KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser

CLIENT = "test_gck_docs_Ovk5rk1EwkEbP0W43n07xlzm"
SECRET = "test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6"
SDK = (Path(__file__).parent / "fake_toss_sdk.js").read_text()


@pytest.fixture
def shop(tmp_path):
    """The shop with card payments on, its gateway the fake, and a 45,000원 product."""
    from flask_migrate import upgrade

    toss = FakeToss(SECRET)
    gateway = LiveServer(toss.app)
    gateway.start()
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "browser-test-key",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "instance" / "shop.sqlite"),
            "SHOP_NAME": "규섭커피",
            "TOSS_CLIENT_KEY": CLIENT,
            "TOSS_SECRET_KEY": SECRET,
            "TOSS_API_BASE": gateway.url,
            "TOSS_TIMEOUT": 3,
        }
    )
    with app.test_request_context():
        upgrade()
        create_or_update_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        save_settings(
            {"name": "규섭커피", "phone": "02-1234-5678", "email": "help@example.com", "bank_name": "국민은행",
             "bank_account": "123456-01-234567", "bank_holder": "규섭커피"}
        )  # fmt: skip
        product = catalog.create_product(
            catalog.ProductData(name="원두 1kg 정기 배송", price=45000, stock_managed=True, stock_quantity=3)
        )
        db.session.commit()
        token = product.public_token
    server = LiveServer(app)
    server.start()
    yield {"url": server.url, "app": app, "toss": toss, "product": f"{server.url}/products/{token}"}
    server.stop()
    gateway.stop()
    with app.app_context():
        db.engine.dispose()


def open_buyer(browser, shop, viewport=PHONE, sdk=True):
    """A buyer's phone whose requests to Toss reach the fakes; CSP violations are collected."""
    context = browser.new_context(viewport=viewport, user_agent=KAKAOTALK_UA, is_mobile=viewport is PHONE)
    violations: list[str] = []
    context.expose_function("reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI); });"
    )

    def serve_sdk(route):
        shop.setdefault("sdk_loads", []).append(route.request.url)
        if sdk:
            route.fulfill(status=200, content_type="application/javascript", body=SDK)
        else:
            route.abort()

    def authenticate(route):
        body = json.loads(route.request.post_data or "{}")
        try:
            answer = {"paymentKey": shop["toss"].authenticate(
                body["orderId"], body["amount"], method=body["method"], order_name=body["orderName"],
                customer_email=body["customerEmail"],
            )}  # fmt: skip
        except FakeTossError as exc:
            answer = {"code": exc.code, "message": str(exc)}
        route.fulfill(
            status=200, content_type="application/json", body=json.dumps(answer),
            headers={"Access-Control-Allow-Origin": "*"},
        )  # fmt: skip

    context.route("https://js.tosspayments.com/v2/standard", serve_sdk)
    context.route("https://api.tosspayments.com/__fake__/authenticate", authenticate)
    return context, context.new_page(), violations


def order_by_card(page, shop):
    page.goto(shop["product"] + "/buy")
    page.get_by_label("이름", exact=True).fill("박서준")
    page.get_by_label("휴대폰 번호", exact=True).fill("010-9876-5432")
    page.get_by_label("받는 분").fill("박서준")
    page.get_by_label("연락처").fill("01098765432")
    page.get_by_label("우편번호").fill("04524")
    page.get_by_label("주소", exact=True).fill("서울특별시 중구 세종대로 110")
    page.get_by_label("카드 결제").check()
    page.get_by_label("[필수] 개인정보 수집·이용 동의").check()
    page.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
    page.get_by_role("button", name="결제하기").click()
    expect(page.get_by_role("heading", name="카드 결제")).to_be_visible()


def test_a_card_payment_through_the_widget(browser, shop, shots):
    context, page, violations = open_buyer(browser, shop)
    order_by_card(page, shop)
    pay = page.get_by_role("button", name="45,000원 결제하기")
    expect(pay).to_be_enabled()
    expect(page.locator("#payment-method").get_by_text("카드")).to_be_visible()
    shots(page, "widget-ready")
    pay.click()
    expect(page.get_by_text("결제 완료").first).to_be_visible()
    shots(page, "paid")
    assert shop["toss"].charges == 1
    assert violations == []
    page.set_viewport_size(DESKTOP)
    shots(page, "paid-desktop")
    context.close()


def test_a_refused_card_comes_back_to_a_payable_order(browser, shop, shots):
    context, page, violations = open_buyer(browser, shop)
    order_by_card(page, shop)
    expect(page.get_by_role("button", name="45,000원 결제하기")).to_be_enabled()
    page.evaluate("window.fakeToss = {outcome: 'reject'}")
    page.get_by_role("button", name="45,000원 결제하기").click()
    expect(page.get_by_text("카드사에서 결제를 거절했습니다.")).to_be_visible()
    expect(page.get_by_role("button", name="45,000원 결제하기")).to_be_enabled()  # pay again, another card
    shots(page, "refused")
    page.evaluate("window.fakeToss = {outcome: 'cancel'}")
    page.get_by_role("button", name="45,000원 결제하기").click()  # the buyer closes the window
    expect(page.get_by_role("button", name="45,000원 결제하기")).to_be_enabled()
    expect(page.get_by_role("button", name="다시 시도")).to_be_hidden()
    assert shop["toss"].charges == 0
    assert violations == []
    context.close()


def test_an_api_individual_key_shows_a_korean_error_with_retry(browser, shop, shots):
    shop["app"].config["TOSS_CLIENT_KEY"] = "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq"  # changed after startup
    context, page, violations = open_buyer(browser, shop)
    order_by_card(page, shop)
    expect(page.get_by_text("이 상점의 결제 설정에 문제가 있어 결제창을 열 수 없습니다.")).to_be_visible()
    expect(page.get_by_role("button", name="다시 시도")).to_be_visible()
    expect(page.get_by_text("결제창을 불러오는 중")).to_be_hidden()
    expect(page.get_by_role("button", name="45,000원 결제하기")).to_be_hidden()
    shots(page, "api-individual-key")
    assert violations == []
    context.close()


def test_a_script_that_does_not_load_offers_a_retry(browser, shop, shots):
    context, page, violations = open_buyer(browser, shop, sdk=False)
    order_by_card(page, shop)
    expect(page.get_by_text("결제창을 불러오지 못했습니다.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="다시 시도").click()  # loads the page, and the SDK, again
    expect(page.get_by_text("결제창을 불러오지 못했습니다.")).to_be_visible()
    assert len(shop["sdk_loads"]) == 2
    shots(page, "sdk-not-loaded")
    context.close()


def test_a_virtual_account_shows_where_to_transfer(browser, shop, shots):
    context, page, violations = open_buyer(browser, shop)
    order_by_card(page, shop)
    page.locator("#payment-method").get_by_label("가상계좌").check()
    page.get_by_role("button", name="45,000원 결제하기").click()
    expect(page.get_by_text("입금 대기").first).to_be_visible()
    issued = next(iter(shop["toss"].payments.values()))["virtualAccount"]
    expect(page.get_by_text(f"우리은행 {issued['accountNumber']}")).to_be_visible()
    due = datetime.fromisoformat(issued["dueDate"]).astimezone(KST)  # Toss sends it with +09:00
    expect(page.get_by_text(f"{due:%Y-%m-%d %H:%M}")).to_be_visible()  # the due date, in Korean time
    shots(page, "virtual-account")
    assert violations == []
    context.close()

    merchant = browser.new_page(viewport=PHONE)
    log_in(merchant, shop["url"])
    merchant.goto(shop["url"] + "/admin/orders")
    merchant.get_by_role("row").filter(has_text=masking.name("박서준")).get_by_role("link").first.click()
    expect(merchant.get_by_text("가상계좌 · 토스페이먼츠")).to_be_visible()
    expect(merchant.get_by_text(f"우리은행 {issued['accountNumber']}")).to_be_visible()
    expect(merchant.get_by_text("가상계좌 발급")).to_be_visible()
    shots(merchant, "merchant-virtual-account")
    merchant.close()
