"""개인결제창 일괄 생성: one file, many personal payment windows, each with its own link."""

import io
import re
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from storefront.clock import local_date
from storefront.extensions import db
from storefront.models import DisplayStatus, Product

HEADER = "고객명,휴대폰 번호,상품명,판매가,재고 수량,판매 종료일,설명"
# 판매 종료일 as a merchant types them, on the shop's clock.
IN_A_MONTH = f"{local_date() + timedelta(days=30):%Y-%m-%d}"
YESTERDAY = f"{local_date() - timedelta(days=1):%Y-%m-%d}"


def csv_file(rows: int) -> bytes:
    lines = [HEADER] + [
        f"고객{n:02d},010-1234-{n:04d},원두 정기배송 {n}개월,{12000 + n},1,{IN_A_MONTH},{n}번째 고객님 주문"
        for n in range(1, rows + 1)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def preview(admin, content: bytes, filename: str = "customers.csv", **fields):
    data = {"action": "preview", "upload": (io.BytesIO(content), filename), **fields}
    return admin.post("/admin/products/batch", data=data, content_type="multipart/form-data")


def create(admin, preview_html: str, **fields):
    rows = re.search(r'id="rows" name="rows" type="hidden" value="([^"]*)"', preview_html).group(1)
    import html

    data = {"action": "create", "rows": html.unescape(rows), **fields}
    source = re.search(r'id="source_name" name="source_name" type="hidden" value="([^"]*)"', preview_html)
    if source:
        data["source_name"] = html.unescape(source.group(1))
    return admin.post("/admin/products/batch", data=data)


def product_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Product))


def test_twenty_rows_make_twenty_windows_whose_links_all_open(app, client, admin):
    shown = preview(admin, csv_file(20))
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and html.count('class="badge badge-on">정상') == 20
    assert product_count(app) == 0  # a preview creates nothing
    created = create(admin, html)
    assert created.status_code == 302
    result = client.get(created.location).get_data(as_text=True)
    urls = re.findall(r'class="copy-field" type="text" value="([^"]+)"', result)
    assert len(urls) == 20
    customer = app.test_client()
    for url in urls:
        page = customer.get(url.replace("http://localhost", ""))
        assert page.status_code == 200
    with app.app_context():
        products = db.session.scalars(sa.select(Product).order_by(Product.id)).all()
        first = products[0]
        assert (first.customer_name, first.customer_phone, first.price) == ("고객01", "01012340001", 12001)
        assert first.display_status is DisplayStatus.DISPLAYED and not first.listed
        assert first.stock_managed and first.stock_quantity == 1 and first.purchase_limit == 1
        assert first.sale_ends_at is not None and not first.phone_check


def test_sending_the_same_file_again_creates_nothing_new(app, admin):
    content = csv_file(3)
    first = create(admin, preview(admin, content).get_data(as_text=True))
    assert product_count(app) == 3
    again = preview(admin, content)
    assert again.status_code == 302 and again.location == first.location
    assert product_count(app) == 3


def test_rows_with_mistakes_are_shown_and_nothing_is_created(app, admin):
    rows = ["김규섭,010-1234-5678,,12000,1,,", f",02-123-4567,원두,만원,-1,{YESTERDAY},", ",,,1000,,,"]
    content = "\n".join([HEADER, *rows]).encode()
    shown = preview(admin, content)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 422
    assert "김규섭 고객님 개인결제창" in html  # an empty 상품명 is named after the customer
    for column in ("휴대폰 번호", "판매가", "재고 수량", "판매 종료일", "상품명"):
        assert f"<li>{column}: " in html
    assert "개 만들기" not in html
    assert product_count(app) == 0


def test_an_excel_file_and_its_links_workbook(app, client, admin):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["고객명", "휴대폰 번호", "상품명", "판매가", "재고 수량", "판매 종료일", "설명"])
    sheet.append(["=HYPERLINK(1)", 1012345678, "원두", 128000, None, None, "정기배송"])  # Excel drops the 0
    sheet["A2"].data_type = "s"  # a name that looks like a formula, typed as text
    out = io.BytesIO()
    workbook.save(out)
    html = preview(admin, out.getvalue(), "고객.xlsx", phone_check="y").get_data(as_text=True)
    assert "010-1234-5678" in html
    created = create(admin, html, phone_check="y")
    batch_url = created.location
    with app.app_context():
        product = db.session.scalar(sa.select(Product))
        assert product.customer_phone == "01012345678" and product.phone_check and product.stock_quantity == 1
    download = client.get(batch_url + "/links.xlsx")
    assert download.status_code == 200
    rows = list(load_workbook(io.BytesIO(download.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("고객명", "휴대폰 번호", "상품명", "판매가", "링크")
    assert rows[1][0] == "=HYPERLINK(1)" and rows[1][4].endswith(f"/products/{product.public_token}")
    sheet_xml = load_workbook(io.BytesIO(download.data)).active["A2"]
    assert sheet_xml.data_type == "s"  # kept as text, not run as a formula
    qr_sheet = client.get(batch_url + "/qr").get_data(as_text=True)
    assert f"/admin/products/{product.id}/qr.svg" in qr_sheet


def test_pasted_rows_from_a_spreadsheet(app, admin):
    pasted = f"김규섭\t010-1234-5678\t원두\t12,000원\t2\t\t\n이영희\t\t드립백\t9000\t\t{IN_A_MONTH} 18:00\t"
    html = admin.post("/admin/products/batch", data={"action": "preview", "pasted": pasted}).get_data(as_text=True)
    created = create(admin, html)
    assert created.status_code == 302
    with app.app_context():
        products = db.session.scalars(sa.select(Product).order_by(Product.id)).all()
        assert [(p.name, p.price, p.stock_quantity) for p in products] == [("원두", 12000, 2), ("드립백", 9000, 1)]


def test_an_unreadable_file_gets_a_clear_message(admin):
    response = preview(admin, b"PK\x03\x04 not really a workbook", "broken.xlsx")
    assert response.status_code == 422 and "엑셀 파일(.xlsx)로 읽을 수 없습니다" in response.get_data(as_text=True)
    response = preview(admin, b"%PDF-1.4", "list.pdf")
    assert response.status_code == 422 and ".xlsx 또는 .csv" in response.get_data(as_text=True)
