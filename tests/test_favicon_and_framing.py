"""Every page has an icon (the shop's own when set), and only the shop may frame its pages."""

import io

from .conftest import image_bytes


def test_default_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


def test_merchant_sets_the_shops_own_favicon(client, admin):
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "파비콘" in page
    response = admin.post(
        "/admin/settings",
        data={
            "name": "테스트상점",
            "payment_due_days": "3",
            "favicon": (io.BytesIO(image_bytes("PNG", (64, 64))), "i.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    icon = client.get("/favicon.ico")
    assert icon.status_code == 302 and icon.headers["Location"].startswith("/uploads/")
    assert client.get(icon.headers["Location"]).status_code == 200
    assert f'rel="icon" href="{icon.headers["Location"]}"' in client.get("/").get_data(as_text=True)


def test_a_picture_that_is_not_an_image_is_refused_beside_the_field(client, admin):
    response = admin.post(
        "/admin/settings",
        data={"name": "테스트상점", "payment_due_days": "3", "favicon": (io.BytesIO(b"not an image"), "i.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert client.get("/favicon.ico").status_code == 200  # still the default


def test_shop_pages_may_be_framed_only_by_the_shop(client, admin, make_product):
    _, token = make_product()
    for url in ["/", f"/products/{token}", f"/products/{token}/buy"]:
        response = client.get(url)
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", url
    admin_page = client.get("/admin/products")
    assert "frame-ancestors 'none'" in admin_page.headers["Content-Security-Policy"]
    assert admin_page.headers["X-Frame-Options"] == "DENY"
