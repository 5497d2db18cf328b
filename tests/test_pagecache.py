"""Shop pages kept per process: a visitor never sees a page older than the shop's data.

Every check warms a page first (so a kept copy exists), changes something the way the merchant
or a buyer does, and asks again — often through a second app process on the same database,
as gunicorn's workers are.
"""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from storefront import create_app, pagecache
from storefront.extensions import db
from storefront.models import ContentGeneration, Product, utcnow
from storefront.settings import save_settings

from .builders import PHONE_UA, beacon, count_queries, views
from .conftest import csrf_from, place


@pytest.fixture
def other_process(app):
    """A second app on the same database: another gunicorn worker, with its own kept pages."""
    other = create_app({**app.config, "TESTING": True})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def generation(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(ContentGeneration.n))


def test_a_kept_page_costs_one_statement(app, client, make_product, bank_ready):
    _, token = make_product(name="원두 200g")
    for url in (f"/products/{token}", "/", f"/products/{token}/buy"):
        client.get(url)
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) == 1, (url, statements)  # the generation, nothing else


def test_an_edit_in_one_process_shows_in_another_at_once(app, other_process, make_product):
    product_id, token = make_product(name="원두 200g", price=12000)
    other = other_process.test_client()
    assert "원두 200g" in other.get(f"/products/{token}").get_data(as_text=True)
    assert "원두 200g" in other.get("/").get_data(as_text=True)

    with app.app_context():
        db.session.get(Product, product_id).name = "원두 500g"
        db.session.commit()

    assert "원두 500g" in other.get(f"/products/{token}").get_data(as_text=True)
    assert "원두 500g" in other.get("/").get_data(as_text=True)


def test_buying_the_last_unit_shows_sold_out_everywhere(app, client, other_process, make_product, bank_ready):
    _, token = make_product(name="마지막 하나", stock_managed=True, stock_quantity=1)
    other = other_process.test_client()
    assert "품절" not in other.get(f"/products/{token}").get_data(as_text=True)
    assert other.get(f"/products/{token}/buy").status_code == 200

    assert place(client, token).status_code == 302

    assert "품절" in other.get(f"/products/{token}").get_data(as_text=True)
    assert other.get(f"/products/{token}/buy").status_code != 200


def test_a_saved_setting_reaches_every_process(app, other_process, make_product):
    make_product(name="원두 200g")
    other = other_process.test_client()
    assert "테스트상점" in other.get("/").get_data(as_text=True)
    before = generation(app)

    with app.test_request_context():
        save_settings({"name": "규섭커피 로스터리"})
        db.session.commit()

    assert generation(app) == before + 1
    assert "규섭커피 로스터리" in other.get("/").get_data(as_text=True)


def test_a_sale_that_ends_by_the_clock_ends_on_kept_pages(client, make_product):
    _, token = make_product(name="오늘만 특가", sale_ends_at=utcnow() + timedelta(seconds=1.5))
    assert client.get(f"/products/{token}").status_code == 200
    assert "오늘만 특가" in client.get("/").get_data(as_text=True)
    time.sleep(1.6)
    assert client.get(f"/products/{token}").status_code == 410
    assert "오늘만 특가" not in client.get("/").get_data(as_text=True)


def test_every_checkout_gets_its_own_nonce_and_its_buyers_csrf_token(app, make_product, bank_ready):
    _, token = make_product(name="원두 200g")
    first, second = app.test_client(), app.test_client()
    pages = [c.get(f"/products/{token}/buy").get_data(as_text=True) for c in (first, second)]
    nonces = [re.search(r'name="nonce" type="hidden" value="([^"]+)"', p).group(1) for p in pages]
    assert nonces[0] != nonces[1]
    assert csrf_from(pages[0]) != csrf_from(pages[1])
    # Both buyers can order from their (kept) page: each token belongs to its own session.
    assert place(first, token).status_code == 302
    assert place(second, token).status_code == 302


def test_a_kept_checkout_keeps_its_security_headers(client, make_product, bank_ready):
    _, token = make_product(name="원두 200g", requires_shipping=True)
    first, kept = client.get(f"/products/{token}/buy"), client.get(f"/products/{token}/buy")
    assert "t1.kakaocdn.net" in first.headers["Content-Security-Policy"]  # 주소 검색
    for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Vary"):
        assert kept.headers[name] == first.headers[name]
    assert client.get("/").headers["Content-Security-Policy"].count("kakaocdn") == 0


def test_a_kept_window_still_counts_its_openings(app, make_product):
    product_id, token = make_product(name="개인결제창", listed=False)
    first, second = app.test_client(), app.test_client()
    assert beacon(first, token).status_code == 204
    before = generation(app)
    assert beacon(second, token).status_code == 204  # served from the kept page, with a fresh token
    assert second.get(f"/products/{token}").headers["X-Robots-Tag"] == "noindex, nofollow"  # a link, not listed
    assert views(app, product_id)[0] == 2
    assert generation(app) == before  # an opening changes no page


def test_a_buyer_bound_link_is_never_kept_for_the_next_visitor(app, make_product):
    _, token = make_product(name="김규섭 고객님", listed=False, customer_phone="01012345678", phone_check=True)
    buyer, stranger = app.test_client(), app.test_client()
    html = buyer.get(f"/products/{token}").get_data(as_text=True)
    assert "김규섭 고객님" not in html
    buyer.post(f"/products/{token}/unlock", data={"digits": "5678", "csrf_token": csrf_from(html)})
    assert "김규섭 고객님" in buyer.get(f"/products/{token}").get_data(as_text=True)
    assert "김규섭 고객님" not in stranger.get(f"/products/{token}").get_data(as_text=True)


def test_kept_pages_follow_language_device_and_address(app, client, make_product):
    _, token = make_product(name="PC 전용", show_on_mobile=False)
    assert client.get(f"/products/{token}").status_code == 200
    assert client.get(f"/products/{token}", headers={"User-Agent": PHONE_UA}).status_code == 404
    korean = client.get("/").get_data(as_text=True)
    client.set_cookie("lang", "en")
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english and '<html lang="ko">' in korean
    client.delete_cookie("lang")
    page = client.get(f"/products/{token}", base_url="http://shop-b.example").get_data(as_text=True)
    assert 'content="http://shop-b.example/products/' in page


def test_bots_see_the_lists_of_their_own_device(client, make_product):
    make_product(name="모바일 전용 상품", show_on_desktop=False)
    desktop_bot = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
    phone_bot = "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/t/scrap/33984"
    assert "모바일 전용 상품" not in client.get("/", headers={"User-Agent": desktop_bot}).get_data(as_text=True)
    assert "모바일 전용 상품" in client.get("/", headers={"User-Agent": phone_bot}).get_data(as_text=True)
    assert "모바일 전용 상품" not in client.get("/", headers={"User-Agent": desktop_bot}).get_data(as_text=True)


def test_a_page_made_before_a_change_is_not_kept_after_it(app):
    """Threaded workers: a request that began before another one saw a change keeps nothing."""
    store = pagecache.Store()
    now = utcnow()
    before = store.open(1, None, now)
    after = store.open(2, now + timedelta(hours=1), now)  # another request read the next generation meanwhile
    with app.app_context():
        store.keep(before, "key", object())
        store.keep_settings(before, "old settings")
    assert store.pages == {} and store.settings is None
    assert store.open(2, now + timedelta(hours=1), now) == after  # same generation: same epoch
    assert store.open(2, None, now + timedelta(hours=2)) == after + 1  # a sale ended meanwhile


def test_switched_off_nothing_is_kept(app, client, make_product):
    app.config["PAGE_CACHE"] = False
    _, token = make_product(name="원두 200g")
    client.get(f"/products/{token}")
    with count_queries(app) as statements:
        client.get(f"/products/{token}")
    assert len(statements) > 1


@pytest.mark.parametrize(
    "statement, changes",
    [
        ("UPDATE product SET name=?, updated_at=? WHERE product.id = ?", True),
        ("UPDATE product SET stock_quantity=(product.stock_quantity - ?) WHERE product.id = ? RETURNING product.id",
         True),
        ("UPDATE product SET view_count=(product.view_count + ?), "
         "first_viewed_at=coalesce(product.first_viewed_at, ?), last_viewed_at=?, updated_at=product.updated_at "
         "WHERE product.public_token = ?", False),
        ("UPDATE product SET gate_failures=?, gate_locked_until=? WHERE product.id = ?", False),
        ('UPDATE "product" SET "listed"=%(listed)s WHERE "product"."id" = %(id_1)s', True),
        ("INSERT INTO product_image (product_id, filename) VALUES (?, ?)", True),
        ("DELETE FROM category WHERE category.id = ?", True),
        ("UPDATE shop_settings SET name=? WHERE shop_settings.id = ?", True),
        ("INSERT INTO policy_version (kind, body) VALUES (?, ?)", True),
        ('INSERT INTO shop_order (order_no) VALUES (?)', False),
        ("INSERT INTO notification (kind) VALUES (?)", False),
        ("UPDATE login_attempt SET email=?", False),
        ("INSERT INTO some_new_table (x) VALUES (?)", True),  # unknown tables count
        ("SELECT * FROM product", False),
    ],
)  # fmt: skip
def test_which_writes_change_shop_pages(statement, changes):
    assert pagecache.changes_shop_pages(statement) is changes
