"""Orders: placing one through a product link, and every later change of its status.

Status changes are guarded UPDATEs (``WHERE status IN (...)`` + row count), so a
replayed form, a second click or two admins at once can never move an order
backwards or apply a change twice; each change is recorded as an OrderEvent.
"""

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app

from . import lifecycle, options, policies, push, shipping, stock
from .clock import KST
from .extensions import db
from .lifecycle import BUYER
from .messaging import outbox
from .models import (
    SYSTEM,
    CashReceiptType,
    Notification,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    PaymentMethod,
    Product,
    ProductEvent,
    ProductVariant,
    PushEvent,
    utcnow,
)
from .settings import shop_settings
from .text import like_pattern

ORDER_NO_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


class Refusal(enum.Enum):
    SOLD_OUT = "sold_out"
    ENDED = "ended"
    TOO_MANY = "too_many"
    TOTAL_CHANGED = "total_changed"  # the 합계 (배송비 included) is not the one the buyer saw


class OrderRefused(Exception):
    def __init__(self, reason: Refusal, line: "Line | None" = None):
        super().__init__(reason.value)
        self.reason = reason
        self.line = line  # the line refused, when one was


# 배송지: asked, and kept on the order, only when the product ships.
SHIPPING_FIELDS = ("recipient_name", "recipient_phone", "postcode", "address", "address_detail", "delivery_note")


@dataclass
class CheckoutData:
    quantity: int
    buyer_name: str
    buyer_phone: str
    payment_method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    buyer_email: str = ""
    depositor_name: str = ""
    recipient_name: str = ""
    recipient_phone: str = ""
    postcode: str = ""
    address: str = ""
    address_detail: str = ""
    delivery_note: str = ""
    cash_receipt_type: CashReceiptType = CashReceiptType.NONE
    cash_receipt_number: str = ""
    expected_total: int | None = None  # the 합계 the buyer saw


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    access_token: str | None  # None when this was a repeat of an order placed before
    repeated: bool = False


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def valid_nonce(value: str | None) -> str:
    """The form's nonce if it is one we could have made; a tampered one protects nothing, so it gets a new one."""
    return value if value and re.fullmatch(r"[A-Za-z0-9_-]{32}", value) else new_nonce()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def max_quantity(product: Product, variant: ProductVariant | None = None) -> int:
    """How many units one order may take: stock (the chosen 옵션's), the per-order maximum, a sane ceiling."""
    limits = [99]
    if product.max_per_order:
        limits.append(product.max_per_order)
    if product.stock_managed:
        limits.append(variant.stock_quantity if variant is not None else product.stock_quantity)
    return max(min(limits), 0)


@dataclass(frozen=True)
class Line:
    """One thing an order buys: a product, the 옵션 combination when it has options, how many."""

    product: Product
    quantity: int
    variant: ProductVariant | None = None

    @property
    def unit_price(self) -> int:
        return options.unit_price(self.product, self.variant)

    def sold_out(self) -> bool:
        return self.product.sold_out or (self.variant is not None and not self.variant.available())


def place_order(
    product: Product,
    data: CheckoutData,
    nonce: str,
    now: datetime | None = None,
    variant: ProductVariant | None = None,
) -> PlacedOrder:
    """One product (one 옵션 combination of it) in ``data.quantity``: see :func:`place_lines`."""
    return place_lines([Line(product, data.quantity, variant)], data, nonce, now)


def place_lines(lines: list[Line], data: CheckoutData, nonce: str, now: datetime | None = None) -> PlacedOrder:
    """Reserve the stock of every line and record one order, in the caller's transaction: all or nothing.

    Raises :class:`OrderRefused` (naming the line) when a line cannot be sold now; the caller rolls back,
    which gives back what earlier lines took. A nonce that already made an order returns that order
    (``repeated=True``).
    """
    now = now or utcnow()
    earlier = find_by_nonce(nonce)
    if earlier is not None:
        return PlacedOrder(earlier, None, repeated=True)
    by_product: dict[int, list[Line]] = {}
    for line in lines:
        if line.product.has_options != (line.variant is not None):  # options turned on or off since
            raise OrderRefused(Refusal.ENDED, line)
        if not 0 < line.quantity <= max_quantity(line.product, line.variant):
            raise OrderRefused(Refusal.SOLD_OUT if line.sold_out() else Refusal.TOO_MANY, line)
        by_product.setdefault(line.product.id, []).append(line)
    for same in by_product.values():  # 주문당 최대 수량 counts every combination of the product
        if sum(line.quantity for line in same) > max_quantity(same[0].product):
            raise OrderRefused(Refusal.TOO_MANY, same[-1])
    fee = shipping.order_fee(
        [shipping.Line(line.product, line.quantity, line.unit_price) for line in lines], data.postcode
    )
    if data.expected_total != fee.total:
        raise OrderRefused(Refusal.TOTAL_CHANGED)  # the page shows the new 합계 (shop.routes._checkout_page)

    # Each product once (its combinations with it), in one order of rows for every buyer: two orders never
    # wait on each other's locks, and 구매 가능 횟수 counts the order once.
    reservations = {}
    for product_id in sorted(by_product):
        same = by_product[product_id]
        variants = {line.variant.id: line.quantity for line in same if line.variant is not None}
        reservation = stock.reserve(product_id, sum(line.quantity for line in same), now, variants or None)
        if reservation is None:
            # A double click waits here for the first request; if that one won, show its order.
            earlier = find_by_nonce(nonce)
            if earlier is not None:
                return PlacedOrder(earlier, None, repeated=True)
            for line in same:
                db.session.expire(line.product)
                if line.variant is not None:
                    db.session.expire(line.variant)
            refused = next((line for line in same if line.sold_out()), same[0])
            raise OrderRefused(Refusal.SOLD_OUT if refused.sold_out() else Refusal.ENDED, refused)
        reservations[product_id] = reservation

    settings = shop_settings()
    token = secrets.token_urlsafe(24)
    by_card = data.payment_method is PaymentMethod.CARD
    if by_card:
        deadline = now + timedelta(minutes=current_app.config["CARD_PAYMENT_MINUTES"])
    else:
        deadline = now + timedelta(days=settings.payment_due_days)
    ships = any(line.product.requires_shipping for line in lines)
    order = Order(
        order_no=_new_order_no(now),
        access_token_hash=hash_token(token),
        nonce=nonce,
        status=OrderStatus.AWAITING_PAYMENT if by_card else OrderStatus.AWAITING_DEPOSIT,
        payment_method=data.payment_method,
        total_amount=fee.total,
        shipping_fee=fee.base,
        extra_shipping_fee=fee.extra,
        extra_shipping_region=fee.region,
        buyer_name=data.buyer_name,
        buyer_phone=data.buyer_phone,
        buyer_email=data.buyer_email,
        depositor_name=data.depositor_name or data.buyer_name,
        requires_shipping=ships,
        created_at=now,
        expires_at=deadline,
        bank_snapshot="" if by_card else settings.bank_line(),
        # an 추가 결제 pays what that order asked for (a window: always bought alone)
        parent_order_id=lines[0].product.extra_for_order_id if len(lines) == 1 else None,
    )
    if ships:
        for name in SHIPPING_FIELDS:
            setattr(order, name, getattr(data, name))
    order.items = [
        OrderItem(
            product_id=line.product.id,
            product_name=line.product.name,
            variant_id=line.variant.id if line.variant is not None else None,
            option_text=line.variant.label if line.variant is not None else "",
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.unit_price * line.quantity,
            stock_taken=reservations[line.product.id].stock_taken,
        )
        for line in lines
    ]
    if not by_card:
        order.cash_receipt_type = data.cash_receipt_type
        order.cash_receipt_number = data.cash_receipt_number
    policies.record_consent(order, now)
    order.events = [OrderEvent(actor=BUYER, from_status=None, to_status=order.status.value, created_at=now)]
    db.session.add(order)
    for product_id, reservation in reservations.items():
        if reservation.closed_link:
            product = by_product[product_id][0].product
            db.session.add(
                ProductEvent(
                    product_id=product_id,
                    actor=SYSTEM,
                    action="auto_closed",
                    detail=f"purchase limit {product.purchase_limit} reached by order {order.order_no}",
                    created_at=now,
                )
            )
    db.session.add(Notification(kind="order_placed", order=order, created_at=now))
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # The same form sent twice at the same moment: the other request's order won the nonce.
        # Nothing of this attempt may stay, its stock reservation included.
        db.session.rollback()
        earlier = find_by_nonce(nonce)
        if earlier is None:
            raise
        return PlacedOrder(earlier, None, repeated=True)
    # A transfer order is news of a deposit to check; a device that does not take that hears of a new order.
    events = (PushEvent.ORDER_PLACED,) if by_card else (PushEvent.DEPOSIT_NEEDED, PushEvent.ORDER_PLACED)
    push.queue(*events, order_id=order.id, now=now)
    outbox.order_placed(order, token, now)  # the buyer's 주문 접수 (알림톡/SMS), when the shop sends them
    for line in lines:
        db.session.expire(line.product)
    return PlacedOrder(order, token)


def find_by_order_no(order_no: str) -> Order | None:
    return db.session.scalar(
        sa.select(Order).where(Order.order_no == order_no[:20]).options(sa.orm.selectinload(Order.items))
    )


def find_by_nonce(nonce: str) -> Order | None:
    return db.session.scalar(sa.select(Order).where(Order.nonce == nonce))


def order_for_buyer(order_no: str, token: str | None) -> Order | None:
    """The order, only for the holder of its access token (same answer whether or not it exists)."""
    order = find_by_order_no(order_no)
    expected = order.access_token_hash if order else hash_token(secrets.token_urlsafe(24))
    if not token or not hmac.compare_digest(expected, hash_token(token)) or order is None:
        return None
    return order


def _new_order_no(now: datetime) -> str:
    suffix = "".join(secrets.choice(ORDER_NO_ALPHABET) for _ in range(8))
    return f"{now.astimezone(KST):%y%m%d}-{suffix}"


# 주문 관리's filter for 배송할 주문: paid, with the goods still to send (several statuses).
TO_SHIP = "to_ship"


def admin_order_select(*, q: str = "", status: str = "") -> sa.Select:
    """주문 관리: newest first, with items loaded up front."""
    stmt = sa.select(Order).options(sa.orm.selectinload(Order.items)).order_by(Order.id.desc())
    if status == TO_SHIP:
        stmt = stmt.where(lifecycle.to_ship_clause())
    elif status in {s.value for s in OrderStatus}:
        stmt = stmt.where(Order.status == OrderStatus(status))
    if q:
        pattern = like_pattern(q)
        conditions = [Order.order_no.ilike(pattern, escape="\\"), Order.buyer_name.ilike(pattern, escape="\\")]
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 4:
            conditions.append(Order.buyer_phone.contains(digits))
        stmt = stmt.where(sa.or_(*conditions))
    return stmt


def status_counts() -> dict[str, int]:
    """주문 관리's chips: how many orders each status filter finds, 배송할 주문 among them (one query)."""
    to_ship = sa.func.sum(sa.case((lifecycle.to_ship_clause(), 1), else_=0))
    rows = db.session.execute(sa.select(Order.status, sa.func.count(), to_ship).group_by(Order.status)).all()
    counts = {status.value: n for status, n, _ in rows}
    return {"": sum(counts.values()), TO_SHIP: sum(int(n or 0) for _, _, n in rows), **counts}


def last_carrier() -> str:
    """The 택배사 of the latest 배송 시작: what the next shipment most likely uses."""
    return (
        db.session.scalar(
            sa.select(Order.carrier)
            .where(Order.shipped_at.is_not(None), Order.carrier != "")
            .order_by(Order.shipped_at.desc())
            .limit(1)
        )
        or ""
    )
