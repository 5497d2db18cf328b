"""주문 관리 exports: CSV (UTF-8 with a BOM so Excel opens Korean text correctly) and Excel (.xlsx).

Both carry the same columns. Postcodes and phone numbers are text, so 06236 keeps
its leading zero; amounts and quantities are numbers the merchant can sum.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from . import cash_receipts
from .clock import local_date
from .formatting import carrier_name, kst, order_method_label, phone, status_label
from .models import Order

# Excel runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str  # "text", "code" (digits that are not a number: postcodes, phone numbers) or "number"
    width: int = 14


def _columns() -> list[Column]:
    return [
        Column(_("Order number"), "text", 18), Column(_("Ordered at"), "text", 17), Column(_("Status"), "text"),
        Column(_("Buyer"), "text"), Column(_("Mobile number"), "code", 15), Column(_("E-mail"), "text", 24),
        Column(_("Depositor name"), "text"), Column(_("Product"), "text", 30), Column(_("Quantity"), "number", 8),
        Column(_("Goods subtotal"), "number", 12), Column(_("Shipping fee"), "number", 10),
        Column(_("Extra shipping fee"), "number", 10), Column(_("Amount"), "number", 12),
        Column(_("Recipient"), "text"), Column(_("Recipient phone"), "code", 15),
        Column(_("Postcode"), "code", 8), Column(_("Address"), "text", 36), Column(_("Address line 2"), "text", 20),
        Column(_("Delivery note"), "text", 24), Column(_("Carrier"), "text"), Column(_("Tracking number"), "code", 16),
        Column(_("Cash receipt"), "text"), Column(_("Cash receipt number"), "code", 15),
        Column(_("Cash receipt issued at"), "text", 17), Column(_("Payment method"), "text", 20),
    ]  # fmt: skip


def _values(order: Order) -> list[Any]:
    products = ", ".join(f"{item.display_name} × {item.quantity}" for item in order.items)
    quantity = sum(item.quantity for item in order.items)
    return [
        order.order_no, kst(order.created_at), status_label(order.status), order.buyer_name,
        phone(order.buyer_phone), order.buyer_email, order.depositor_name, products, quantity,
        order.goods_amount, order.shipping_fee, order.extra_shipping_fee, order.total_amount,
        order.recipient_name, phone(order.recipient_phone), order.postcode,
        order.address, order.address_detail, order.delivery_note, carrier_name(order.carrier), order.tracking_no,
        cash_receipts.label(order.cash_receipt_type), cash_receipts.number_shown(order),
        kst(order.cash_receipt_issued_at), order_method_label(order),
    ]  # fmt: skip


def _csv_cell(value, column: Column) -> str:
    text = str(value)
    if column.kind == "code" and text.isascii() and text.isdigit():
        # Excel reads a bare 06236 as the number 6236 and shows a leading apostrophe literally; the
        # formula ="06236" is the one CSV spelling it displays as 06236 (built from digits only, so it
        # cannot carry anything else). Other programs may show it as typed: the .xlsx is exact everywhere.
        return f'="{text}"'
    return "'" + text if text.startswith(_FORMULA_START) else text


def filename(extension: str) -> str:
    """The download's name carries today's date on the shop's clock."""
    return f"orders-{local_date():%Y%m%d}.{extension}"


def orders_csv(orders: Iterable[Order]) -> str:
    columns = _columns()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(column.title for column in columns)
    for order in orders:
        writer.writerow(_csv_cell(value, column) for value, column in zip(_values(order), columns, strict=True))
    return out.getvalue()


def orders_xlsx(orders: Iterable[Order]) -> bytes:
    columns = _columns()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Orders"))
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, column.title) for column in columns])
    for order in orders:
        row = []
        for value, column in zip(_values(order), columns, strict=True):
            if column.kind == "number":
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0"
            else:
                cell = _text_cell(sheet, value)
            row.append(cell)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet, value) -> WriteOnlyCell:
    """A cell that Excel shows as the text it holds: never a number, a date or a formula."""
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    cell.number_format = "@"
    return cell
