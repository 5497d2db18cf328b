"""axe-core over every page the journeys visit, on a phone and a desktop: no serious or critical violations."""

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from storefront import catalog
from storefront.extensions import db
from storefront.models import DisplayStatus

from ..conftest import filled_checkout
from .conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser


def _problems(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def shop(live_server):
    app = live_server.app
    with app.test_request_context():
        catalog.save_categories([catalog.CategoryRow(id=None, name="원두", delete=False)])
        category_id = catalog.ordered_categories()[0].id
        product = catalog.create_product(
            catalog.ProductData(name="에티오피아 원두", price=18000, category_id=category_id, stock_quantity=3,
                                stock_managed=True, description="꽃향이 나는 원두입니다.")
        )  # fmt: skip
        sold_out = catalog.create_product(
            catalog.ProductData(name="다 팔린 원두", price=9000, stock_managed=True, stock_quantity=0)
        )
        ended = catalog.create_product(
            catalog.ProductData(name="지난 결제창", price=5000, display_status=DisplayStatus.HIDDEN)
        )
        db.session.commit()
        return {
            "base": live_server.url,
            "token": product.public_token,
            "sold_out": sold_out.public_token,
            "ended": ended.public_token,
        }


def test_shop_pages_pass_axe(browser, shop, shots):
    base, token = shop["base"], shop["token"]
    problems = []
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for path in ["/", "/categories/1", "/search?q=원두", f"/products/{token}", f"/products/{shop['sold_out']}",
                     f"/products/{shop['ended']}", "/no-such-page"]:  # fmt: skip
            page.goto(base + path)
            problems += _problems(page)
        page.goto(f"{base}/products/{token}/buy")
        page.get_by_role("button", name="결제하기").click()  # an empty form: every field shows its error
        problems += _problems(page)
        page.get_by_label("이름", exact=True).fill("김규섭")
        page.get_by_label("휴대폰 번호", exact=True).fill("010-1234-5678")
        page.get_by_label("받는 분").fill("김규섭")
        page.get_by_label("연락처").fill("01012345678")
        page.get_by_label("우편번호").fill("06236")
        page.get_by_label("주소", exact=True).fill("서울특별시 강남구 테헤란로 123")
        page.get_by_label("[필수] 개인정보 수집·이용 동의").check()
        page.get_by_label("[필수] 구매조건 확인 및 결제 진행 동의").check()
        page.get_by_role("button", name="결제하기").click()
        expect(page.get_by_role("heading", name="주문 완료")).to_be_visible()
        problems += _problems(page)
        shots(page, f"order-placed-{viewport['width']}")
        context.close()
    assert problems == []


def test_admin_pages_pass_axe(browser, shop, shots):
    base = shop["base"]
    buyer = requests.Session()
    checkout = f"{base}/products/{shop['token']}/buy"
    assert buyer.post(checkout, data=filled_checkout(buyer, checkout), timeout=30).ok
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(base + "/admin/login")
    problems = _problems(page)
    page.get_by_label("이메일").fill("nobody@example.com")
    page.get_by_label("비밀번호").fill("wrong password")
    page.get_by_role("button", name="로그인").click()
    problems += _problems(page)
    log_in(page, base)
    admin_pages = [
        "/admin/products", "/admin/products/new", "/admin/products/1/edit", "/admin/categories",
        "/admin/orders", "/admin/orders/1", "/admin/settings", "/admin/products/1/regenerate-url",
    ]  # fmt: skip
    for path in admin_pages:
        page.goto(base + path)
        problems += _problems(page)
        shots(page, path.strip("/").replace("/", "-"))
    page.goto(base + "/admin/products/new")
    page.get_by_role("button", name="등록하기").click()  # errors beside the fields
    problems += _problems(page)
    page.goto(base + "/admin/products")
    page.get_by_role("row").filter(has_text="에티오피아 원두").get_by_text("더보기").click()
    problems += _problems(page)
    assert problems == [], "\n".join(problems)
