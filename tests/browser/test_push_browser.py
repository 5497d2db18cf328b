"""The back office as a Home Screen web app in Chromium: its manifest, its service worker, and 알림 받기.

Headless Chromium has no push service to subscribe to, so the subscription itself is not faked
here: the server's side of a push is tested against a local push service (tests/test_push.py).
"""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from storefront import push
from storefront.auth import find_admin
from storefront.extensions import db

from ..conftest import ADMIN_EMAIL
from ..fake_push import FakePushService
from .conftest import PHONE, log_in

pytestmark = pytest.mark.browser

# Counts permission prompts, and answers them "denied": no prompt may appear before a tap.
COUNT_PROMPTS = """
window.permissionPrompts = 0;
if (window.Notification) {
  Notification.requestPermission = function () {
    window.permissionPrompts += 1;
    return Promise.resolve("denied");
  };
}
"""


def watch_console(page) -> list[str]:
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_the_admin_is_an_installable_web_app_with_its_service_worker(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = watch_console(page)
    log_in(page, live_server.url)
    expect(page).to_have_url(live_server.url + "/admin/")

    href = page.locator('link[rel="manifest"]').get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == "규섭커피 관리자" and manifest["short_name"]
    assert manifest["start_url"] == "/admin/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        image = page.request.get(live_server.url + icon["src"])
        assert image.ok and image.headers["content-type"] == "image/png"
        size = int(icon["sizes"].split("x")[0])
        assert Image.open(io.BytesIO(image.body())).size == (size, size)
    assert page.locator('meta[name="theme-color"]').get_attribute("content") == manifest["theme_color"]

    worker = page.evaluate(
        """() => navigator.serviceWorker.ready.then(function (registration) {
             return { scope: registration.scope, script: registration.active.scriptURL };
           })"""
    )
    assert worker == {"scope": live_server.url + "/admin/", "script": live_server.url + "/admin/sw.js"}
    page.reload()  # the next admin page is run by the worker
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL") == live_server.url + "/admin/sw.js"
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    context.close()


def test_notifications_are_asked_for_only_after_a_tap(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(COUNT_PROMPTS)
    page = context.new_page()
    problems = watch_console(page)
    log_in(page, live_server.url)
    panel = page.locator("#push")
    expect(panel.get_by_text("iPhone·iPad는 홈 화면에 추가한 관리자 앱으로만 알림을 보냅니다")).to_be_visible()
    turn_on = panel.get_by_role("button", name="알림 받기")
    expect(turn_on).to_be_visible()
    assert page.evaluate("window.permissionPrompts") == 0  # nothing asked on the way in
    turn_on.click()
    expect(panel.get_by_text("이 사이트의 알림이 차단되어 있습니다")).to_be_visible()
    assert page.evaluate("window.permissionPrompts") == 1
    assert problems == []
    context.close()


def test_the_push_panel_fits_a_phone_with_devices_listed(browser, live_server, shots):
    keys = FakePushService().device().subscription["keys"]
    with live_server.app.test_request_context():
        owner = find_admin(ADMIN_EMAIL)
        for n in range(2):
            browser_subscription = push.BrowserSubscription(f"https://push.example.com/{'x' * 150}{n}", **keys)
            push.subscribe(owner, browser_subscription, "Android · Samsung Internet")
        db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url)
    panel = page.locator("#push")
    expect(panel.get_by_text("알림 받는 기기")).to_be_visible()
    panel.scroll_into_view_if_needed()
    shots(page, "push-panel", full_page=True)
    assert panel.get_by_role("checkbox", name="열람").count() == 2
    width, scroll_width = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll_width <= width == 360
    for button in panel.get_by_role("button").all():
        if button.is_visible():
            assert button.bounding_box()["height"] >= 44
    panel.get_by_role("checkbox", name="열람").first.check()
    panel.get_by_role("button", name="저장하기").first.click()
    expect(page.get_by_text("알림 설정을 저장했습니다.")).to_be_visible()
    expect(page.locator("#push").get_by_role("checkbox", name="열람").first).to_be_checked()
    context.close()
