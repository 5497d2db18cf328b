"""상품 등록 / 상품 관리 / 편집하기, with the seed's fields and words."""

import io
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from storefront.extensions import db
from storefront.models import DisplayStatus, Product

from .builders import SEED_FORM, upload
from .conftest import image_bytes


def only_product(app) -> Product:
    with app.app_context():
        product = db.session.scalar(sa.select(Product).options(sa.orm.selectinload(Product.images)))
        db.session.expunge_all()
        return product


def test_registration_form_has_every_seed_label(client, admin):
    html = client.get("/admin/products/new").get_data(as_text=True)
    for label in [
        "카테고리",
        "상품명",
        "판매가",
        "상품 이미지",
        "상품 설명",
        "진열상태",
        "진열할 환경",
        "상품 목록에 진열",
        "재고관리",
        "재고 수량",
        "진열함",
        "진열 안함",
        "데스크탑",
        "모바일",
        "사용함",
        "사용 안함",
    ]:
        assert label in html, label
    # Every input has a label pointing at it.
    controls = re.findall(r"<(?:input|select|textarea)[^>]*>", html)
    visible = [c for c in controls if 'type="hidden"' not in c]
    input_ids = {re.search(r'\bid="([^"]+)"', c).group(1) for c in visible}
    label_fors = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert input_ids <= label_fors, input_ids - label_fors


def test_register_a_personal_payment_window_with_the_seed_settings(app, client, admin):
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(image_bytes(), "photo.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    product = only_product(app)
    assert response.headers["Location"] == f"/admin/products/{product.id}/edit"
    assert product.name == "김규섭 고객님 개인결제창"
    assert product.price == 128000
    assert product.display_status is DisplayStatus.DISPLAYED
    assert product.show_on_desktop and product.show_on_mobile
    assert product.listed is False
    assert product.stock_managed and product.stock_quantity == 1
    assert len(product.images) == 1
    assert len(product.public_token) >= 16 and str(product.id) != product.public_token
    # The edit page offers the public link right away (seed step 3).
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"http://localhost/products/{product.public_token}" in html
    assert "상품을 등록했습니다." in html


def test_public_link_opens_the_product(client, admin, app):
    admin.post("/admin/products/new", data=SEED_FORM)
    product = only_product(app)
    page = client.get(f"/products/{product.public_token}")
    assert page.status_code == 200
    assert "김규섭 고객님 개인결제창" in page.get_data(as_text=True)


def test_edit_to_not_displayed_is_seed_step_5(app, client, admin, make_product):
    product_id, token = make_product(name="개인결제창 A", listed=False)
    form = {**SEED_FORM, "name": "개인결제창 A", "display_status": "hidden"}
    response = admin.post(f"/admin/products/{product_id}/edit", data=form)
    assert response.status_code == 302
    assert only_product(app).display_status is DisplayStatus.HIDDEN
    assert "수정했습니다" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/products/{token}").status_code == 410


def test_edit_form_shows_current_values_and_save_changes_button(client, admin, make_product):
    product_id, _ = make_product(name="기존 상품", price=5000, listed=False, stock_managed=True, stock_quantity=3)
    html = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    assert 'value="기존 상품"' in html
    assert 'value="5000"' in html
    assert 'value="3"' in html
    assert "수정하기" in html
    assert re.search(r'id="listed-1"[^>]*checked|checked[^>]*id="listed-1"', html)


@pytest.mark.parametrize(
    "changes, field_message",
    [
        ({"name": "  "}, "상품명을 입력하세요."),
        ({"price": ""}, "판매가를 입력하세요."),
        ({"price": "만원"}, "판매가는 원 단위 숫자로 입력하세요."),
        ({"price": "-100"}, "판매가는 0원에서 1,000,000,000원 사이여야 합니다."),
        ({"price": "99999999999"}, "판매가는 0원에서 1,000,000,000원 사이여야 합니다."),
        ({"stock_quantity": ""}, "재고관리를 사용하면 재고 수량을 입력해야 합니다."),
        ({"stock_quantity": "-1"}, "재고 수량은 0에서 1,000,000 사이여야 합니다."),
        ({"stock_quantity": "1.5"}, "재고 수량은 0 이상의 숫자로 입력하세요."),
        ({"show_on_desktop": None, "show_on_mobile": None}, "진열할 환경을 하나 이상 선택하세요."),
        ({"name": "가" * 201}, "상품명은 200자까지 입력할 수 있습니다."),
    ],
)
def test_validation_errors_are_korean_and_keep_the_input(app, admin, changes, field_message):
    form = {**SEED_FORM, "description": "지우면 안 되는 설명"}
    for key, value in changes.items():
        if value is None:
            form.pop(key)
        else:
            form[key] = value
    response = admin.post("/admin/products/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_message in html
    assert "지우면 안 되는 설명" in html
    assert 'aria-invalid="true"' in html
    assert only_product(app) is None


def test_stock_quantity_is_optional_when_stock_is_not_managed(app, admin):
    response = admin.post("/admin/products/new", data={**SEED_FORM, "stock_managed": "off", "stock_quantity": ""})
    assert response.status_code == 302
    assert only_product(app).stock_managed is False


def test_unknown_category_is_refused(app, admin):
    response = admin.post("/admin/products/new", data={**SEED_FORM, "category_id": "424242"})
    assert response.status_code == 422
    assert only_product(app) is None


@pytest.mark.parametrize(
    "fmt, name, ext",
    [("JPEG", "a.jpg", "jpg"), ("PNG", "b.png", "png"), ("WEBP", "c.webp", "webp"), ("GIF", "d.gif", "gif")],
)
def test_each_allowed_image_type_is_stored_with_thumbnail_and_preview(app, admin, fmt, name, ext):
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(image_bytes(fmt), name)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    image = only_product(app).images[0]
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert image.file_name.endswith("." + ext)
    assert (folder / image.file_name).exists()
    with Image.open(folder / image.thumb_name) as thumb:
        assert thumb.format == "JPEG"
    preview = folder / image.preview_name
    with Image.open(preview) as og:
        assert og.size == (1200, 630) and og.format == "JPEG"
    assert preview.stat().st_size <= 300 * 1024


def test_preview_of_a_noisy_large_photo_stays_under_300_kb(app):
    import os

    noise = Image.frombytes("RGB", (1600, 1600), os.urandom(1600 * 1600 * 3))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=95)
    from storefront import images

    with app.test_request_context():
        stored = images.store_upload(out.getvalue())
        preview = Path(app.config["UPLOAD_FOLDER"]) / images.preview_name(stored.content_hash)
    assert preview.stat().st_size <= 300 * 1024


@pytest.mark.parametrize(
    "data, name",
    [
        (b"%PDF-1.4 not an image at all", "doc.pdf"),
        (b"<html><script>alert(1)</script></html>", "page.jpg"),
        (image_bytes("JPEG")[:600], "cut.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg"),
        (image_bytes("BMP"), "bitmap.jpg"),
    ],
)
def test_non_images_are_refused_with_a_message_and_nothing_else_is_lost(app, admin, data, name):
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(data, name)]},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert name in html
    assert "JPEG, PNG, WebP, GIF 이미지만 올릴 수 있으며" in html or "이미지를 읽을 수 없습니다" in html
    assert 'value="김규섭 고객님 개인결제창"' in html
    assert only_product(app) is None
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.iterdir())


def test_oversized_image_is_refused(app, admin):
    import os

    app.config["MAX_IMAGE_BYTES"] = 1024 * 1024
    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(out, "JPEG", quality=98)
    assert len(out.getvalue()) > 1024 * 1024
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(out.getvalue(), "huge.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "huge.jpg: 이미지가 1MB보다 큽니다." in response.get_data(as_text=True)
    assert only_product(app) is None


def test_decompression_bomb_is_refused(app, admin):
    app.config["MAX_IMAGE_PIXELS"] = 1_000_000
    response = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "images": [upload(image_bytes("PNG", size=(2000, 2000)), "bomb.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "이미지 해상도가 너무 큽니다." in response.get_data(as_text=True)


def test_uploaded_images_survive_a_validation_error(app, client, admin):
    first = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "price": "", "images": [upload(image_bytes(), "keep.jpg")]},
        content_type="multipart/form-data",
    )
    html = first.get_data(as_text=True)
    assert first.status_code == 422
    kept = re.findall(r'name="image_hashes-\d+" value="([0-9a-f]{64})"', html)
    assert len(kept) == 1
    # The merchant fixes the price and saves without picking the file again.
    second = admin.post("/admin/products/new", data={**SEED_FORM, "image_hashes-0": kept[0]})
    assert second.status_code == 302
    assert [image.content_hash for image in only_product(app).images] == kept


def test_images_can_be_reordered_and_removed_on_edit(app, admin, make_product):
    red, blue, green = (image_bytes(colour=c) for c in [(255, 0, 0), (0, 0, 255), (0, 255, 0)])
    product_id, _ = make_product(images=[red, blue, green])
    hashes = [image.content_hash for image in only_product(app).images]
    form = {**SEED_FORM, **{f"image_hashes-{i}": h for i, h in enumerate(hashes)}}
    moved = admin.post(f"/admin/products/{product_id}/edit", data={**form, "action": f"image-up:{hashes[2]}"})
    order = re.findall(r'name="image_hashes-\d+" value="([0-9a-f]{64})"', moved.get_data(as_text=True))
    assert order == [hashes[0], hashes[2], hashes[1]]
    assert [i.content_hash for i in only_product(app).images] == hashes  # not saved yet
    saved = admin.post(
        f"/admin/products/{product_id}/edit",
        data={**SEED_FORM, "image_hashes-0": hashes[2], "image_hashes-1": hashes[0]},
    )
    assert saved.status_code == 302
    assert [i.content_hash for i in only_product(app).images] == [hashes[2], hashes[0]]


def test_exif_orientation_is_applied(app):
    from storefront import images

    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.new("RGB", (400, 200), (10, 200, 10)).save(out, "JPEG", exif=exif)
    with app.test_request_context():
        stored = images.store_upload(out.getvalue())
    assert (stored.width, stored.height) == (200, 400)


def test_product_management_lists_filters_and_searches(client, admin, app, make_product):
    admin.post("/admin/categories", data={"action": "save", "rows-0-id": "", "rows-0-name": "개인결제창"})
    with app.app_context():
        from storefront import catalog

        category_id = catalog.ordered_categories()[0].id
    make_product(name="김규섭 고객님 개인결제창", category_id=category_id, listed=False)
    make_product(name="케냐 AA 원두", price=18000)
    html = client.get("/admin/products").get_data(as_text=True)
    assert "김규섭 고객님 개인결제창" in html and "케냐 AA 원두" in html
    assert "18,000원" in html and "더보기" in html and "바로가기" in html and "편집하기" in html and "URL 복사" in html
    only_unlisted = client.get("/admin/products?listed=no").get_data(as_text=True)
    assert "김규섭" in only_unlisted and "케냐" not in only_unlisted
    by_category = client.get(f"/admin/products?category={category_id}").get_data(as_text=True)
    assert "김규섭" in by_category and "케냐" not in by_category
    by_name = client.get("/admin/products?q=케냐").get_data(as_text=True)
    assert "케냐" in by_name and "김규섭" not in by_name
    hidden = client.get("/admin/products?display_status=hidden").get_data(as_text=True)
    assert "상품이 없습니다." in hidden
    # Nonsense filters are ignored, not a crash.
    assert client.get("/admin/products?category=abc&page=-3&listed=zzz").status_code == 200


def test_more_menu_links_to_public_page_and_edit_form(client, admin, make_product):
    product_id, token = make_product(name="링크 상품")
    html = client.get("/admin/products").get_data(as_text=True)
    assert f'href="http://localhost/products/{token}" target="_blank" rel="noopener"' in html
    assert f'href="/admin/products/{product_id}/edit"' in html
    assert f'value="http://localhost/products/{token}" readonly' in html


def test_duplicate_makes_a_hidden_unlisted_draft(app, admin, make_product):
    product_id, token = make_product(name="원본", images=[image_bytes()], stock_managed=True, stock_quantity=1)
    response = admin.post(f"/admin/products/{product_id}/duplicate")
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalar(sa.select(Product).where(Product.id != product_id))
        assert copy.name == "원본 (복사본)"
        assert copy.display_status is DisplayStatus.HIDDEN and copy.listed is False
        assert copy.public_token != token
        assert len(copy.images) == 1
        assert response.headers["Location"] == f"/admin/products/{copy.id}/edit"


def test_regenerate_url_asks_first_then_kills_the_old_link(app, client, admin, make_product):
    product_id, old_token = make_product(name="재발급 상품")
    confirm = client.get(f"/admin/products/{product_id}/regenerate-url")
    assert "이전에 보낸 링크는 바로 열리지 않게 됩니다" in confirm.get_data(as_text=True)
    assert only_product(app).public_token == old_token
    response = admin.post(f"/admin/products/{product_id}/regenerate-url")
    assert response.status_code == 302
    new_token = only_product(app).public_token
    assert new_token != old_token
    assert client.get(f"/products/{old_token}").status_code == 404
    assert client.get(f"/products/{new_token}").status_code == 200


def test_unknown_product_edit_is_404(client, admin):
    assert client.get("/admin/products/99999/edit").status_code == 404


def test_edit_page_offers_every_way_to_send_the_link(client, admin, make_product):
    from urllib.parse import quote

    product_id, token = make_product(name="김규섭 고객님 개인결제창", preview_title="개인 결제창")
    html = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    url = f"http://localhost/products/{token}"
    assert f'id="public-url" class="copy-field" type="text" value="{url}" readonly' in html
    assert "문자 앱으로 보내기" in html and 'href="sms:?&amp;body=' in html
    assert "이메일로 보내기" in html and 'href="mailto:?subject=' in html
    assert html.count(quote(url)) == 2  # in the text message and in the e-mail body
    # The mock of the KakaoTalk card uses the preview title, and tells how to clear Kakao's cache.
    card = html[html.index('class="kakao-card"') :]
    assert "개인 결제창" in card[: card.index("</figure>")]
    assert "OG 캐시" in html
    qr = client.get(f"/admin/products/{product_id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data and b"<path" in qr.data and b"<script" not in qr.data


def test_qr_code_encodes_the_public_url(app, client, admin, make_product):
    import qrcode

    product_id, token = make_product()
    svg = client.get(f"/admin/products/{product_id}/qr.svg").data.decode()
    expected = qrcode.QRCode(border=2)
    expected.add_data(f"http://localhost/products/{token}")
    expected.make(fit=True)
    dark = {(x, y) for y, row in enumerate(expected.get_matrix()) for x, cell in enumerate(row) if cell}
    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}
    assert drawn == dark


def test_saving_stock_never_overwrites_what_orders_took_meanwhile(app, client, admin, bank_ready, make_product):
    from .conftest import place

    product_id, token = make_product(name="재고 상품", stock_managed=True, stock_quantity=3)
    page = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    seen = re.search(r'name="stock_seen" type="hidden" value="(\d+)"', page).group(1)
    assert seen == "3"
    place(app.test_client(), token)  # a customer buys one while the merchant is editing
    form = {**SEED_FORM, "name": "재고 상품", "stock_quantity": "5", "stock_seen": seen}
    response = admin.post(f"/admin/products/{product_id}/edit", data=form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "재고가 2개로 바뀌었습니다" in html
    assert re.search(r'name="stock_seen" type="hidden" value="2"', html)
    with app.app_context():
        assert db.session.get(Product, product_id).stock_quantity == 2
    # Saving again from the refreshed form works.
    assert admin.post(f"/admin/products/{product_id}/edit", data={**form, "stock_seen": "2"}).status_code == 302
    with app.app_context():
        assert db.session.get(Product, product_id).stock_quantity == 5


def test_prune_uploads_removes_only_old_unused_files(app, admin, runner, make_product):
    import time

    make_product(images=[image_bytes(colour=(1, 2, 3))])  # in use
    staged = admin.post(
        "/admin/products/new",
        data={**SEED_FORM, "price": "", "images": [upload(image_bytes(colour=(9, 9, 9)), "left.jpg")]},
        content_type="multipart/form-data",
    )
    assert staged.status_code == 422  # uploaded, then the form was abandoned
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert len(list(folder.iterdir())) == 6  # two images, three files each
    now = time.time()  # the shop's clock (which a test run may have moved), not the disk's
    for path in folder.iterdir():
        os.utime(path, (now, now))
    assert "Removed 0" in runner.invoke(args=["prune-uploads"]).output  # too young to go
    old = time.time() - 3 * 86400
    for path in folder.iterdir():
        os.utime(path, (old, old))
    assert "Removed 3" in runner.invoke(args=["prune-uploads"]).output
    with app.app_context():
        from storefront.models import ProductImage

        in_use = db.session.scalar(sa.select(ProductImage.content_hash))
    assert all(p.name.startswith(in_use[:32]) for p in folder.iterdir())
