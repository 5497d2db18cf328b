"""The whole back office on a 360 px phone: a shop full of orders and long names, every admin page visited.

The page must never pan sideways: ``document.documentElement.scrollWidth`` is compared with the screen's
width (an emulated phone widens ``window.innerWidth`` to fit whatever is too wide, so that would pass).
"""

import html
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from storefront import catalog, masking
from storefront.extensions import db
from storefront.models import Category, Order, ProductBatch

from ..conftest import AuthActions, place
from .conftest import log_in

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.230 Mobile Safari/537.36"
)
LONG_NAME = "박지은고객님맞춤제작원두선물세트에티오피아예가체프코케허니내추럴2kg분쇄안함포장포함"
LONG_BUYER = "남궁민수김규섭박지은이수민최영희"
LONG_ADDRESS = "경상북도 울릉군 울릉읍 도동길 123-45 울릉아파트101동1234호관리사무소옆건물뒤편창고"


def fill_the_shop(server) -> dict:
    """Products with long names, orders in every state, a batch; what the admin pages need for their ids."""
    app = server.app
    with app.test_request_context():
        db.session.add_all(
            [Category(name="개인결제창", position=0), Category(name="에티오피아 예가체프 코케 허니", position=1)]
        )
        listed = catalog.create_product(
            catalog.ProductData(name=LONG_NAME, price=1234567, stock_managed=True, stock_quantity=50)
        )
        window = catalog.create_product(
            catalog.ProductData(name="김규섭 고객님 개인결제창 " + LONG_NAME, price=56000, listed=False)
        )
        db.session.commit()
        ids = {"listed": listed.id, "window": window.id, "tokens": [listed.public_token, window.public_token]}
    buyer = app.test_client()
    for n in range(6):
        place(
            buyer,
            ids["tokens"][n % 2],
            buyer_name=LONG_BUYER,
            depositor_name=LONG_BUYER,
            recipient_name=LONG_BUYER,
            address=LONG_ADDRESS,
            address_detail=LONG_ADDRESS,
            delivery_note="부재 시 경비실에 맡겨 주시고 도착하면 꼭 문자로 알려 주세요 " * 3,
            quantity="2",
        )
    merchant = AuthActions(app.test_client())
    merchant.login()
    with app.app_context():
        orders = db.session.scalars(sa.select(Order).order_by(Order.id)).all()
        order_ids = [o.id for o in orders]
    merchant.post(f"/admin/orders/{order_ids[0]}/paid")
    merchant.post(f"/admin/orders/{order_ids[1]}/paid")
    merchant.post(f"/admin/orders/{order_ids[1]}/ship", data={"carrier": "cj", "tracking_no": "123456789012"})
    merchant.post(f"/admin/orders/{order_ids[2]}/cancel")
    pasted = "\n".join(f"{LONG_BUYER}{n}\t010-1234-{n:04d}\t{LONG_NAME}\t12000\t1" for n in range(3))
    preview = merchant.post("/admin/products/batch", data={"action": "preview", "pasted": pasted}).get_data(
        as_text=True
    )
    rows = html.unescape(re.search(r'id="rows" name="rows" type="hidden" value="([^"]*)"', preview).group(1))
    merchant.post("/admin/products/batch", data={"action": "create", "rows": rows})
    with app.app_context():
        ids["batch"] = db.session.scalar(sa.select(ProductBatch.id))
        ids["order"] = order_ids[1]
        ids["orders"] = order_ids
    return ids


def admin_pages(app, ids) -> list[str]:
    """Every GET page of the admin blueprint, with real ids (downloads and images left out)."""
    values = {"order_id": ids["order"], "product_id": ids["listed"], "batch_id": ids["batch"]}
    pages = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        if re.search(r"\.(csv|xlsx|svg|js|json|webmanifest)$", rule.rule) or rule.endpoint in {"admin.logout"}:
            continue
        if "kind" in rule.arguments:
            pages += [rule.rule.replace("<kind>", kind) for kind in ("terms", "privacy", "refund")]
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
        pages.append(url)
    return sorted(pages)


def phone(browser, size=SMALL_PHONE):
    return browser.new_context(viewport=size, user_agent=PHONE_UA, is_mobile=True, has_touch=True)


def overflow(page) -> dict:
    """The page's width against the screen's, and the elements that reach past the screen's right edge."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            let clipped = false;
            for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
              if (getComputedStyle(up).overflowX !== 'visible') { clipped = true; break; }
            }
            if (!clipped && box.right > width + 0.5 && box.width > 0) {
              const classes = el.className ? '.' + String(el.className).trim().split(/ +/).join('.') : '';
              wide.push(el.tagName.toLowerCase() + classes + ' ' + Math.round(box.right));
            }
          }
          return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
        }"""
    )


@pytest.mark.parametrize("size", [SMALL_PHONE, {"width": 390, "height": 844}], ids=["360", "390"])
def test_no_admin_page_is_wider_than_the_phone(browser, live_server, shots, size):
    ids = fill_the_shop(live_server)
    pages = admin_pages(live_server.app, ids)
    assert "/admin/orders" in pages and f"/admin/orders/{ids['order']}" in pages and len(pages) >= 18
    context = phone(browser, size)
    page = context.new_page()
    log_in(page, live_server.url)
    expect(page.locator(".count-badge")).to_be_visible()  # orders waiting: the badge is shown
    too_wide = {}
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status < 400, path
        measured = overflow(page)
        shots(page, re.sub(r"\W+", "-", path).strip("-"))  # each page as the merchant sees it, to look at
        if measured["scrollWidth"] > size["width"]:
            too_wide[path] = measured
    # Forms with their errors shown are as wide as they were empty.
    for path, button in [
        ("/admin/products/new", "등록하기"),
        ("/admin/products/quick", "만들고 링크 보내기"),
        (f"/admin/orders/{ids['orders'][0]}", "배송 시작"),
    ]:
        page.goto(live_server.url + path)
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).first.dispatch_event("click")
        measured = overflow(page)
        if measured["scrollWidth"] > size["width"]:
            too_wide[path + " (errors)"] = measured
    # 카테고리 관리 reorders with buttons a thumb can press, not by dragging only.
    page.goto(live_server.url + "/admin/categories")
    for name in ("위로", "아래로"):
        button = page.get_by_role("button", name=re.compile(name)).first
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (name, box)
    context.close()
    assert not too_wide, "wider than the phone:\n" + "\n".join(f"{path}: {m}" for path, m in too_wide.items())


# A phone camera that shows a 송장 barcode: the real BarcodeDetector exists only on Android, ChromeOS and
# macOS, so the test gives Chromium one that reads the printed number, and a camera that is a canvas.
CAMERA_WITH_A_WAYBILL = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["code_128", "itf", "qr_code"]); }
  constructor(options) { window.scanFormats = options && options.formats; }
  detect(video) {
    return Promise.resolve(video.readyState >= 2 ? [{rawValue: "6012-3456-7890", format: "code_128"}] : []);
  }
};
navigator.mediaDevices.getUserMedia = function (constraints) {
  window.cameraAsked = constraints;
  const canvas = document.createElement("canvas");
  canvas.width = 320; canvas.height = 240;
  const draw = () => { const g = canvas.getContext("2d"); g.fillStyle = "#fff"; g.fillRect(0, 0, 320, 240); };
  draw(); setInterval(draw, 100);
  return Promise.resolve(canvas.captureStream(10));
};
"""


def order_card(page, order_no):
    return page.locator("tr.order-card", has_text=order_no)


def test_a_merchant_confirms_a_deposit_and_ships_from_the_cards(browser, live_server, shots):
    fill_the_shop(live_server)
    with live_server.app.app_context():
        waiting = db.session.scalars(sa.select(Order).where(Order.status == "awaiting_deposit").order_by(Order.id))
        order_no = waiting.first().order_no
    context = phone(browser, {"width": 390, "height": 844})
    context.add_init_script(CAMERA_WITH_A_WAYBILL)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "has the money arrived?" — yes
    log_in(page, live_server.url)
    page.get_by_role("link", name=re.compile("주문 관리")).tap()
    expect(page.get_by_role("heading", name="주문 관리")).to_be_visible()
    chips = page.get_by_role("navigation", name="상태")
    expect(chips.get_by_role("link", name="입금 대기 3")).to_be_visible()
    expect(chips.get_by_role("link", name="배송할 주문 1")).to_be_visible()
    shots(page, "order-cards", full_page=False)

    chips.get_by_role("link", name="입금 대기 3").tap()
    card = order_card(page, order_no)
    expect(card.get_by_text(masking.name(LONG_BUYER))).to_be_visible()  # 주문 관리 masks buyers
    confirm = card.get_by_role("button", name="입금 확인")
    assert confirm.bounding_box()["height"] >= 44
    confirm.tap()
    expect(page.get_by_text("입금을 확인했습니다.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/orders\?status=awaiting_deposit$"))  # back on the same list
    expect(order_card(page, order_no)).to_have_count(0)
    expect(chips.get_by_role("link", name="배송할 주문 2")).to_be_visible()

    chips.get_by_role("link", name="배송할 주문 2").tap()
    card = order_card(page, order_no)
    card.get_by_text("배송 시작").first.tap()
    expect(card.get_by_label("택배사")).to_have_value("cj")  # the carrier of the last shipment
    expect(card.get_by_label("송장번호")).to_have_attribute("inputmode", "numeric")
    card.get_by_label("송장번호").fill("1234")
    card.get_by_role("button", name="배송 시작").tap()
    expect(page.get_by_text("CJ대한통운 송장번호는 숫자 10·12자리입니다.")).to_be_visible()  # the order page says why
    shots(page, "tracking-number-refused", full_page=False)

    page.go_back()
    card = order_card(page, order_no)
    card.get_by_text("배송 시작").first.tap()
    card.get_by_role("button", name="바코드 스캔").tap()
    expect(card.get_by_label("송장번호")).to_have_value("601234567890")
    assert page.evaluate("window.cameraAsked.video.facingMode") == "environment"
    shots(page, "scanned", full_page=False)
    card.get_by_role("button", name="배송 시작").tap()
    expect(page.get_by_text("배송을 시작했습니다.")).to_be_visible()
    expect(order_card(page, order_no)).to_have_count(0)
    assert overflow(page)["scrollWidth"] <= 390
    with live_server.app.app_context():
        shipped = db.session.scalar(sa.select(Order).where(Order.order_no == order_no))
        assert (shipped.status, shipped.carrier, shipped.tracking_no) == ("shipped", "cj", "601234567890")
    page.get_by_role("link", name=re.compile("배송중")).tap()
    expect(page).to_have_url(re.compile(r"status=shipped"))
    expect(order_card(page, order_no)).to_contain_text("배송 완료 처리")
    shots(page, "shipped-list", full_page=False)
    context.close()


def test_without_a_barcode_reader_the_number_is_typed(browser, live_server):
    fill_the_shop(live_server)
    context = phone(browser, {"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(live_server.url + "/admin/orders?status=to_ship")
    card = page.locator("tr.order-card").first
    card.get_by_text("배송 시작").first.tap()
    expect(card.get_by_label("송장번호")).to_be_visible()
    expect(card.get_by_role("button", name="바코드 스캔")).to_be_hidden()
    context.close()
