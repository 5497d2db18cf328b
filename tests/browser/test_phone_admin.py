"""The merchant on a phone: 빠른 개인결제창 with a photo, then 공유하기 into the share sheet or the clipboard."""

import re

import pytest
from playwright.sync_api import expect

from ..builders import product_photo
from .conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.230 Mobile Safari/537.36"
)
# A share sheet that records what it was given, as the phone's would hand it to KakaoTalk.
SHARE_STUB = """
Object.defineProperty(Navigator.prototype, "share", {
  configurable: true,
  value: function (data) { window.sharedWith = data; return Promise.resolve(); }
});
"""
# A browser without a share sheet (most desktops, some in-app browsers).
NO_SHARE = "delete Navigator.prototype.share; delete Navigator.prototype.canShare;"


def phone_context(browser, init_script):
    context = browser.new_context(
        viewport=PHONE,
        user_agent=PHONE_UA,
        is_mobile=True,
        has_touch=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.add_init_script(init_script)
    return context


def quick_window(page, name, price, photo=None):
    """빠른 개인결제창 from the admin's top, as a thumb would: one tap, two fields, maybe a photo."""
    page.get_by_role("link", name="빠른 개인결제창").tap()
    expect(page.get_by_role("heading", name="빠른 개인결제창")).to_be_visible()
    page.get_by_label("상품명").fill(name)
    page.get_by_label("판매가").fill(price)
    if photo:
        page.get_by_label("사진").set_input_files(str(photo))
    page.get_by_role("button", name="만들고 링크 보내기").tap()
    panel = page.locator("#send-link")
    expect(panel.get_by_role("heading", name="링크 보내기")).to_be_in_viewport()
    return panel


def product_url_of(panel) -> str:
    return panel.get_by_label("상품 URL").input_value()


def assert_fits_the_screen(page):
    width, scroll_width = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll_width <= width


def assert_thumb_sized(locator):
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (locator.nth(i).inner_text(), box)


def test_quick_window_from_a_phone_goes_to_the_share_sheet(browser, live_server, shots, tmp_path):
    base = live_server.url
    context = phone_context(browser, SHARE_STUB)
    page = context.new_page()
    log_in(page, base)
    expect(page.get_by_role("heading", name="관리자 홈")).to_be_visible()
    shots(page, "admin-top", full_page=False)
    assert_thumb_sized(page.get_by_role("link", name="빠른 개인결제창"))

    page.get_by_role("link", name="빠른 개인결제창").tap()
    expect(page.get_by_label("판매가")).to_have_attribute("inputmode", "numeric")
    expect(page.get_by_label("사진")).to_have_attribute("accept", "image/*")
    shots(page, "quick-form", full_page=False)
    page.go_back()
    panel = quick_window(page, "김규섭 고객님 개인결제창", "128000", product_photo(tmp_path / "beans.jpg"))
    shots(page, "send-link-panel", full_page=False)
    url = product_url_of(panel)
    assert re.fullmatch(re.escape(base) + r"/products/[A-Za-z0-9_-]{22}", url)
    expect(page.locator(".kakao-card img")).to_have_attribute("src", re.compile(r"/uploads/"))  # the photo

    share = panel.get_by_role("button", name="공유하기")
    assert_thumb_sized(share)
    share.tap()
    shared = page.wait_for_function("window.sharedWith").json_value()
    assert shared["url"] == url
    assert shared["title"] == "김규섭 고객님 개인결제창"
    assert shared["text"] == "[규섭커피] 김규섭 고객님 개인결제창"

    # A second window with a long name; then 상품 관리 shows each as a card that fits the screen.
    quick_window(page, "박지은 고객님 맞춤 제작 원두 선물 세트 (2kg, 분쇄 안 함, 포장 포함)", "56,000")
    page.get_by_role("link", name="상품 관리").tap()
    expect(page.get_by_role("heading", name="상품 관리")).to_be_visible()
    shots(page, "product-cards", full_page=False)
    shots(page, "product-cards-full")
    assert_fits_the_screen(page)
    actions = page.locator(".card-actions")
    expect(actions).to_have_count(2)
    for i in range(2):
        card = actions.nth(i)
        for label in ("바로가기", "URL 복사", "공유하기", "편집하기"):
            control = card.get_by_text(label, exact=True)
            expect(control).to_be_visible()
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert_thumb_sized(card.locator("a, button"))
    assert_thumb_sized(page.locator("summary:visible"))

    card = page.locator("tr", has_text="김규섭 고객님 개인결제창")
    expect(card.get_by_text("링크 전용")).to_be_visible()
    expect(card.get_by_text("128,000원")).to_be_visible()
    page.evaluate("window.sharedWith = null")
    card.locator(".card-actions").get_by_role("button", name="공유하기").tap()
    assert page.wait_for_function("window.sharedWith").json_value()["url"] == url

    # 더보기 on a card holds what is left: 복제 and 새 URL, without pushing the page sideways.
    card.get_by_text("더보기").tap()
    expect(card.get_by_role("button", name="복제")).to_be_visible()
    shots(page, "card-more-open", full_page=False)
    assert_fits_the_screen(page)
    context.close()


def test_without_a_share_sheet_the_url_is_copied(browser, live_server, shots, tmp_path):
    context = phone_context(browser, NO_SHARE)
    page = context.new_page()
    log_in(page, live_server.url)
    panel = quick_window(page, "이수민 고객님 개인결제창", "30000", product_photo(tmp_path / "cup.jpg"))
    url = product_url_of(panel)
    panel.get_by_role("button", name="공유하기").tap()
    expect(panel.get_by_role("button", name="복사됨")).to_be_visible()
    shots(page, "share-copied", full_page=False)
    assert page.evaluate("navigator.clipboard.readText()") == url

    page.get_by_role("link", name="상품 관리").tap()
    expect(page.get_by_role("heading", name="상품 관리")).to_be_visible()
    page.evaluate("navigator.clipboard.writeText('')")
    card = page.locator("tr", has_text="이수민 고객님 개인결제창")
    card.locator(".card-actions").get_by_role("button", name="공유하기").tap()
    expect(card.get_by_role("button", name="복사됨")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    context.close()


def test_desktop_keeps_the_table_with_share_in_more(browser, live_server, shots, tmp_path):
    context = browser.new_context(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    context.add_init_script(NO_SHARE)
    page = context.new_page()
    log_in(page, live_server.url)
    page.get_by_role("link", name="빠른 개인결제창").click()
    page.get_by_label("상품명").fill("데스크탑 결제창")
    page.get_by_label("판매가").fill("12000")
    page.get_by_role("button", name="만들고 링크 보내기").click()
    url = page.get_by_label("상품 URL").input_value()
    page.get_by_role("link", name="상품 관리").click()
    expect(page.get_by_role("columnheader", name="상품명")).to_be_visible()
    expect(page.locator(".card-actions")).to_be_hidden()
    row = page.get_by_role("row").filter(has_text="데스크탑 결제창")
    row.get_by_text("더보기").click()
    for label in ("바로가기", "편집하기"):
        expect(row.get_by_role("link", name=label)).to_be_visible()
    row.get_by_role("button", name="공유하기").click()
    expect(row.get_by_role("button", name="복사됨")).to_be_visible()
    shots(page, "desktop-more-share", full_page=False)
    assert page.evaluate("navigator.clipboard.readText()") == url
    # On a small laptop the table scrolls inside its box; the page itself does not move sideways.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.reload()
    expect(page.get_by_role("heading", name="상품 관리")).to_be_visible()
    assert_fits_the_screen(page)
    context.close()
