"""카테고리 관리: add, rename, reorder, delete, all saved at once with 저장하기."""

import sqlalchemy as sa

from storefront import catalog
from storefront.extensions import db
from storefront.models import Category


def names(app):
    with app.app_context():
        return [c.name for c in catalog.ordered_categories()]


def ids(app):
    with app.app_context():
        return {c.name: c.id for c in catalog.ordered_categories()}


def rows_data(rows):
    """Form data for the category page, rows as (id, name, delete)."""
    data = {}
    for i, (row_id, name, delete) in enumerate(rows):
        data[f"rows-{i}-id"] = str(row_id or "")
        data[f"rows-{i}-name"] = name
        if delete:
            data[f"rows-{i}-delete"] = "y"
    return data


def save(admin, rows):
    return admin.post("/admin/categories", data={"action": "save", **rows_data(rows)})


def test_add_category_button_adds_an_empty_row_without_saving(app, admin):
    response = admin.post("/admin/categories", data={"action": "add"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="rows-0-name"' in html
    assert "카테고리 추가하기" in html and "저장하기" in html
    assert names(app) == []


def test_save_creates_the_personal_payment_category(app, admin):
    assert save(admin, [(None, "개인결제창", False)]).status_code == 302
    assert names(app) == ["개인결제창"]


def test_rename_reorder_and_add_are_saved_together(app, admin):
    save(admin, [(None, "원두", False), (None, "드립백", False)])
    old = ids(app)
    response = save(
        admin, [(None, "개인결제창", False), (old["드립백"], "드립백 세트", False), (old["원두"], "원두", False)]
    )
    assert response.status_code == 302
    assert names(app) == ["개인결제창", "드립백 세트", "원두"]
    assert ids(app)["드립백 세트"] == old["드립백"]  # renamed, not recreated


def test_two_categories_can_swap_names(app, admin):
    save(admin, [(None, "A", False), (None, "B", False)])
    old = ids(app)
    assert save(admin, [(old["A"], "B", False), (old["B"], "A", False)]).status_code == 302
    assert ids(app) == {"B": old["A"], "A": old["B"]}


def test_up_and_down_buttons_reorder_rows_on_the_page_only(app, admin):
    save(admin, [(None, "첫째", False), (None, "둘째", False)])
    old = ids(app)
    rows = rows_data([(old["첫째"], "첫째", False), (old["둘째"], "둘째", False)])
    html = admin.post("/admin/categories", data={"action": "down-0", **rows}).get_data(as_text=True)
    assert html.index('value="둘째"') < html.index('value="첫째"')
    assert names(app) == ["첫째", "둘째"]  # nothing saved yet


def test_empty_and_duplicate_names_are_refused_with_messages_and_kept(app, admin):
    response = save(admin, [(None, "원두", False), (None, "원두", False), (None, "  ", False)])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "같은 이름의 카테고리가 이미 있습니다." in html
    assert "카테고리명을 입력하세요." in html
    assert html.count('value="원두"') == 2  # what the merchant typed is still there
    assert names(app) == []


def test_delete_refused_while_products_use_the_category(app, admin, make_product):
    save(admin, [(None, "개인결제창", False)])
    category_id = ids(app)["개인결제창"]
    make_product(category_id=category_id)
    response = save(admin, [(category_id, "개인결제창", True)])
    assert response.status_code == 422
    assert "상품이 있어 삭제할 수 없습니다" in response.get_data(as_text=True)
    assert names(app) == ["개인결제창"]


def test_delete_an_unused_category(app, admin):
    save(admin, [(None, "임시", False), (None, "원두", False)])
    old = ids(app)
    save(admin, [(old["임시"], "임시", True), (old["원두"], "원두", False)])
    assert names(app) == ["원두"]


def test_a_stale_page_does_not_save_half(app, admin):
    save(admin, [(None, "원두", False)])
    response = save(admin, [(None, "새것", False), (99999, "사라진 것", False)])
    assert response.status_code == 422
    assert "다른 곳에서 카테고리가 변경되었습니다" in response.get_data(as_text=True)
    assert names(app) == ["원두"]


def test_control_characters_in_names_are_removed_not_a_crash(app, admin):
    assert save(admin, [(None, "개인\x00결제창\x07", False)]).status_code == 302
    assert names(app) == ["개인결제창"]


def test_category_names_are_unique_in_the_database(app):
    with app.app_context():
        db.session.add_all([Category(name="같음"), Category(name="같음")])
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
        else:
            raise AssertionError("duplicate category names were stored")


def test_a_new_row_named_like_a_category_missing_from_the_page_is_refused(app, admin):
    save(admin, [(None, "원두", False)])
    # A second tab that never showed 원두 adds it again.
    response = save(admin, [(None, "원두", False)])
    assert response.status_code == 422
    assert "같은 이름의 카테고리가 이미 있습니다: 원두" in response.get_data(as_text=True)
    assert names(app) == ["원두"]
