"""The public shop: listed products in lists, personal payment windows only at their link."""

import re

import pytest

from storefront.models import DisplayStatus

from .conftest import image_bytes

PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
KAKAOTALK_UA = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/120.0 Mobile Safari/537.36;KAKAOTALK 2410410"
)
DESKTOP_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
KAKAO_SCRAPER_UA = "facebookexternalhit/1.1; kakaotalk-scrap/1.0; +https://devtalk.kakao.com/t/scrap/33984"


@pytest.fixture
def shop(app, make_product):
    """A category with a listed product and a personal payment window."""
    from storefront import catalog
    from storefront.extensions import db

    with app.app_context():
        catalog.save_categories([catalog.CategoryRow(None, "개인결제창"), catalog.CategoryRow(None, "원두")])
        db.session.commit()
        ids = {c.name: c.id for c in catalog.ordered_categories()}
    listed_id, listed_token = make_product(name="케냐 AA 원두", category_id=ids["원두"], price=18000)
    window_id, window_token = make_product(
        name="김규섭 고객님 개인결제창", category_id=ids["개인결제창"], listed=False, price=128000
    )
    return {"categories": ids, "listed": listed_token, "window": window_token, "window_id": window_id}


def public_get_urls(app, shop):
    """Every public GET page, with real values for its arguments."""
    values = {
        "category_id": shop["categories"]["개인결제창"],
        "token": shop["window"],
        "code": "ko",
        "order_no": "000000-AAAAAAAA",
        "kind": "terms",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        if rule.endpoint in ("static", "shop.upload", "shop.favicon"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
        urls.append(path)
    return urls


def test_unlisted_product_appears_on_no_list_search_or_sitemap(app, client, shop):
    listing_pages = [u for u in public_get_urls(app, shop) if "/products/" not in u and not u.startswith("/lang/")]
    listing_pages += ["/search?q=개인결제창", "/search?q=김규섭", "/search?q=원두"]
    listing_pages += [f"/categories/{cid}" for cid in shop["categories"].values()]
    for url in listing_pages:
        for ua in (DESKTOP_UA, PHONE_UA):
            body = client.get(url, headers={"User-Agent": ua}).get_data(as_text=True)
            assert "김규섭 고객님 개인결제창" not in body, url
            assert shop["window"] not in body, url
    assert "케냐 AA 원두" in client.get("/").get_data(as_text=True)
    assert shop["listed"] in client.get("/sitemap.xml").get_data(as_text=True)


def test_unlisted_product_is_absent_from_every_page_of_pagination(app, client, make_product):
    import html as html_lib

    app.config["PRODUCTS_PER_PAGE"] = 3
    _, hidden = make_product(name="숨은 개인결제창", listed=False)
    for i in range(8):
        make_product(name=f"진열 상품 {i}")
    seen, url, pages = [], "/", []
    while url:
        body = client.get(url).get_data(as_text=True)
        assert hidden not in body and "숨은 개인결제창" not in body
        seen += re.findall(r"진열 상품 \d", body)
        pages.append(body)
        found = re.search(r'<a href="([^"]+)" rel="next">', body)
        url = html_lib.unescape(found.group(1)) if found else None
    assert seen == [f"진열 상품 {i}" for i in range(7, -1, -1)]  # every product once, newest first
    assert len(pages) == 3
    # And back again from the last page.
    back = html_lib.unescape(re.search(r'<a href="([^"]+)" rel="prev">', pages[-1]).group(1))
    assert re.findall(r"진열 상품 \d", client.get(back).get_data(as_text=True)) == [
        "진열 상품 4",
        "진열 상품 3",
        "진열 상품 2",
    ]


def test_direct_link_serves_the_unlisted_product(client, shop, bank_ready):
    response = client.get(f"/products/{shop['window']}", headers={"User-Agent": KAKAOTALK_UA})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "김규섭 고객님 개인결제창" in html and "128,000원" in html and "구매하기" in html


def test_head_request_answers_200_without_redirect(client, shop):
    response = client.head(f"/products/{shop['window']}", headers={"User-Agent": KAKAO_SCRAPER_UA})
    assert response.status_code == 200


def test_unlisted_pages_carry_noindex_and_listed_pages_do_not(client, shop):
    hidden = client.get(f"/products/{shop['window']}")
    assert hidden.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in hidden.get_data(as_text=True)
    listed = client.get(f"/products/{shop['listed']}")
    assert "X-Robots-Tag" not in listed.headers
    assert 'name="robots"' not in listed.get_data(as_text=True)


def test_robots_txt_does_not_block_product_pages(client):
    body = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /products" not in body and "Disallow: /\n" not in body
    assert "Sitemap: http://localhost/sitemap.xml" in body


def test_product_page_keeps_the_link_private(client, shop):
    response = client.get(f"/products/{shop['window']}")
    assert response.headers["Referrer-Policy"] == "same-origin"
    html = response.get_data(as_text=True)
    # Nothing is loaded from another site.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#", "http://localhost/", "tel:", "mailto:")), url


@pytest.mark.parametrize("ua, device", [(DESKTOP_UA, "desktop"), (PHONE_UA, "mobile"), (KAKAOTALK_UA, "mobile")])
def test_device_rule_lists_and_links(app, client, make_product, ua, device):
    _, desktop_only = make_product(name="PC 전용 상품", show_on_mobile=False)
    _, mobile_only = make_product(name="모바일 전용 상품", show_on_desktop=False)
    home = client.get("/", headers={"User-Agent": ua}).get_data(as_text=True)
    own, other = (desktop_only, mobile_only) if device == "desktop" else (mobile_only, desktop_only)
    assert own in home and other not in home
    assert client.get(f"/products/{own}", headers={"User-Agent": ua}).status_code == 200
    blocked = client.get(f"/products/{other}", headers={"User-Agent": ua})
    assert blocked.status_code == 404
    text = blocked.get_data(as_text=True)
    assert "다른 기기에서 열어 주세요" in text
    assert ("모바일에서만" if device == "desktop" else "PC에서만") in text


def test_previews_are_never_blocked_by_the_device_rule(client, make_product):
    _, mobile_only = make_product(name="모바일 전용 상품", show_on_desktop=False)
    response = client.get(f"/products/{mobile_only}", headers={"User-Agent": KAKAO_SCRAPER_UA})
    assert response.status_code == 200
    assert 'property="og:title" content="모바일 전용 상품"' in response.get_data(as_text=True)


def test_not_displayed_product_shows_the_sale_ended_page(client, make_product):
    _, token = make_product(name="끝난 상품", price=55000, display_status=DisplayStatus.HIDDEN, listed=False)
    response = client.get(f"/products/{token}", headers={"User-Agent": KAKAOTALK_UA})
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "판매가 종료된 상품입니다" in html
    assert "55,000원" not in html and "구매하기" not in html and "끝난 상품" not in html
    assert 'og:type" content="product"' not in html and "og:image" not in html
    assert 'property="og:site_name"' in html


@pytest.mark.parametrize("token", ["doesnotexistatall1234", "../../etc/passwd", "1", "%00"])
def test_unknown_token_is_404(client, token):
    assert client.get(f"/products/{token}").status_code == 404


def test_regenerated_away_token_is_404(app, client, make_product):
    from storefront import catalog
    from storefront.extensions import db
    from storefront.models import Product

    product_id, old = make_product()
    with app.app_context():
        catalog.regenerate_token(db.session.get(Product, product_id))
        db.session.commit()
    assert client.get(f"/products/{old}").status_code == 404


def test_sold_out_product_is_shown_with_no_way_to_buy(client, make_product):
    _, token = make_product(name="품절 상품", stock_managed=True, stock_quantity=0)
    response = client.get(f"/products/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "품절 상품" in html and "품절" in html
    assert "/buy" not in html
    assert "품절" in client.get("/").get_data(as_text=True)


def test_lists_show_image_name_and_price(client, make_product):
    make_product(name="사진 있는 상품", price=12000, images=[image_bytes()])
    html = client.get("/").get_data(as_text=True)
    assert "사진 있는 상품" in html and "12,000원" in html
    assert re.search(r'<img src="/uploads/[0-9a-f]{32}-thumb\.jpg"', html)


def test_search_finds_listed_products_and_treats_wildcards_literally(client, make_product):
    make_product(name="100% 아라비카")
    make_product(name="블렌드")
    assert "100% 아라비카" in client.get("/search?q=100%25").get_data(as_text=True)
    body = client.get("/search?q=%25").get_data(as_text=True)
    assert "블렌드" not in body
    assert client.get("/search?q=" + "가" * 500).status_code == 200
    assert client.get("/search?q=%00%01").status_code == 200


def test_uploads_are_served_with_long_cache_and_unknown_names_are_404(client, make_product, app):
    from storefront.extensions import db
    from storefront.models import ProductImage

    make_product(images=[image_bytes()])
    with app.app_context():
        image = db.session.scalars(db.select(ProductImage)).first()
        name = image.preview_name
    response = client.get(f"/uploads/{name}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get("/uploads/..%2Finstance%2Fsecret_key").status_code == 404
    assert client.get("/uploads/secret_key").status_code == 404


def test_menu_shows_only_categories_with_something_the_public_may_see(app, client, shop, make_product):
    with app.app_context():
        from storefront import catalog
        from storefront.extensions import db

        catalog.save_categories(
            [catalog.CategoryRow(cid, name) for name, cid in shop["categories"].items()]
            + [catalog.CategoryRow(None, "데스크탑 전용"), catalog.CategoryRow(None, "숨김")]
        )
        db.session.commit()
        ids = {c.name: c.id for c in catalog.ordered_categories()}
    make_product(name="큰 화면 상품", category_id=ids["데스크탑 전용"], show_on_mobile=False)
    make_product(name="숨긴 상품", category_id=ids["숨김"], display_status=DisplayStatus.HIDDEN)

    def menu(ua):
        html = client.get("/", headers={"User-Agent": ua}).get_data(as_text=True)
        nav = html.split('class="category-nav', 1)[1].split("</nav>", 1)[0]
        return re.findall(r'href="/categories/\d+"[^>]*>([^<]+)</a>', nav)

    assert menu(DESKTOP_UA) == ["원두", "데스크탑 전용"]
    assert menu(PHONE_UA) == ["원두"]
    # A category of personal payment windows alone has no public page either.
    assert client.get(f"/categories/{ids['개인결제창']}", headers={"User-Agent": DESKTOP_UA}).status_code == 404
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/categories/{ids['원두']}" in sitemap and f"/categories/{ids['개인결제창']}" not in sitemap
