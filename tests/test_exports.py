"""주문 관리 exports: what Excel shows the merchant, in both files."""

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from storefront.extensions import db
from storefront.models import Order

from .builders import export_orders
from .conftest import place


def _one_order(app, client, make_product, bank_ready=None):
    _, token = make_product(name="케냐 원두", price=12000)
    place(client, token, quantity="2", postcode="06236", delivery_note='=HYPERLINK("http://evil")')


def test_xlsx_keeps_postcodes_and_phones_as_text_and_amounts_as_numbers(app, client, admin, bank_ready, make_product):
    _one_order(app, client, make_product)
    response = export_orders(admin, "xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="orders-' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:4] == ("주문번호", "주문일시", "상태", "주문자")
    assert row["우편번호"] == "06236"
    assert row["휴대폰 번호"] == "010-1234-5678"
    assert row["금액"] == 24000 and row["수량"] == 2
    assert row["배송 메모"] == '=HYPERLINK("http://evil")'  # shown as text, never run as a formula
    postcode_cell = next(c for c in sheet[2] if c.value == "06236")
    assert postcode_cell.data_type == "s" and postcode_cell.number_format == "@"
    formula_cells = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []


def test_csv_keeps_the_postcodes_leading_zero(app, client, admin, bank_ready, make_product):
    _one_order(app, client, make_product)
    text = export_orders(admin, "csv").get_data().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["우편번호"] == '="06236"'  # what Excel displays as 06236
    assert cells["금액"] == "24000"


def test_orders_page_offers_both_downloads(client, admin):
    html = client.get("/admin/orders").get_data(as_text=True)
    assert "CSV 내려받기" in html and "엑셀 내려받기" in html


def test_exports_follow_the_filters(app, client, admin, bank_ready, make_product):
    _one_order(app, client, make_product)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1
    sheet = load_workbook(io.BytesIO(export_orders(admin, "xlsx", "?status=paid").get_data())).active
    assert sheet.max_row == 1  # the header only: no paid orders
