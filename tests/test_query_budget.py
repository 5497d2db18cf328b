"""Pages cost a fixed number of SQL statements, whatever the size of the catalogue."""


import pytest
import sqlalchemy as sa

from storefront import catalog
from storefront.extensions import db
from storefront.models import Product, ProductImage

from .builders import SHOP_PAGE_BUDGET, count_queries
from .conftest import image_bytes, place

# A shop page rendered afresh: its own statements (at most 3) and the content generation it is kept
# under (storefront.pagecache). Served again while nothing changed, it costs that one read alone.
KEPT_PAGE_COST = 1
# An admin list: the login, the unread badge, the settings, the page and its count, its lines; 주문 관리 adds
# its status chips (one grouped count) and the last shipment's 택배사.
ADMIN_PAGE_BUDGET = 8


def add_products(app, count, category_id, image):
    """Bulk catalogue growth (the same rows the admin would make, without a form per product)."""
    with app.app_context():
        start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Product.id), 0)))
        rows = [
            {
                "id": start + i + 1,
                "category_id": category_id,
                "name": f"상품 {start + i + 1}",
                "price": 1000 + i,
                "description": "",
                "public_token": f"bulk-token-{start + i + 1:08d}",
            }
            for i in range(count)
        ]
        db.session.execute(sa.insert(Product), rows)
        db.session.execute(
            sa.insert(ProductImage),
            [
                {"product_id": r["id"], "position": 0, "content_hash": image.content_hash,
                 "file_name": image.file_name, "width": image.width, "height": image.height}
                for r in rows
            ],
        )  # fmt: skip
        db.session.commit()


@pytest.fixture
def catalogue(app, admin, bank_ready, make_product, client):
    from storefront import images

    with app.test_request_context():
        catalog.save_categories([catalog.CategoryRow(None, "원두")])
        db.session.commit()
        category_id = catalog.ordered_categories()[0].id
        picture = images.store_upload(image_bytes())
    _, token = make_product(name="주문된 상품", category_id=category_id, images=[image_bytes(), image_bytes("PNG")])
    place(app.test_client(), token)
    add_products(app, 9, category_id, picture)
    return {"category_id": category_id, "token": token, "picture": picture}


def page_costs(app, client, catalogue):
    """Statements per page: shop pages as an anonymous customer, admin pages as the merchant."""
    customer = app.test_client()
    urls = {
        "home": "/",
        "home deep": "/?before=5",
        "category": f"/categories/{catalogue['category_id']}",
        "search": "/search?q=상품",
        "product": f"/products/{catalogue['token']}",
        "admin products": "/admin/products",
        "admin orders": "/admin/orders",
    }
    costs = {}
    for name, url in urls.items():
        visitor = client if url.startswith("/admin/") else customer
        with count_queries(app) as statements:
            assert visitor.get(url).status_code == 200, url
        costs[name] = len(statements)
    return costs


def test_page_costs_do_not_grow_with_the_catalogue(app, client, catalogue):
    small = page_costs(app, client, catalogue)
    for name in ("home", "home deep", "category", "search", "product"):
        assert small[name] <= SHOP_PAGE_BUDGET, (name, small)
    for name in ("admin products", "admin orders"):
        assert small[name] <= ADMIN_PAGE_BUDGET, (name, small)
    assert all(cost == KEPT_PAGE_COST for name, cost in page_costs(app, client, catalogue).items() if
               not name.startswith("admin")), "a page asked for again is kept"  # fmt: skip
    add_products(app, 10_000, catalogue["category_id"], catalogue["picture"])
    assert page_costs(app, client, catalogue) == small
