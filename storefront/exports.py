"""주문 관리 CSV export: UTF-8 with a BOM so Excel opens Korean text correctly."""

import csv
import io
from collections.abc import Iterable

from flask_babel import gettext as _

from .formatting import kst, order_method_label, phone, status_label
from .models import Order

# Excel runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def orders_csv(orders: Iterable[Order]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Order number"), _("Ordered at"), _("Status"), _("Buyer"), _("Mobile number"), _("E-mail"),
            _("Depositor name"), _("Product"), _("Quantity"), _("Amount"), _("Recipient"), _("Recipient phone"),
            _("Postcode"), _("Address"), _("Address line 2"), _("Delivery note"), _("Payment method"),
        ]
    )  # fmt: skip
    for order in orders:
        products = ", ".join(f"{item.product_name} × {item.quantity}" for item in order.items)
        quantity = sum(item.quantity for item in order.items)
        writer.writerow(
            _cell(value)
            for value in [
                order.order_no, kst(order.created_at), status_label(order.status), order.buyer_name,
                phone(order.buyer_phone), order.buyer_email, order.depositor_name, products, quantity,
                order.total_amount, order.recipient_name, phone(order.recipient_phone), order.postcode,
                order.address, order.address_detail, order.delivery_note, order_method_label(order),
            ]
        )  # fmt: skip
    return out.getvalue()
