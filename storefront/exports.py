"""주문 관리 exports: CSV (UTF-8 with a BOM so Excel opens Korean text correctly) and Excel (.xlsx).

Each download names its purpose (다운로드 사유) and holds only the columns that purpose needs;
both formats carry the same columns. Postcodes and phone numbers are text, so 06236 keeps
its leading zero; amounts and quantities are numbers the merchant can sum.
"""

import csv
import enum
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
    key: str
    title: str
    kind: str  # "text", "code" (digits that are not a number: postcodes, phone numbers) or "number"
    width: int = 14


def _all_columns() -> list[Column]:
    return [
        Column("order_no", _("Order number"), "text", 18), Column("ordered_at", _("Ordered at"), "text", 17),
        Column("status", _("Status"), "text"), Column("buyer", _("Buyer"), "text"),
        Column("buyer_phone", _("Mobile number"), "code", 15), Column("buyer_email", _("E-mail"), "text", 24),
        Column("depositor", _("Depositor name"), "text"), Column("products", _("Product"), "text", 30),
        Column("quantity", _("Quantity"), "number", 8), Column("goods", _("Goods subtotal"), "number", 12),
        Column("shipping", _("Shipping fee"), "number", 10),
        Column("extra_shipping", _("Extra shipping fee"), "number", 10),
        Column("total", _("Amount"), "number", 12), Column("recipient", _("Recipient"), "text"),
        Column("recipient_phone", _("Recipient phone"), "code", 15), Column("postcode", _("Postcode"), "code", 8),
        Column("address", _("Address"), "text", 36), Column("address_detail", _("Address line 2"), "text", 20),
        Column("delivery_note", _("Delivery note"), "text", 24), Column("carrier", _("Carrier"), "text"),
        Column("tracking_no", _("Tracking number"), "code", 16), Column("cash_receipt", _("Cash receipt"), "text"),
        Column("cash_receipt_number", _("Cash receipt number"), "code", 15),
        Column("cash_receipt_issued_at", _("Cash receipt issued at"), "text", 17),
        Column("method", _("Payment method"), "text", 20),
    ]  # fmt: skip


class Purpose(enum.StrEnum):
    """다운로드 사유: what the file is for decides what it holds (안전성 확보조치 기준 제12조)."""

    SHIPPING = "shipping"
    SETTLEMENT = "settlement"
    CUSTOMER_SERVICE = "customer_service"
    OTHER = "other"


PURPOSE_LABELS = {
    Purpose.SHIPPING: _l("Shipping (recipient, phone, address, items)"),
    Purpose.SETTLEMENT: _l("Settlement and tax (amounts, payment, cash receipts; no address or delivery)"),
    Purpose.CUSTOMER_SERVICE: _l("Customer service (buyer, phone, e-mail, items, delivery)"),
    Purpose.OTHER: _l("Other (every column; say why)"),
}

_ORDER = ("order_no", "ordered_at", "status")
PURPOSE_COLUMNS = {
    Purpose.SHIPPING: (*_ORDER, "products", "quantity", "recipient", "recipient_phone", "postcode", "address",
                       "address_detail", "delivery_note", "carrier", "tracking_no"),
    Purpose.SETTLEMENT: (*_ORDER, "buyer", "depositor", "products", "quantity", "goods", "shipping", "extra_shipping",
                         "total", "method", "cash_receipt", "cash_receipt_number", "cash_receipt_issued_at"),
    Purpose.CUSTOMER_SERVICE: (*_ORDER, "buyer", "buyer_phone", "buyer_email", "products", "quantity", "total",
                               "carrier", "tracking_no"),
    Purpose.OTHER: None,  # every column
}  # fmt: skip


def purpose_label(purpose: str) -> str:
    return str(PURPOSE_LABELS[Purpose(purpose)]) if purpose in PURPOSE_LABELS else purpose


def _columns(purpose: Purpose) -> list[Column]:
    keys = PURPOSE_COLUMNS[purpose]
    columns = _all_columns()
    return columns if keys is None else [c for c in columns if c.key in keys]


def _values(order: Order) -> dict[str, Any]:
    return {
        "order_no": order.order_no, "ordered_at": kst(order.created_at), "status": status_label(order.status),
        "buyer": order.buyer_name, "buyer_phone": phone(order.buyer_phone), "buyer_email": order.buyer_email,
        "depositor": order.depositor_name,
        "products": ", ".join(f"{item.display_name} × {item.quantity}" for item in order.items),
        "quantity": sum(item.quantity for item in order.items), "goods": order.goods_amount,
        "shipping": order.shipping_fee, "extra_shipping": order.extra_shipping_fee, "total": order.total_amount,
        "recipient": order.recipient_name, "recipient_phone": phone(order.recipient_phone), "postcode": order.postcode,
        "address": order.address, "address_detail": order.address_detail, "delivery_note": order.delivery_note,
        "carrier": carrier_name(order.carrier), "tracking_no": order.tracking_no,
        "cash_receipt": cash_receipts.label(order.cash_receipt_type),
        "cash_receipt_number": cash_receipts.number_shown(order),
        "cash_receipt_issued_at": kst(order.cash_receipt_issued_at), "method": order_method_label(order),
    }  # fmt: skip


def _rows(orders: Iterable[Order], columns: list[Column]):
    for order in orders:
        values = _values(order)
        yield [(values[column.key], column) for column in columns]


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


def orders_csv(orders: Iterable[Order], purpose: Purpose) -> str:
    columns = _columns(purpose)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(column.title for column in columns)
    for row in _rows(orders, columns):
        writer.writerow(_csv_cell(value, column) for value, column in row)
    return out.getvalue()


def orders_xlsx(orders: Iterable[Order], purpose: Purpose) -> bytes:
    columns = _columns(purpose)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Orders"))
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, column.title) for column in columns])
    for values in _rows(orders, columns):
        row = []
        for value, column in values:
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
