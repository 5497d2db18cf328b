"""Links that know their customer, in a real browser: 열람, the four-digit gate, many windows at once."""

from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect

from storefront import catalog
from storefront.clock import local_date
from storefront.extensions import db

from .conftest import DESKTOP, KAKAOTALK_UA, PHONE, log_in

pytestmark = pytest.mark.browser

KAKAOTALK_SCRAPER = "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/t/scrap/33984"


def make_window(live_server, **fields) -> str:
    """A personal payment window made through the catalogue operation; returns its URL."""
    with live_server.app.test_request_context():
        data = {**catalog.PERSONAL_PAYMENT_PRESET, "name": "김규섭 고객님 개인결제창", "price": 128000, **fields}
        product = catalog.create_product(catalog.ProductData(**data))
        db.session.commit()
        return f"{live_server.url}/products/{product.public_token}"


def open_and_wait_for_beacon(page, url):
    with page.expect_request(lambda request: request.url.endswith("/viewed") and request.method == "POST"):
        page.goto(url)


def test_a_link_opened_on_a_phone_shows_as_opened_but_the_scraper_and_the_merchant_do_not(browser, live_server, shots):
    base = live_server.url
    url = make_window(live_server)

    # KakaoTalk draws its card: it fetches the page but runs no script.
    scraped = requests.get(url, headers={"User-Agent": KAKAOTALK_SCRAPER}, timeout=30)
    assert scraped.status_code == 200 and 'property="og:title"' in scraped.text

    # The merchant checks the link from the admin: their visit is not the customer's.
    merchant = browser.new_context(viewport=DESKTOP)
    page = merchant.new_page()
    log_in(page, base)
    check = merchant.new_page()
    open_and_wait_for_beacon(check, url)
    expect(check.get_by_role("heading", name="김규섭 고객님 개인결제창")).to_be_visible()
    check.close()
    page.goto(base + "/admin/products")
    row = page.get_by_role("row").filter(has_text="김규섭 고객님 개인결제창")
    expect(row.get_by_text("판매중")).to_be_visible()
    expect(row.get_by_text("열람됨")).to_have_count(0)

    # The customer opens it in KakaoTalk on a phone.
    customer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = customer.new_page()
    open_and_wait_for_beacon(phone, url)
    expect(phone.get_by_role("heading", name="김규섭 고객님 개인결제창")).to_be_visible()

    page.reload()
    row = page.get_by_role("row").filter(has_text="김규섭 고객님 개인결제창")
    expect(row.get_by_text("열람됨")).to_be_visible()
    expect(row.get_by_text("1회")).to_be_visible()
    shots(page, "product-management-opened")
    page.get_by_label("링크 상태").select_option(label="열람됨")
    page.get_by_role("button", name="검색").click()
    expect(page.get_by_role("row").filter(has_text="김규섭 고객님 개인결제창")).to_be_visible()
    row.get_by_role("link", name="김규섭 고객님 개인결제창").click()
    stats = page.locator(".view-stats")
    expect(stats.get_by_text("열람 횟수")).to_be_visible()
    expect(stats.locator("dd").nth(1)).to_have_text("1")
    shots(page, "edit-page-opened")

    narrow = browser.new_context(viewport=PHONE)
    small = narrow.new_page()
    log_in(small, base)
    small.goto(base + "/admin/products")
    shots(small, "product-management-opened-phone")
    for context in (merchant, customer, narrow):
        context.close()


def test_a_bound_link_asks_for_four_digits_and_fills_in_the_checkout(browser, live_server, shots):
    base = live_server.url
    merchant = browser.new_context(viewport=DESKTOP)
    page = merchant.new_page()
    log_in(page, base)
    page.goto(base + "/admin/products/new")
    page.get_by_role("button", name="개인결제창 설정").click()
    page.get_by_label("상품명").fill("김규섭 고객님 개인결제창")
    page.get_by_label("판매가").fill("128000")
    page.get_by_label("고객명").fill("김규섭")
    page.get_by_label("휴대폰 번호", exact=True).fill("010-1234-5678")
    page.get_by_label("휴대폰 번호 뒤 4자리 확인").check()
    shots(page, "bound-window-form")
    page.get_by_role("button", name="등록하기").click()
    expect(page.get_by_text("상품을 등록했습니다.")).to_be_visible()
    url = page.locator("#public-url").input_value()
    card = page.locator(".kakao-card")
    expect(card).not_to_contain_text("김규섭")
    shots(page, "bound-window-saved")

    customer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True, has_touch=True)
    phone = customer.new_page()
    phone.goto(url)
    expect(phone.get_by_role("heading", name="한 고객님을 위한 링크입니다")).to_be_visible()
    expect(phone.get_by_text("김규섭")).to_have_count(0)
    shots(phone, "gate")
    phone.get_by_label("휴대폰 번호 뒤 4자리").fill("1234")
    phone.get_by_role("button", name="확인").click()
    expect(phone.get_by_role("alert")).to_contain_text("번호가 맞지 않습니다")
    shots(phone, "gate-wrong-digits")
    phone.get_by_label("휴대폰 번호 뒤 4자리").fill("5678")
    phone.get_by_role("button", name="확인").click()
    expect(phone.get_by_role("heading", name="김규섭 고객님 개인결제창")).to_be_visible()
    phone.get_by_role("link", name="구매하기").click()
    expect(phone.get_by_label("이름", exact=True)).to_have_value("김규섭")
    expect(phone.get_by_label("휴대폰 번호", exact=True)).to_have_value("010-1234-5678")
    shots(phone, "checkout-prefilled")
    merchant.close()
    customer.close()


def test_a_twenty_row_file_makes_twenty_windows_whose_links_all_open(browser, live_server, shots, tmp_path):
    base = live_server.url
    ends = f"{local_date() + timedelta(days=30):%Y-%m-%d}"  # 판매 종료일, a month from today
    rows = ["고객명,휴대폰 번호,상품명,판매가,재고 수량,판매 종료일,설명"] + [
        f"고객{n:02d},010-2000-{n:04d},12월 정기배송,{30000 + n * 100},1,{ends},원두 1kg" for n in range(1, 21)
    ]
    upload = tmp_path / "12월 고객.csv"
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")

    merchant = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = merchant.new_page()
    log_in(page, base)
    page.get_by_role("link", name="개인결제창 일괄 생성").click()
    page.get_by_label("파일 (.xlsx 또는 .csv)").set_input_files(str(upload))
    page.get_by_role("button", name="미리보기").click()
    expect(page.get_by_text("정상", exact=True)).to_have_count(20)
    shots(page, "batch-preview")
    page.get_by_role("button", name="20개 만들기").click()
    expect(page.get_by_role("heading", name="새 링크 20개")).to_be_visible()
    shots(page, "batch-links")
    urls = [field.input_value() for field in page.locator(".copy-field").all()]
    assert len(urls) == 20 and len(set(urls)) == 20
    customer = browser.new_context(viewport=PHONE, user_agent=KAKAOTALK_UA, is_mobile=True)
    phone = customer.new_page()
    for url in urls:
        response = phone.goto(url)
        assert response.status == 200
        expect(phone.get_by_role("heading", name="12월 정기배송")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="링크 내려받기 (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_role("link", name="QR 코드 인쇄").click()
    expect(page.locator(".qr-sheet li")).to_have_count(20)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("[...document.querySelectorAll('.qr-sheet img')].every(img => img.naturalWidth > 0)")
    shots(page, "batch-qr-sheet")

    # The same file again makes nothing new.
    page.goto(base + "/admin/products/batch")
    page.get_by_label("파일 (.xlsx 또는 .csv)").set_input_files(str(upload))
    page.get_by_role("button", name="미리보기").click()
    expect(page.get_by_text("이미 만든 내용입니다.")).to_be_visible()
    page.goto(base + "/admin/products")
    expect(page.get_by_text("상품 20개")).to_be_visible()

    narrow = browser.new_context(viewport=PHONE)
    small = narrow.new_page()
    log_in(small, base)
    small.goto(base + "/admin/products/batch")
    shots(small, "batch-form-phone")
    for context in (merchant, customer, narrow):
        context.close()
