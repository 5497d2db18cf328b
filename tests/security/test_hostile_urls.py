"""Every route, public and admin, GET and POST, with what phone keyboards and bots put in URLs: never a 5xx."""

import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..builders import SEED_FORM, success_url
from ..conftest import open_checkout, place

# Digits that str.isdigit() accepts and int() refuses or misreads, numbers too big for any column, and junk.
HOSTILE = [
    "²", "①", "١٢", "１２", "9" * 30, "-1", "-" + "9" * 30, "0", "NaN", "inf", "1e9", "0x10", " 3", "3\n",
    "\x00", "\x1f\x7f", "%", "../", "' OR 1=1--", "a" * 3000, "한글",
]  # fmt: skip

# Every query parameter a view reads, and names that links built from the query string must not trip over.
QUERY_NAMES = [
    "page", "before", "after", "q", "category", "display_status", "listed", "status", "next", "t",
    "amount", "paymentKey", "orderId", "message", "v",
    "endpoint", "_external", "_scheme", "_anchor", "_method", "category_id", "token",
]  # fmt: skip
# Form fields of the POST routes that are not fuzzed field by field elsewhere.
FORM_NAMES = ["action", "rows-0-id", "rows-0-name", "rows-1-id", "stock_seen", "image_hashes-0", "email"]


def test_unicode_digits_in_list_cursors_are_ignored(client, make_product):
    make_product(name="첫 상품")
    for url in ["/?before=²", "/?after=①", "/?before=" + "9" * 30, "/search?q=a&before=²"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/categories/1?before=²").status_code == 404  # no such category, still no 500


def test_unicode_digits_in_a_category_path_are_not_found(app, client, make_product):
    from storefront import catalog
    from storefront.extensions import db

    with app.test_request_context():
        catalog.save_categories([catalog.CategoryRow(id=None, name="원두", delete=False)])
        db.session.commit()
    make_product(name="원두 상품", category_id=1)  # a category the public may see
    assert client.get("/categories/1?before=²").status_code == 200
    for path in ["/categories/١", "/categories/¹", "/categories/" + "9" * 30, "/categories/-1"]:
        assert client.get(path).status_code == 404, path


def test_huge_page_numbers_show_the_first_page(client, admin, make_product):
    make_product(name="관리 상품")
    for url in ["/admin/orders?page=" + "9" * 30, "/admin/products?page=" + "9" * 30, "/admin/products?page=²"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "관리 상품" in client.get("/admin/products?page=①").get_data(as_text=True)


def test_card_success_with_a_unicode_amount_is_refused(client, card_order):  # noqa: F811
    response = client.get(success_url(card_order, "tpk_x", "²"))
    assert response.status_code == 400
    assert "결제 정보가 주문과 일치하지 않습니다" in response.get_data(as_text=True)


def test_price_typed_with_unicode_digits_is_a_field_error(client, admin):
    response = admin.post("/admin/products/new", data={**SEED_FORM, "price": "１２０００", "stock_quantity": "²"})
    assert response.status_code == 422
    assert "상품이 등록되었습니다" not in response.get_data(as_text=True)


def _path_value(value: str) -> str:
    return quote(value, safe="")


def _fill(rule, values: dict[str, str]) -> str:
    """The rule's path with each <argument> replaced by ``values[name]`` (already URL-encoded)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


@pytest.fixture
def shop_objects(app, client, bank_ready, make_product):
    """Real ids and tokens for the path arguments, so hostile query values reach the views behind them.

    One item per page, so every list shows its page links too.
    """
    from storefront import catalog
    from storefront.extensions import db

    app.config.update(PRODUCTS_PER_PAGE=1, ADMIN_PRODUCTS_PER_PAGE=1)

    with app.test_request_context():
        catalog.save_categories([catalog.CategoryRow(id=None, name="원두", delete=False)])
        db.session.commit()
    for name in ("첫째", "둘째"):
        make_product(name=name, category_id=1)
    product_id, token = make_product(name="상품", stock_managed=True, stock_quantity=5, category_id=1)
    place(client, token)
    location = place(client, token).headers["Location"]
    order_no, secret = re.match(r"/orders/([^?]+)\?t=(.+)", location).groups()
    return {
        "values": {
            "product_id": str(product_id), "category_id": "1", "order_id": "1", "token": token,
            "order_no": order_no, "name": "missing.jpg", "code": "en", "filename": "css/site.css",
            "kind": "terms", "user_id": "1", "batch_id": "1", "region_id": "1",
        },
        "t": secret,
    }  # fmt: skip


def _requests(app, objects, value: str):
    """(method, url, form) for every route: hostile path arguments, then real ones with hostile queries."""
    hostile_query = urlencode({name: value for name in QUERY_NAMES})
    real_query = urlencode({**{name: value for name in QUERY_NAMES}, "t": objects["t"]})
    for rule in app.url_map.iter_rules():
        hostile_path = _fill(rule, {name: _path_value(value) for name in rule.arguments})
        real_path = _fill(rule, objects["values"])
        form = {name: value for name in FORM_NAMES + QUERY_NAMES}
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield method, f"{hostile_path}?{hostile_query}", form
            yield method, f"{real_path}?{real_query}", form


def _walk(app, client, objects, values, csrf_token=None):
    for value in values:
        for method, url, form in _requests(app, objects, value):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={**form, "csrf_token": csrf_token or ""})
            assert response.status_code < 500, (method, url[:200], response.status_code)


def test_every_public_route_survives_hostile_values(app, shop_objects):
    visitor = app.test_client()
    csrf_token = open_checkout(visitor, shop_objects["values"]["token"])["csrf_token"]
    _walk(app, visitor, shop_objects, HOSTILE, csrf_token=csrf_token)


def test_every_admin_route_survives_hostile_values(app, client, admin, shop_objects):
    _walk(app, client, shop_objects, HOSTILE, csrf_token=admin.token)


WALK = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def test_every_route_survives_generated_values(app, client, admin, shop_objects):
    text = st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
        st.integers(-(10**40), 10**40).map(str),
        st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=6),
    )

    @WALK
    @given(text)
    def walk(value):
        _walk(app, client, shop_objects, [value], csrf_token=admin.token)

    walk()
