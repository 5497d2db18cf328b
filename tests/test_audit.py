"""Every admin change to a product, category or order is recorded with who and when, and shown."""

from .builders import SEED_FORM
from .conftest import ADMIN_EMAIL


def test_product_changes_are_recorded_and_shown_on_its_page(client, admin, make_product):
    product_id, _ = make_product(name="기록 상품", price=12000, listed=False, stock_managed=True, stock_quantity=1)
    form = {**SEED_FORM, "name": "기록 상품", "price": "15000", "display_status": "hidden", "stock_quantity": "3"}
    admin.post(f"/admin/products/{product_id}/edit", data=form)
    admin.post(f"/admin/products/{product_id}/regenerate-url")
    html = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    history = html[html.index("변경 이력") :]
    assert "판매가: 12,000원 → 15,000원" in history
    assert "진열상태: 진열함 → 진열 안함" in history
    assert "재고 수량: 1 → 3" in history
    assert "URL 재발급" in history
    assert history.count(ADMIN_EMAIL) >= 2


def test_saving_without_changes_records_nothing(client, admin, make_product):
    product_id, _ = make_product(name="그대로", price=12000, listed=False, stock_managed=True, stock_quantity=1)
    admin.post(f"/admin/products/{product_id}/edit", data={**SEED_FORM, "name": "그대로", "price": "12000"})
    html = client.get(f"/admin/products/{product_id}/edit").get_data(as_text=True)
    assert "수정</strong>" not in html


def test_category_changes_are_recorded(client, admin):
    admin.post("/admin/categories", data={"action": "save", "rows-0-id": "", "rows-0-name": "개인결제창"})
    html = client.get("/admin/categories").get_data(as_text=True)
    assert "추가: 개인결제창" in html and ADMIN_EMAIL in html
