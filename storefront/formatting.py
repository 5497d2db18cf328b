"""Jinja filters and globals: how the shop writes money, text and asset URLs."""

import hashlib
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from . import images, masking, options
from .lifecycle import CARRIERS, STEPS, Action
from .messaging import templates as message_templates
from .models import OrderStatus, PaymentKind, PaymentMethod
from .settings import shop_settings
from .storage import picture_url
from .text import format_phone as phone
from .urls import absolute_url, url_with_query


def won(amount: int | None) -> str:
    """12000 → "12,000원" (Korean) / "₩12,000" (English)."""
    return _("₩%(amount)s", amount=format(int(amount or 0), ","))


def plain_excerpt(text: str | None, limit: int = 150) -> str:
    """One line of plain text for meta descriptions: whitespace folded, cut at a word."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"


def paragraphs(text: str | None) -> Markup:
    """Line breaks a merchant typed, kept; everything else escaped."""
    escaped = Markup.escape(text or "")
    return Markup("<br>\n").join(escaped.splitlines())


@cache
def _static_version(static_folder: str, filename: str) -> str:
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]


def static_version(filename: str) -> str:
    return _static_version(current_app.static_folder, filename)


def static_url(filename: str) -> str:
    """A static file's URL carrying its content hash, so it can be cached for a year."""
    return url_for("static", filename=filename, v=static_version(filename))


def kst(moment: datetime | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored (UTC) time as the shop's clock shows it (Asia/Seoul)."""
    if moment is None:
        return ""
    return format_datetime(moment, pattern)




EVENT_NOTES = {
    "deadline_passed": _l("payment deadline passed"),
    "deadline_extended": _l("deadline extended"),
    "merchant_cancelled": _l("cancelled by the merchant"),
    "refunded by the merchant": _l("refunded by the merchant"),
    "refunded at the provider": _l("refunded at the payment gateway"),
    "cancelled at the gateway": _l("cancelled at the payment gateway"),
    "cash_receipt_issued": _l("cash receipt issued"),
    "virtual_account_issued": _l("virtual account issued"),
    "confirm_window_passed": _l("payment not confirmed within 10 minutes"),
    "deposit_reversed": _l("the deposit was reversed at the payment gateway"),
    "cash_receipt_cancelled": _l("refunded part of the cash receipt cancelled"),
    "provider_error_twice": _l("the card company or bank did not answer: payable again"),
}


def status_label(status: OrderStatus | str) -> str:
    return OrderStatus(status).label


PAYMENT_KIND_LABELS = {
    PaymentKind.CONFIRM: _l("Payment approval"),
    PaymentKind.LOOKUP: _l("Payment lookup"),
    PaymentKind.WEBHOOK: _l("Gateway notice"),
    PaymentKind.CANCEL: _l("Card refund"),
    PaymentKind.DEPOSIT: _l("Confirm deposit"),
    PaymentKind.REFUND: _l("Bank refund"),
    PaymentKind.REVERSAL: _l("Deposit reversed"),
}


def payment_kind_label(kind: PaymentKind) -> str:
    return str(PAYMENT_KIND_LABELS[kind])


def action_label(action) -> str:
    """A lifecycle step's button text."""
    return str(STEPS[Action(action)].label)


def carrier_name(code: str) -> str:
    carrier = CARRIERS.get(code)
    return carrier.name if carrier else code


def tracking_url(order) -> str | None:
    """The carrier's 배송 조회 page for a shipped order."""
    carrier = CARRIERS.get(order.carrier or "")
    return carrier.url(order.tracking_no) if carrier and order.tracking_no else None


METHOD_LABELS = {PaymentMethod.BANK_TRANSFER: _l("Bank transfer"), PaymentMethod.CARD: _l("Card")}


def method_label(method: PaymentMethod) -> str:
    return str(METHOD_LABELS[method])


def order_method_label(order) -> str:
    """How an order was paid: 무통장입금, or what the card provider reports (가상계좌, 간편결제 (토스페이)…)."""
    if order.payment_method is PaymentMethod.CARD and order.provider_method:
        return f"{order.provider_method} · {_('Toss Payments')}"
    return method_label(order.payment_method)


def actor_label(actor: str) -> str:
    """Who made a change: the buyer, the shop itself, or the merchant's e-mail."""
    return {"buyer": _("Buyer"), "system": _("Automatic"), "toss": _("Toss Payments")}.get(actor, actor)


PRODUCT_EVENT_LABELS = {
    "auto_closed": _l("Purchase limit reached: switched to “Not displayed”"),
    "auto_reopened": _l("The order that reached the purchase limit was cancelled: switched back to “Displayed”"),
    "created": _l("Registered"),
    "updated": _l("Changed"),
    "duplicated": _l("Made as a copy of"),
    "new_url": _l("New URL made; the old link stopped working"),
    "link_locked": _l("Wrong last 4 digits entered 5 times: the link is locked for 15 minutes"),
}
FIELD_LABELS = {
    "name": _l("Product name"),
    "price": _l("Price"),
    "category_id": _l("Category"),
    "display_status": _l("Display status"),
    "listed": _l("Show in product lists"),
    "show_on_desktop": _l("Desktop"),
    "show_on_mobile": _l("Mobile"),
    "stock_managed": _l("Stock management"),
    "stock_quantity": _l("Stock quantity"),
    "purchase_limit": _l("Purchase limit"),
    "sale_ends_at": _l("Sale end date"),
    "max_per_order": _l("Maximum per order"),
    "customer_name": _l("Customer name"),
    "phone_check": _l("Ask for the last 4 digits of the mobile number"),
}


def _change_value(field: str, value) -> str:
    if value is None:
        return "—"
    if field == "price":
        return won(value)
    if field == "display_status" or field == "listed":
        return str(_l("Displayed")) if value in ("displayed", True) else str(_l("Not displayed"))
    if isinstance(value, bool):
        return str(_l("On")) if value else str(_l("Off"))
    if field == "sale_ends_at":
        return kst(datetime.fromisoformat(value))
    return str(value)


def product_event_details(event) -> list[str]:
    """The lines a product history entry shows: for a change, "판매가: 12,000원 → 15,000원"."""
    if event.action != "updated":
        return [event.detail] if event.detail else []
    return [
        f"{FIELD_LABELS[field]}: {_change_value(field, old)} → {_change_value(field, new)}"
        for field, old, new in json.loads(event.detail or "[]")
        if field in FIELD_LABELS
    ]


def category_changes(entry) -> list[str]:
    changes = json.loads(entry.detail or "{}")
    lines = [str(_l("Added: %(names)s", names=", ".join(changes["added"])))] if changes.get("added") else []
    lines += [str(_l("Renamed: %(old)s → %(new)s", old=old, new=new)) for old, new in changes.get("renamed", [])]
    if changes.get("deleted"):
        lines.append(str(_l("Deleted: %(names)s", names=", ".join(changes["deleted"]))))
    if changes.get("reordered"):
        lines.append(str(_l("Order changed")))
    return lines


def product_event_label(action: str) -> str:
    return str(PRODUCT_EVENT_LABELS.get(action, action))


def event_note(note: str) -> str:
    return str(EVENT_NOTES.get(note, note))


# The <input> types input_tag writes itself; other widgets (password, file, select, textarea…) render themselves.
_PLAIN_INPUTS = frozenset({"text", "email", "tel", "search", "url", "hidden", "checkbox", "radio", "number"})


def input_tag(field, attrs: dict) -> Markup:
    """An <input> for a WTForms field, written here instead of by the field's widget: the same markup
    (attributes sorted by name, flags such as required and maxlength from the validators) at a
    fraction of the cost, since the widgets spend most of a form page's time formatting attributes."""
    widget = field.widget
    kind = getattr(widget, "input_type", None)
    if kind not in _PLAIN_INPUTS or (kind == "number" and (widget.step, widget.min, widget.max) != (None,) * 3):
        return field(**attrs)
    attrs = {"id": field.id, "type": kind, **attrs}
    if "value" not in attrs:
        attrs["value"] = field._value()
    if kind in ("checkbox", "radio") and (field.checked if hasattr(field, "checked") else field.data):
        attrs["checked"] = True
    for flag in widget.validation_attrs:
        if flag not in attrs and (value := getattr(field.flags, flag, None)) is not None:
            attrs[flag] = value
    attrs["name"] = field.name
    parts = (f" {name}" if value is True else f' {name}="{escape(value)}"' for name, value in sorted(attrs.items())
             if value is not False)  # fmt: skip
    return Markup(f"<input{''.join(parts)}>")


def field_block(field, hint=None, wide: bool = False, attrs: dict | None = None) -> Markup:
    """A form field with its label, hint and errors (the ``field`` macro of ``_macros.html``)."""
    described = " ".join(([f"{field.id}-error"] if field.errors else []) + ([f"{field.id}-hint"] if hint else []))
    attrs = {**(attrs or {}), "aria-invalid": "true" if field.errors else False, "aria-describedby": described or False}
    classes = "field" + (" has-error" if field.errors else "") + (" field-wide" if wide else "")
    hint_html = f'<p class="hint" id="{escape(field.id)}-hint">{escape(hint)}</p>' if hint else ""
    return Markup(
        f'<div class="{classes}">\n  {field_label(field)}\n  {input_tag(field, attrs)}\n{hint_html}'
        f"  {field_errors(field)}\n</div>"
    )


def field_label(field) -> Markup:
    return Markup(f'<label for="{escape(field.label.field_id)}">{escape(field.label.text)}</label>')


def field_errors(field) -> Markup:
    if not field.errors:
        return Markup("")
    text = Markup(" ").join(escape(error) for error in field.errors)
    return Markup(f'<p class="field-error" id="{escape(field.id)}-error" role="alert">{text}</p>')


def message_status(status) -> str:
    return str(message_templates.STATUS_LABELS[status])


def message_channel(channel: str) -> str:
    return str(message_templates.CHANNEL_LABELS.get(channel, channel))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        message_label=message_templates.label,
        message_status=message_status,
        message_channel=message_channel,
        input_tag=input_tag,
        field_block=field_block,
        field_label=field_label,
        field_errors=field_errors,
        status_label=status_label,
        payment_kind_label=payment_kind_label,
        carrier_name=carrier_name,
        action_label=action_label,
        tracking_url=tracking_url,
        method_label=method_label,
        order_method_label=order_method_label,
        actor_label=actor_label,
        product_event_label=product_event_label,
        product_event_details=product_event_details,
        category_changes=category_changes,
        preview_name=images.preview_name,
        thumb_name=images.thumb_name,
        option_variants=options.for_page,
        single_choice=options.single_choice,
        options_price=options.unit_price,
        option_state=options.state,
        picture_url=picture_url,
    )
    app.add_template_filter(event_note)
    app.add_template_filter(kst)
    app.add_template_filter(phone, "phone")
    app.add_template_filter(masking.name, "mask_name")
    app.add_template_filter(masking.phone, "mask_phone")
    app.add_template_filter(masking.address, "mask_address")
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(absolute_url=absolute_url, static_url=static_url, url_with_query=url_with_query)
    app.context_processor(lambda: {"current_locale": str(get_locale() or "ko"), "shop": shop_settings()})
    app.add_template_filter(won)
    app.add_template_filter(plain_excerpt)
    app.add_template_filter(paragraphs)
