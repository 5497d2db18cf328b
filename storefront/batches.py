"""개인결제창 일괄 생성: many personal payment windows from one file (.xlsx, .csv) or pasted rows.

Rows are read into plain text cells, checked one by one (every error is shown with its
row, nothing is created until all rows are right), then created in one transaction with
the 개인결제창 preset through :func:`storefront.catalog.create_product`. A batch is keyed
by a hash of its rows, so sending the same file again makes no second set of windows.
"""

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from . import catalog, options
from .clock import KST
from .extensions import db
from .models import Product, ProductBatch
from .text import clean_line, clean_text, is_mobile_number, phone_digits

# The columns, in this order when the file has no header row.
COLUMNS = ("고객명", "휴대폰 번호", "상품명", "판매가", "재고 수량", "판매 종료일", "설명", "옵션")
FIELDS = (
    "customer_name", "customer_phone", "name", "price", "stock_quantity", "sale_ends_at", "description", "options",
)  # fmt: skip
MAX_ROWS = 500
MAX_FILE_BYTES = 5 * 1024 * 1024
_DATE_RE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2})(?::\d{2})?)?")


class BatchError(ValueError):
    """The file as a whole cannot be read; ``str(exc)`` is a message for the merchant."""


@dataclass
class BatchRow:
    line: int  # the row number in the file, for the merchant
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)
    data: catalog.ProductData | None = None


def read_upload(filename: str, content: bytes) -> list[list[str]]:
    """The rows of an uploaded .xlsx or .csv file as text cells."""
    if len(content) > MAX_FILE_BYTES:
        raise BatchError(_l("The file is too large (at most 5 MB)."))
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    if filename.lower().endswith((".csv", ".txt")):
        return read_text(_decode(content))
    raise BatchError(_l("Upload an .xlsx or .csv file."))


def read_text(text: str) -> list[list[str]]:
    """Pasted rows (tab-separated, as copied from a spreadsheet) or CSV text."""
    lines = text.splitlines()
    delimiter = "\t" if any("\t" in line for line in lines) else ","
    rows = list(csv.reader(lines, delimiter=delimiter))
    return _trimmed(rows)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp949"):  # Excel in Korea saves CSV as CP949 unless asked for UTF-8
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BatchError(_l("The file's text could not be read. Save it as CSV UTF-8 and try again."))


def _read_xlsx(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise BatchError(_l("The file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values[: len(COLUMNS) + 5]])
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _trimmed(rows)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time(0) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Rows without surrounding blanks; empty rows dropped."""
    cleaned = [[cell.strip() for cell in row] for row in rows]
    return [row for row in cleaned if any(row)]


def check_rows(rows: list[list[str]], *, phone_check: bool, now: datetime) -> list[BatchRow]:
    """Each row as product data, or with the reasons it cannot be one. A header row is recognised and skipped."""
    if not rows:
        raise BatchError(_l("There are no rows to create."))
    order = list(range(len(COLUMNS)))
    first_line = 1
    header = [clean_line(cell).replace(" ", "") for cell in rows[0]]
    if any(name.replace(" ", "") in header for name in COLUMNS):
        order = [header.index(name.replace(" ", "")) if name.replace(" ", "") in header else -1 for name in COLUMNS]
        rows = rows[1:]
        first_line = 2
    if len(rows) > MAX_ROWS:
        raise BatchError(_l("At most %(n)d rows at once.", n=MAX_ROWS))
    if not rows:
        raise BatchError(_l("There are no rows to create."))
    category_id = catalog.personal_payment_category_id()
    checked = []
    for offset, row in enumerate(rows):
        cells = {name: (row[i] if 0 <= i < len(row) else "") for name, i in zip(FIELDS, order, strict=True)}
        checked.append(_check(BatchRow(first_line + offset, cells), phone_check, category_id, now))
    return checked


def _check(row: BatchRow, phone_check: bool, category_id: int | None, now: datetime) -> BatchRow:
    cells, errors = row.cells, row.errors
    customer = clean_line(cells["customer_name"])
    if len(customer) > 50:
        errors.append(_too_long(0, 50))
    phone = phone_digits(cells["customer_phone"])
    if len(phone) == 10 and phone.startswith("10"):
        phone = "0" + phone  # Excel drops the leading 0 of a number typed as 01012345678
    if phone and not is_mobile_number(phone):
        errors.append(_problem(1, _l("Enter a mobile number such as 010-1234-5678.")))
    name = clean_line(cells["name"])
    if not name and customer:
        name = str(_l("Personal payment window for %(name)s", name=customer))
    if not name:
        errors.append(_problem(2, _l("Enter the product name.")))
    elif len(name) > 200:
        errors.append(_too_long(2, 200))
    price = _whole_number(cells["price"])
    if price is None or not 0 <= price <= 1_000_000_000:
        errors.append(_problem(3, _l("Enter the price in whole won, e.g. 12000.")))
    stock = _whole_number(cells["stock_quantity"]) if cells["stock_quantity"] else 1
    if stock is None or not 0 <= stock <= 1_000_000:
        errors.append(_problem(4, _l("Stock must be between 0 and 1,000,000.")))
    ends_at = None
    if cells["sale_ends_at"]:
        ends_at = _sale_end(cells["sale_ends_at"])
        if ends_at is None:
            errors.append(_problem(5, _l("Write the date as 2026-12-31 (a time may follow: 2026-12-31 18:00).")))
        elif ends_at <= now:
            errors.append(_problem(5, _l("This date has already passed.")))
    description = clean_text(cells["description"])
    if len(description) > 20000:
        errors.append(_too_long(6, 20000))
    groups = options.parse_groups(cells["options"]) if cells["options"].strip() else []
    if groups is None or (groups and options.check(groups)):
        problem = options.check(groups) if groups else _l("Write the options as 사이즈: S, M, L / 색상: 블랙, 화이트.")
        errors.append(_problem(7, problem))
    row.cells = {**cells, "customer_name": customer, "customer_phone": phone, "name": name, "description": description}
    if not errors:
        preset = {**catalog.personal_payment_preset(), "stock_quantity": stock}
        if groups:  # each combination has the row's 재고 수량
            preset["options"] = options.Options(True, groups, options.every_combination(groups, stock))
        row.data = catalog.ProductData(
            **preset,
            name=name,
            price=price,
            category_id=category_id,
            description=description,
            sale_ends_at=ends_at,
            customer_name=customer,
            customer_phone=phone,
            phone_check=phone_check and bool(phone),
        )
    return row


def _problem(column: int, message) -> str:
    return f"{COLUMNS[column]}: {message}"


def _too_long(column: int, limit: int) -> str:
    return _problem(column, _l("Up to %(n)d characters.", n=limit))


def _whole_number(text: str) -> int | None:
    raw = re.sub(r"[\s,원₩]", "", text)
    return int(raw) if re.fullmatch(r"\d{1,12}", raw) else None


def _sale_end(text: str) -> datetime | None:
    """A date (the sale ends at the end of that day, Korean time) or a date and time."""
    match = _DATE_RE.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), tzinfo=KST)
        if hour is None:
            moment = moment.replace(hour=23, minute=59)
        else:
            moment = moment.replace(hour=int(hour), minute=int(minute))
    except ValueError:
        return None
    return moment.astimezone(UTC) if 2000 <= moment.year <= 2100 else None


def rows_from_json(text: str) -> list[list[str]]:
    """The rows a preview page carried forward (checked again before anything is created)."""
    try:
        rows = json.loads(text)
    except ValueError as exc:
        raise BatchError(_l("The preview was damaged. Upload the file again.")) from exc
    if not isinstance(rows, list) or not all(
        isinstance(row, list) and all(isinstance(cell, str) for cell in row) for row in rows
    ):
        raise BatchError(_l("The preview was damaged. Upload the file again."))
    return rows


def content_key(rows: list[list[str]]) -> str:
    """The batch key: a hash of the rows' content, the same however often the file is sent."""
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def find_batch(key: str) -> ProductBatch | None:
    return db.session.scalar(sa.select(ProductBatch).where(ProductBatch.content_key == key))


def create_batch(rows: list[list[str]], checked: list[BatchRow], actor: str, source_name: str = "") -> ProductBatch:
    """Create every window of a checked batch in the caller's transaction.

    Raises :class:`sqlalchemy.exc.IntegrityError` on flush when the same rows were created at the same moment.
    """
    batch = ProductBatch(content_key=content_key(rows), actor=actor, source_name=source_name[:200])
    db.session.add(batch)
    db.session.flush()
    for row in checked:
        product = catalog.create_product(row.data, actor=actor)
        product.batch_id = batch.id
    db.session.flush()
    return batch


def batch_products(batch: ProductBatch) -> list[Product]:
    return list(db.session.scalars(sa.select(Product).where(Product.batch_id == batch.id).order_by(Product.id)))


def links_workbook(products: list[Product], url_for_product) -> bytes:
    """The new links as an .xlsx to keep or to send from (고객명, 휴대폰 번호, 상품명, 판매가, 링크)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "개인결제창"
    sheet.append(["고객명", "휴대폰 번호", "상품명", "판매가", "링크"])
    for product in products:
        sheet.append(
            [product.customer_name, product.customer_phone, product.name, product.price, url_for_product(product)]
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: a name starting with "=" is not a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
