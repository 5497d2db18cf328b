"""Links that know their customer: 열람 counted for people only, buyer-bound links, link states."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from storefront import links
from storefront.extensions import db
from storefront.models import DisplayStatus, Order, Product, ProductEvent, utcnow

from .builders import PHONE_UA, SHOP_PAGE_BUDGET, beacon, count_queries, views
from .conftest import BUYER_FORM, AuthActions, csrf_from, place

SCRAPERS = [
    "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/t/scrap/33984",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "Synapse (bot; +https://github.com/matrix-org/synapse)",
    "Mozilla/5.0 (compatible; SomeNewCrawler/1.0)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "",
]


@pytest.fixture
def window(make_product):
    """A personal payment window: displayed, link only, stock 1."""
    return make_product(name="김규섭 고객님 개인결제창", listed=False, stock_managed=True, stock_quantity=1)


def test_a_person_opening_the_link_is_counted(app, client, window):
    product_id, token = window
    assert beacon(client, token).status_code == 204
    count, first, last = views(app, product_id)
    assert count == 1 and first is not None and last == first
    assert beacon(client, token).status_code == 204
    count, first_again, last_again = views(app, product_id)
    assert count == 2 and first_again == first and last_again >= last


def test_fetching_the_page_itself_counts_nothing_and_writes_nothing(app, client, window):
    product_id, token = window
    for method in (client.get, client.head):
        with count_queries(app) as statements:
            assert method(f"/products/{token}", headers={"User-Agent": PHONE_UA}).status_code == 200
        assert len(statements) <= SHOP_PAGE_BUDGET
        assert all(statement.lstrip().upper().startswith(("SELECT", "WITH")) for statement in statements)
    assert views(app, product_id)[0] == 0


@pytest.mark.parametrize("user_agent", SCRAPERS)
def test_scrapers_and_bots_are_not_counted(app, client, window, user_agent):
    product_id, token = window
    assert beacon(client, token, **{"User-Agent": user_agent}).status_code == 204
    assert views(app, product_id)[0] == 0


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; SM-G991N) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/118.0 Mobile Safari/537.36 NAVER(inapp; search; 2000; 12.1.3)",
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36",
    ],
)
def test_phones_browsers_are_counted(app, client, window, user_agent):
    product_id, token = window
    beacon(client, token, **{"User-Agent": user_agent})
    assert views(app, product_id)[0] == 1


@pytest.mark.parametrize(
    "header", [{"Sec-Purpose": "prefetch"}, {"Sec-Purpose": "prefetch;prerender"}, {"Purpose": "prefetch"}]
)
def test_prefetches_are_not_counted(app, client, window, header):
    product_id, token = window
    beacon(client, token, **header)
    assert views(app, product_id)[0] == 0


def test_the_merchants_own_visit_is_not_counted(app, client, admin, window):
    product_id, token = window
    assert beacon(client, token).status_code == 204
    assert views(app, product_id)[0] == 0


def test_a_beacon_without_a_token_of_this_page_is_refused(app, client, window, make_product):
    product_id, token = window
    _, other = make_product(name="다른 링크", listed=False)
    html = client.get(f"/products/{other}").get_data(as_text=True)
    other_signed = re.search(r'data-view-token="([^"]+)"', html).group(1)
    for data in ({}, {"v": "forged"}, {"v": other_signed}):
        response = client.post(f"/products/{token}/viewed", data=data, headers={"User-Agent": PHONE_UA})
        assert response.status_code == 400
    assert views(app, product_id)[0] == 0


def test_an_old_beacon_token_no_longer_counts(app, client, window, monkeypatch):
    product_id, token = window
    monkeypatch.setattr(links, "VIEW_TOKEN_MAX_AGE", -1)
    assert beacon(client, token).status_code == 400
    assert views(app, product_id)[0] == 0


def test_listed_products_carry_no_beacon(client, make_product):
    _, token = make_product(name="원두 200g")
    html = client.get(f"/products/{token}").get_data(as_text=True)
    assert "data-view-token" not in html and "view.js" not in html


def test_opened_links_show_their_counts_on_product_management(app, client, admin, window, make_product):
    product_id, token = window
    make_product(name="아직 안 연 링크", listed=False)
    stranger = app.test_client()
    beacon(stranger, token)
    html = client.get("/admin/products?link_status=viewed").get_data(as_text=True)
    assert "김규섭 고객님 개인결제창" in html and "아직 안 연 링크" not in html
    edit = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    assert re.search(r"<dt>열람 횟수</dt><dd>1</dd>", edit)


# Buyer-bound links ---------------------------------------------------------------------------


@pytest.fixture
def bound(make_product):
    return make_product(
        name="김규섭 고객님 개인결제창",
        description="김규섭 고객님께 드리는 원두",
        listed=False,
        customer_name="김규섭",
        customer_phone="01012345678",
        phone_check=True,
    )


def unlock(client, token, digits):
    page = client.get(f"/products/{token}").get_data(as_text=True)
    return client.post(f"/products/{token}/unlock", data={"digits": digits, "csrf_token": csrf_from(page)})


def test_a_bound_link_shows_only_the_shop_until_the_digits_are_entered(client, bound):
    _, token = bound
    response = client.get(f"/products/{token}", headers={"User-Agent": SCRAPERS[0]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "김규섭" not in html and "원두" not in html
    assert '<meta property="og:title" content="테스트상점">' in html
    assert "휴대폰 번호 뒤 4자리" in html


def test_the_right_digits_open_the_link_and_the_checkout_arrives_filled_in(client, bank_ready, bound):
    _, token = bound
    response = unlock(client, token, "5678")
    assert response.status_code == 302
    assert "김규섭 고객님 개인결제창" in client.get(f"/products/{token}").get_data(as_text=True)
    checkout = client.get(f"/products/{token}/buy").get_data(as_text=True)
    assert 'value="김규섭"' in checkout and 'value="010-1234-5678"' in checkout


def test_the_checkout_of_a_bound_link_refuses_a_visitor_without_the_digits(app, client, bank_ready, bound):
    _, token = bound
    assert client.get(f"/products/{token}/buy").status_code == 302
    csrf = csrf_from(client.get(f"/products/{token}").get_data(as_text=True))
    response = client.post(f"/products/{token}/buy", data={**BUYER_FORM, "csrf_token": csrf, "nonce": "n" * 32})
    assert response.status_code == 302 and response.location.endswith(f"/products/{token}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    unlock(client, token, "5678")
    assert place(client, token).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_a_bound_link_is_never_listed_whatever_its_listing_says(app, client, bank_ready, make_product):
    _, token = make_product(
        name="김규섭 고객님 전용", price=77000, listed=True, customer_phone="01012345678", phone_check=True
    )
    make_product(name="공개 원두", price=12000, listed=True)
    for url in ("/", "/search?q=김규섭", "/search?q=전용", "/sitemap.xml"):
        page = client.get(url).get_data(as_text=True)
        assert "김규섭 고객님 전용" not in page and "77,000" not in page and token not in page, url
    assert "공개 원두" in client.get("/").get_data(as_text=True)


def test_the_product_form_refuses_a_listed_link_that_asks_for_digits(app, client, admin):
    form = {
        "category_id": "0", "name": "김규섭 고객님 전용", "price": "77,000", "display_status": "displayed",
        "show_on_desktop": "y", "show_on_mobile": "y", "listed": "yes", "stock_managed": "off",
        "requires_shipping": "yes", "customer_name": "김규섭", "customer_phone": "010-1234-5678",
        "phone_check": "y", "action": "save",
    }  # fmt: skip
    response = admin.post("/admin/products/new", data=form)
    assert response.status_code == 422
    assert "그 고객 전용입니다" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_a_link_rebound_to_another_customer_asks_again(app, client, admin, bank_ready, bound):
    product_id, token = bound
    visitor = app.test_client()
    unlock(visitor, token, "5678")
    assert "김규섭" in visitor.get(f"/products/{token}/buy").get_data(as_text=True)
    rebound = {
        "category_id": "0", "name": "이영희 고객님 개인결제창", "price": "12,000", "display_status": "displayed",
        "show_on_desktop": "y", "show_on_mobile": "y", "listed": "no", "stock_managed": "off",
        "requires_shipping": "yes", "customer_name": "이영희", "customer_phone": "010-9876-4321",
        "phone_check": "y", "action": "save",
    }  # fmt: skip
    assert admin.post(f"/admin/products/{product_id}/edit", data=rebound).status_code == 302
    page = visitor.get(f"/products/{token}").get_data(as_text=True)
    assert "이영희" not in page and "9876" not in page and 'name="digits"' in page
    checkout = visitor.get(f"/products/{token}/buy")
    assert checkout.status_code == 302 and "이영희" not in checkout.get_data(as_text=True)
    unlock(visitor, token, "4321")
    assert 'value="이영희"' in visitor.get(f"/products/{token}/buy").get_data(as_text=True)


def test_five_wrong_tries_lock_the_link_and_tell_the_merchant(app, client, bound):
    product_id, token = bound
    for _ in range(4):
        fourth = unlock(client, token, "0000")
        assert fourth.status_code == 422
    csrf = csrf_from(fourth.get_data(as_text=True))
    assert unlock(client, token, "0000").status_code == 429
    page = client.get(f"/products/{token}").get_data(as_text=True)
    assert "김규섭 고객님 개인결제창" not in page and "15분" in page and 'name="digits"' not in page
    # Even the right digits, sent from a form kept open, wait out the lock.
    locked = client.post(f"/products/{token}/unlock", data={"digits": "5678", "csrf_token": csrf})
    assert locked.status_code == 429 and "김규섭 고객님 개인결제창" not in client.get(f"/products/{token}").get_data(
        as_text=True
    )

    merchant = app.test_client()
    AuthActions(merchant).login()
    edit = merchant.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    assert "링크가 잠겼습니다" in edit
    assert "잠김" in merchant.get("/admin/products").get_data(as_text=True)


def test_the_lock_ends_after_15_minutes(app, bound):
    product_id, _ = bound
    start = utcnow()
    with app.test_request_context():
        product = db.session.get(Product, product_id)
        results = [links.try_digits(product, "0000", start) for _ in range(5)]
        assert results[-1] is links.GateResult.LOCKED and results[0] is links.GateResult.WRONG
        assert links.try_digits(product, "5678", start + timedelta(minutes=14)) is links.GateResult.LOCKED
        assert links.try_digits(product, "5678", start + timedelta(minutes=16)) is links.GateResult.OPENED
        assert links.is_unlocked(product)
        events = db.session.scalars(sa.select(ProductEvent.action).where(ProductEvent.product_id == product_id))
        assert list(events).count("link_locked") == 1


def test_the_preview_card_of_a_bound_link_never_names_the_customer(app, client, make_product):
    _, token = make_product(
        name="김규섭 고객님 개인결제창",
        description="김규섭 고객님 주문",
        listed=False,
        customer_name="김규섭",
        customer_phone="01012345678",
        preview_title="김규섭님 결제",
    )
    html = client.get(f"/products/{token}", headers={"User-Agent": SCRAPERS[0]}).get_data(as_text=True)
    metas = re.findall(r'<meta (?:property|name)="(?:og:[a-z:]+|description)" content="([^"]*)"', html)
    assert metas and not any("김규섭" in content for content in metas)


# Link states ---------------------------------------------------------------------------------


def test_link_states_follow_the_customer(app, client, admin, bank_ready, window):
    product_id, token = window

    def state():
        with app.test_request_context():
            return links.link_status(db.session.get(Product, product_id))

    assert state() is links.LinkStatus.ON_SALE
    beacon(app.test_client(), token)
    assert state() is links.LinkStatus.VIEWED
    place(app.test_client(), token)
    assert state() is links.LinkStatus.ORDERED
    with app.test_request_context():
        order_id = db.session.scalar(sa.select(Order.id))
    admin.post(f"/admin/orders/{order_id}/paid")
    assert state() is links.LinkStatus.PAID
    html = client.get("/admin/products?link_status=paid").get_data(as_text=True)
    assert "김규섭 고객님 개인결제창" in html


def test_a_link_closed_before_any_order_is_ended(app, make_product):
    product_id, _ = make_product(name="닫힌 링크", listed=False, display_status=DisplayStatus.HIDDEN)
    with app.test_request_context():
        assert links.link_status(db.session.get(Product, product_id)) is links.LinkStatus.ENDED
