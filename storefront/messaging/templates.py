"""What each message to a buyer says, and for which event it goes.

One text per message (``templates/messages/<name>.txt``), written with 알림톡's variables
(``#{주문번호}``): it is the template the merchant registers with Kakao (shown on 알림 설정), and,
filled in with the order's values, the SMS/LMS text sent when 알림톡 is not set up or fails. The
values are read when the message is sent (:func:`variables`), so a retry says what is true then.

Only what the buyer needs: the order number, what was bought and paid, where to pay, the parcel;
never the shipping address or anyone's phone number.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l

from .. import masking
from ..clock import KST
from ..models import BuyerMessage, MessageStatus, MessageTemplate, Order, OrderStatus, PaymentMethod
from ..text import format_phone
from ..urls import absolute_url

T = MessageTemplate
VARIABLE_RE = re.compile(r"#\{([^{}]+)\}")


@dataclass(frozen=True)
class Template:
    label: object
    event: str  # what the message is about: one message per order and event (order_placed has three texts)
    default_on: bool = True
    alimtalk: bool = True  # 문자로 보내기 goes as SMS/LMS only


CATALOGUE: dict[MessageTemplate, Template] = {
    T.ORDER_PLACED_TRANSFER: Template(_l("Order placed (bank transfer)"), "order_placed"),
    T.ORDER_PLACED_PAID: Template(_l("Order placed (paid)"), "order_placed"),
    T.ORDER_PLACED_VIRTUAL_ACCOUNT: Template(_l("Order placed (virtual account)"), "order_placed"),
    T.PAYMENT_CONFIRMED: Template(_l("Payment confirmed"), "payment_confirmed"),
    T.SHIPPED: Template(_l("Shipping started"), "shipped"),
    T.DELIVERED: Template(_l("Delivered"), "delivered"),
    T.CANCELLED: Template(_l("Order cancelled"), "cancelled"),
    T.REFUNDED: Template(_l("Refunded"), "refunded"),
    T.EXTRA_PAYMENT: Template(_l("Extra payment request"), "extra_payment"),
    T.DEPOSIT_REMINDER: Template(_l("Deposit deadline reminder"), "deposit_reminder", default_on=False),
    T.LINK: Template(_l("Payment link by text message"), "link", alimtalk=False),
}
# The messages 알림 설정 lists (문자로 보내기 is sent by hand, with the merchant's words).
ORDER_TEMPLATES = [template for template, about in CATALOGUE.items() if about.alimtalk]

STATUS_LABELS = {
    MessageStatus.HELD: _l("Goes out once paid"),
    MessageStatus.PENDING: _l("Waiting to be sent"),
    MessageStatus.SENT: _l("Sent"),
    MessageStatus.DELIVERED: _l("Received"),
    MessageStatus.FAILED: _l("Failed"),
}
CHANNEL_LABELS = {"ATA": _l("KakaoTalk notification"), "SMS": "SMS", "LMS": "LMS"}

CANCEL_REASONS = {
    "deadline_passed": "입금 기한이 지나 자동으로 취소되었습니다",
    "merchant_cancelled": "판매자가 주문을 취소했습니다",
}


def label(template: MessageTemplate) -> str:
    return str(CATALOGUE[template].label)


def body(template: MessageTemplate) -> str:
    """The 알림톡 template text, with its #{variables}: what the merchant registers."""
    return render_template(f"messages/{template.value}.txt").strip()


def names(template: MessageTemplate) -> list[str]:
    """The template's variables, in order of appearance ("#{주문번호}", …)."""
    return list(dict.fromkeys(f"#{{{name}}}" for name in VARIABLE_RE.findall(body(template))))


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each #{variable} replaced by its value."""
    return VARIABLE_RE.sub(lambda match: values.get(match.group(0), match.group(0)), text)


# Messages are Korean whatever language the request that caused them used (formatting.won and kst follow it).
def won(amount: int) -> str:
    return f"{amount:,}원"


def kst(moment) -> str:
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M") if moment else ""


def _product_name(order: Order) -> str:
    names = [item.product_name for item in order.items]
    first = names[0] if names else order.order_no
    first = first if len(first) <= 40 else first[:39] + "…"
    return f"{first} 외 {len(names) - 1}건" if len(names) > 1 else first


def _order_link(message: BuyerMessage) -> str:
    """The buyer's own order page while the token is at hand (주문 접수), else 비회원 주문조회."""
    order = message.order
    if message.order_token:
        return absolute_url("shop.order", order_no=order.order_no, t=message.order_token)
    return absolute_url("shop.guest_lookup", order_no=order.order_no)


def _refund_method(message: BuyerMessage) -> str:
    row = message.payment_record
    if row is not None and row.refund_account:
        return f"{row.refund_bank} {masking.account(row.refund_account)} 계좌로 송금"
    if message.order.payment_method is PaymentMethod.CARD:
        return "결제하신 수단으로 취소"
    return "판매자가 안내드린 방법"


def variables(message: BuyerMessage) -> dict[str, str] | None:
    """The values of ``message``'s variables now; None when it no longer applies (a reminder for an
    order that was paid or cancelled since)."""
    from ..lifecycle import CARRIERS  # lifecycle → outbox → this module
    from ..settings import shop_settings

    template = message.template
    if template is T.LINK:
        return {}
    shop = shop_settings()
    values = {"#{상점명}": shop.name, "#{상점연락처}": format_phone(shop.phone) or shop.email or shop.name}
    order = message.order
    if order is not None:
        values |= {
            "#{주문번호}": order.order_no,
            "#{상품명}": _product_name(order),
            "#{결제금액}": won(order.total_amount),
            "#{주문링크}": _order_link(message),
        }
    if template in (T.ORDER_PLACED_TRANSFER, T.ORDER_PLACED_VIRTUAL_ACCOUNT, T.DEPOSIT_REMINDER):
        if template is T.DEPOSIT_REMINDER and order.status is not OrderStatus.AWAITING_DEPOSIT:
            return None
        values |= {"#{입금계좌}": order.bank_snapshot, "#{입금기한}": kst(order.expires_at)}
    elif template is T.ORDER_PLACED_PAID:
        values["#{결제수단}"] = order.provider_method or "카드"
    elif template is T.SHIPPED:
        carrier = CARRIERS.get(order.carrier)
        values |= {
            "#{택배사}": carrier.name if carrier else order.carrier,
            "#{송장번호}": order.tracking_no,
            "#{배송조회}": carrier.url(order.tracking_no) if carrier else "",
        }
    elif template is T.CANCELLED:
        values["#{취소사유}"] = CANCEL_REASONS.get(message.reason, CANCEL_REASONS["merchant_cancelled"])
    elif template is T.REFUNDED:
        amount = -message.payment_record.amount if message.payment_record else 0
        values |= {"#{환불금액}": won(amount), "#{환불방법}": _refund_method(message)}
    elif template is T.EXTRA_PAYMENT:
        window = message.product
        values |= {
            "#{사유}": message.reason,
            "#{결제금액}": won(window.price) if window else "",
            "#{결제링크}": absolute_url("shop.product", token=window.public_token) if window else "",
        }
    return {name: values.get(name, "") for name in names(template)}


def sample_variables(template: MessageTemplate, now) -> dict[str, str]:
    """Made-up values for 테스트 발송, with the shop's own name, contact and account."""
    from ..lifecycle import CARRIERS
    from ..settings import shop_settings

    shop = shop_settings()
    values = {
        "#{상점명}": shop.name,
        "#{상점연락처}": format_phone(shop.phone) or shop.email or shop.name,
        "#{주문번호}": "000000-TESTTEST",
        "#{상품명}": "테스트 상품",
        "#{결제금액}": won(12000),
        "#{입금계좌}": shop.bank_line() or "국민은행 123456-01-234567 (예금주)",
        "#{입금기한}": kst(now + timedelta(days=shop.payment_due_days)),
        "#{결제수단}": "카드",
        "#{주문링크}": absolute_url("shop.guest_lookup"),
        "#{택배사}": CARRIERS["cj"].name,
        "#{송장번호}": "601234567890",
        "#{배송조회}": CARRIERS["cj"].url("601234567890"),
        "#{취소사유}": CANCEL_REASONS["merchant_cancelled"],
        "#{환불금액}": won(12000),
        "#{환불방법}": "결제하신 수단으로 취소",
        "#{사유}": "제주 추가 배송비",
        "#{결제링크}": absolute_url("shop.home"),
    }
    return {name: values.get(name, "") for name in names(template)}


def text(message: BuyerMessage, values: dict[str, str]) -> str:
    """The SMS/LMS text: the merchant's words for 문자로 보내기, else the template filled in."""
    if message.template is T.LINK:
        return message.text
    return fill(body(message.template), values)
