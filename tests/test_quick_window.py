"""빠른 개인결제창 and 공유하기: a window made from a phone in one short form, and its link shared."""

import html as html_lib
import io
import re

import pytest
import sqlalchemy as sa

from storefront import catalog
from storefront.extensions import db
from storefront.models import DisplayStatus, Product

from .conftest import image_bytes


def only_product(app) -> Product:
    with app.app_context():
        product = db.session.scalar(sa.select(Product).options(sa.orm.selectinload(Product.images)))
        db.session.expunge_all()
        return product


def share_buttons(page_html: str) -> list[dict]:
    """The data each 공유하기 button hands to the share sheet."""
    buttons = re.findall(r'<button type="button" class="share-button[^"]*"([^>]*)>', page_html)
    return [
        {k: html_lib.unescape(v) for k, v in re.findall(r'data-share-(\w+)="([^"]*)"', attrs)} for attrs in buttons
    ]


def test_quick_window_is_one_tap_from_every_admin_page(client, admin):
    for path in ("/admin/products", "/admin/orders", "/admin/settings"):
        page = client.get(path).get_data(as_text=True)
        assert re.search(r'href="/admin/products/quick"[^>]*>빠른 개인결제창</a>', page)


def test_quick_window_form_asks_for_name_price_and_an_optional_photo(client, admin):
    page = client.get("/admin/products/quick").get_data(as_text=True)
    price = re.search(r"<input[^>]*name=\"price\"[^>]*>", page).group(0)
    assert 'inputmode="numeric"' in price
    photo = re.search(r"<input[^>]*name=\"images\"[^>]*>", page).group(0)
    # image/* lets the phone offer both the camera and the gallery; `capture` would force the camera.
    assert 'accept="image/*"' in photo and "capture" not in photo and "multiple" not in photo
    assert re.findall(r'<label for="\w+">([^<]+)</label>', page) == ["상품명", "판매가", "사진", "옵션명", "옵션값"]
    assert re.search(r'<details class="quick-options">\s*<summary>옵션 \(선택\)</summary>', page)  # folded away


def test_quick_window_is_saved_with_the_personal_payment_preset(app, admin):
    with app.app_context():
        catalog.save_categories([catalog.CategoryRow(id=None, name="개인결제창", delete=False)])
        db.session.commit()
        category_id = catalog.personal_payment_category_id()
    response = admin.post(
        "/admin/products/quick",
        data={"name": "김규섭 고객님 개인결제창", "price": "128,000", "images": [(io.BytesIO(image_bytes()), "p.jpg")]},
        content_type="multipart/form-data",
    )
    product = only_product(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/products/{product.id}/edit#send-link"
    assert (product.name, product.price) == ("김규섭 고객님 개인결제창", 128000)
    assert product.display_status is DisplayStatus.DISPLAYED
    assert product.show_on_desktop and product.show_on_mobile and not product.listed
    assert product.stock_managed and product.stock_quantity == 1 and product.purchase_limit == 1
    assert product.category_id == category_id
    assert len(product.images) == 1


def test_quick_window_without_a_photo_or_category(app, admin):
    response = admin.post("/admin/products/quick", data={"name": "사진 없는 결제창", "price": "9900"})
    assert response.status_code == 302
    product = only_product(app)
    assert product.images == [] and product.category_id is None and not product.listed


def test_quick_window_lands_on_the_link_sending_panel(client, admin):
    response = admin.post(
        "/admin/products/quick", data={"name": "결제창", "price": "5000"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert '<section class="panel share-panel" id="send-link"' in page
    assert "개인결제창을 만들었습니다." in page
    assert share_buttons(page)[0]["title"] == "결제창"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "price": "5000"}, "name", "상품명을 입력하세요."),
        ({"name": "결제창", "price": "오천원"}, "price", "판매가는 원 단위 숫자로 입력하세요. 예: 12000"),
    ],
)
def test_quick_window_errors_keep_the_photo_and_the_input(app, admin, data, field, message):
    response = admin.post(
        "/admin/products/quick",
        data={**data, "images": [(io.BytesIO(image_bytes()), "p.jpg")]},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page and message in page
    assert only_product(app) is None
    kept = re.findall(r'name="image_hashes-0" value="([0-9a-f]{64})"', page)
    assert len(kept) == 1
    # Fixed and sent again without picking the photo again.
    again = admin.post("/admin/products/quick", data={"name": "결제창", "price": "5000", "image_hashes-0": kept[0]})
    assert again.status_code == 302
    assert [image.content_hash for image in only_product(app).images] == kept


def test_quick_window_refuses_a_file_that_is_not_a_picture(app, admin):
    response = admin.post(
        "/admin/products/quick",
        data={"name": "결제창", "price": "5000", "images": [(io.BytesIO(b"%PDF-1.4 not a photo"), "invoice.pdf")]},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "invoice.pdf:" in page and 'value="결제창"' in page
    assert only_product(app) is None


def test_every_product_card_offers_the_link_actions_and_share(client, admin, make_product):
    first_id, first_token = make_product(name="첫 상품")
    make_product(name="둘째 상품")
    page = client.get("/admin/products").get_data(as_text=True)
    cards = re.findall(r'<div class="card-actions"(.*?)</div>', page, re.S)
    assert len(cards) == 2
    for card in cards:
        labels = re.findall(r">([^<>]+)</(?:a|button)>", card)
        assert [label.strip() for label in labels] == ["바로가기", "URL 복사", "공유하기", "편집하기"]
    # 공유하기 is in each row's 더보기 too, with the row's own URL.
    urls = [button["url"] for button in share_buttons(page)]
    assert urls.count(f"http://localhost/products/{first_token}") == 2 and len(urls) == 4


def test_shared_text_keeps_out_a_customer_name_hidden_from_previews(client, admin, make_product):
    hidden_id, _ = make_product(name="김규섭 고객님 개인결제창", preview_title="규섭커피 맞춤 주문")
    shown_id, _ = make_product(name="박지은 고객님 결제창")
    for path in ("/admin/products", f"/admin/products/{hidden_id}/edit"):
        page = client.get(path).get_data(as_text=True)
        hidden = [b for b in share_buttons(page) if b["title"] != "박지은 고객님 결제창"]
        assert hidden and all(b["title"] == "규섭커피 맞춤 주문" for b in hidden)
        assert all("김규섭" not in b["text"] for b in hidden)
    # Without a preview title the product name is what the customer sees anyway.
    page = client.get(f"/admin/products/{shown_id}/edit").get_data(as_text=True)
    assert share_buttons(page) == [
        {
            "url": share_buttons(page)[0]["url"],
            "title": "박지은 고객님 결제창",
            "text": "[테스트상점] 박지은 고객님 결제창",
        }
    ]
