"""Hostile text typed by a merchant or a buyer is shown as text everywhere, never run."""

import re
from html.parser import HTMLParser

import pytest

from storefront import catalog
from storefront.extensions import db

from ..conftest import place

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><script>alert(2)</script>",
    "' onmouseover='alert(3)",
]


class Elements(HTMLParser):
    """Every element a browser would build from the page, with its attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def no_live_markup(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (tag == "script" and "src" not in attrs), (tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), (tag, attrs)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_is_escaped_on_every_page(app, client, admin, bank_ready, make_product, payload):
    with app.app_context():
        catalog.save_categories([catalog.CategoryRow(None, payload[:50])])
        db.session.commit()
        category_id = catalog.ordered_categories()[0].id
    product_id, token = make_product(
        name=payload, description=payload, category_id=category_id, preview_title=payload, preview_description=payload
    )
    buyer = app.test_client()
    location = place(buyer, token, buyer_name=payload[:50], address=payload, delivery_note=payload,
                     depositor_name=payload[:50]).headers["Location"]  # fmt: skip
    order_id = 1
    pages = [
        buyer.get("/"),
        buyer.get(f"/categories/{category_id}"),
        buyer.get("/search?q=" + payload),
        buyer.get(f"/products/{token}"),
        buyer.get(f"/products/{token}/buy"),
        buyer.get(location),
        client.get("/admin/products"),
        client.get(f"/admin/products/{product_id}/edit"),
        client.get("/admin/categories"),
        client.get("/admin/orders"),
        client.get(f"/admin/orders/{order_id}"),
    ]
    for page in pages:
        assert page.status_code == 200, page.request.path
        no_live_markup(page.get_data(as_text=True))
    # Inside meta tags the text stays one attribute value: the tag is not broken open.
    head = pages[3].get_data(as_text=True).split("</head>")[0]
    assert len(re.findall(r'<meta property="og:title" content="[^"]*">', head)) == 1
    assert head.count("<title>") == 1 and head.count("</title>") == 1
