"""Personal payment window links that know their customer.

- 열람 (opened): the product page's own script posts a beacon to the shop. Messenger
  scrapers never run scripts, so their fetches never count; the beacon carries a token
  signed for that product and page, short-lived, so a counter cannot be bumped from
  elsewhere without first loading the page. No address or other trace of the visitor is kept.
- Buyer-bound links: with 휴대폰 번호 뒤 4자리 확인 the link shows only the shop's name and a
  four-digit prompt; five wrong tries lock the link for 15 minutes (kept in the database, so
  every app process sees the lock) and leave an entry in the product's history.
- A link's state on 상품 관리 (판매중 · 열람됨 · 주문됨 · 결제 완료 · 종료), one rule for the
  list's filter and for a single product.
"""

import enum
import hashlib
import hmac
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, session
from flask_babel import lazy_gettext as _l

from . import lifecycle, push
from .extensions import db
from .models import SYSTEM, Order, OrderItem, OrderStatus, Product, ProductEvent, PushEvent, utcnow
from .visibility import is_scraper

# 열람 --------------------------------------------------------------------------------------------

VIEW_TOKEN_SALT = "storefront.product-view"
# The beacon leaves as soon as the page has loaded; a page kept open for longer simply stops counting.
VIEW_TOKEN_MAX_AGE = 30 * 60
PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")


def tracks_views(product: Product) -> bool:
    """Only links sent to one customer (not in the shop's lists) count their openings."""
    return not product.listed


def _view_mac(public_token: str, issued: int) -> str:
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    message = f"{VIEW_TOKEN_SALT}:{public_token}:{issued}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def view_token(public_token: str) -> str:
    """The token the product page hands its beacon: when it was issued, signed with the app's secret
    for this link (a bare HMAC: the product page renders one on every GET, so it must cost next to nothing)."""
    issued = int(time.time())
    return f"{issued}.{_view_mac(public_token, issued)}"


def valid_view_token(token: str, public_token: str) -> bool:
    issued_text, _, mac = token.partition(".")
    if not (issued_text.isascii() and issued_text.isdigit() and len(issued_text) <= 12):
        return False
    issued = int(issued_text)
    if not 0 <= time.time() - issued <= VIEW_TOKEN_MAX_AGE:  # expired, or from the future
        return False
    return hmac.compare_digest(mac, _view_mac(public_token, issued))


def is_automated(headers, user_agent: str | None) -> bool:
    """A request no person asked for: a link-preview scraper or crawler, or a prefetch/prerender."""
    if not user_agent or is_scraper(user_agent):
        return True
    return any(("prefetch" in value or "prerender" in value) for value in _purposes(headers))


def _purposes(headers):
    return (headers.get(name, "").lower() for name in PREFETCH_HEADERS)


def record_view(public_token: str, now: datetime | None = None) -> bool:
    """Count one opening: a single UPDATE, so two phones opening the link at once both count.

    The first opening of a window bound to a customer is news for the merchant (열람, a Web Push).
    """
    now = now or utcnow()
    moment = sa.literal(now, type_=Product.last_viewed_at.type)
    opened = db.session.execute(
        sa.update(Product)
        .where(Product.public_token == public_token, Product.listed.is_(False))
        .values(
            view_count=Product.view_count + 1,
            first_viewed_at=sa.func.coalesce(Product.first_viewed_at, moment),
            last_viewed_at=moment,
            updated_at=Product.updated_at,  # an opening is not an edit
        )
        .returning(Product.id, Product.view_count, Product.customer_name, Product.customer_phone)
        .execution_options(synchronize_session=False)
    ).first()
    if opened is None:
        return False
    if opened.view_count == 1 and (opened.customer_name or opened.customer_phone):
        push.queue(PushEvent.LINK_VIEWED, product_id=opened.id, now=now)
    return True


# Buyer-bound links ---------------------------------------------------------------------------------

GATE_TRIES = 5
GATE_LOCK = timedelta(minutes=15)
UNLOCKED_SESSION_KEY = "unlocked_links"


class GateResult(enum.Enum):
    OPENED = "opened"
    WRONG = "wrong"
    LOCKED = "locked"


def gated(product: Product) -> bool:
    """Whether the link asks for the last four digits of the customer's phone before showing anything."""
    return product.bound_to_buyer


def _unlock_mark(product: Product) -> str:
    """What the session keeps for a link it opened: bound to the link's current token and customer
    number, so re-binding the link to another customer (or 링크 재발급) closes it again. Keyed with
    the app's secret: the signed (not encrypted) cookie must not carry a guessable phone hash."""
    secret = current_app.secret_key
    key = secret if isinstance(secret, bytes) else str(secret).encode()
    bound = f"{product.id}:{product.public_token}:{product.customer_phone}".encode()
    return hmac.new(key, bound, hashlib.sha256).hexdigest()[:24]


def is_unlocked(product: Product) -> bool:
    """The product may be shown to this visitor (no gate, or the right digits were entered in this
    session for the customer the link is bound to now)."""
    return not gated(product) or _unlock_mark(product) in session.get(UNLOCKED_SESSION_KEY, [])


def locked_until(product: Product, now: datetime | None = None) -> datetime | None:
    until = product.gate_locked_until
    return until if until is not None and until > (now or utcnow()) else None


def try_digits(product: Product, digits: str, now: datetime | None = None) -> GateResult:
    """Check the four digits the visitor typed; remembers a success in the session.

    A wrong try is counted by one guarded UPDATE that also sets the lock on the fifth,
    so concurrent tries from several processes can neither skip the lock nor double it.
    """
    now = now or utcnow()
    if locked_until(product, now):
        return GateResult.LOCKED
    if hmac.compare_digest(digits.encode(), product.customer_phone[-4:].encode()):
        if product.gate_failures:
            db.session.execute(
                sa.update(Product)
                .where(Product.id == product.id)
                .values(gate_failures=0, updated_at=Product.updated_at)
                .execution_options(synchronize_session=False)
            )
        mark = _unlock_mark(product)
        unlocked = [m for m in session.get(UNLOCKED_SESSION_KEY, []) if m != mark]
        session[UNLOCKED_SESSION_KEY] = (unlocked + [mark])[-20:]
        return GateResult.OPENED
    until = sa.literal(now + GATE_LOCK, type_=Product.gate_locked_until.type)
    reaches_limit = Product.gate_failures + 1 >= GATE_TRIES
    row = db.session.execute(
        sa.update(Product)
        .where(
            Product.id == product.id,
            sa.or_(Product.gate_locked_until.is_(None), Product.gate_locked_until <= now),
        )
        .values(
            gate_failures=sa.case((reaches_limit, 0), else_=Product.gate_failures + 1),
            gate_locked_until=sa.case((reaches_limit, until), else_=Product.gate_locked_until),
            updated_at=Product.updated_at,
        )
        .returning(Product.gate_locked_until)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.expire(product, ["gate_failures", "gate_locked_until"])
    if row is None:
        return GateResult.LOCKED  # another request locked it a moment ago
    if row.gate_locked_until is not None and row.gate_locked_until > now:
        db.session.add(ProductEvent(product_id=product.id, actor=SYSTEM, action="link_locked", created_at=now))
        db.session.flush()
        return GateResult.LOCKED
    return GateResult.WRONG


# Link states ---------------------------------------------------------------------------------------


class LinkStatus(enum.StrEnum):
    ON_SALE = "on_sale"  # 판매중
    VIEWED = "viewed"  # 열람됨
    ORDERED = "ordered"  # 주문됨
    PAID = "paid"  # 결제 완료
    ENDED = "ended"  # 종료

    @property
    def label(self) -> str:
        return str(LINK_STATUS_LABELS[self])


LINK_STATUS_LABELS = {
    LinkStatus.ON_SALE: _l("On sale"),
    LinkStatus.VIEWED: _l("Seen"),
    LinkStatus.ORDERED: _l("Ordered"),
    LinkStatus.PAID: _l("Paid"),
    LinkStatus.ENDED: _l("Ended"),
}


def order_status_groups() -> tuple[tuple[OrderStatus, ...], tuple[OrderStatus, ...]]:
    """The order statuses that make a link 주문됨, and those that make it 결제 완료 (the lifecycle's groups)."""
    waiting = (*lifecycle.PAYABLE, OrderStatus.CONFIRMING)
    return waiting, tuple(lifecycle.PAID_STATUSES)


def link_status_clause(now: datetime | None = None):
    """SQL for a product's link state: a paid order wins, then an open order, then the sale's end, then 열람."""
    now = now or utcnow()
    waiting, paid = order_status_groups()

    def has_order(statuses):
        return (
            sa.select(OrderItem.id)
            .join(Order, Order.id == OrderItem.order_id)
            .where(OrderItem.product_id == Product.id, Order.status.in_(statuses))
            .exists()
        )

    ended = sa.not_(Product.sellable(now))
    return sa.case(
        (has_order(paid), LinkStatus.PAID.value),
        (has_order(waiting), LinkStatus.ORDERED.value),
        (ended, LinkStatus.ENDED.value),
        (Product.view_count > 0, LinkStatus.VIEWED.value),
        else_=LinkStatus.ON_SALE.value,
    )


def link_status(product: Product) -> LinkStatus:
    """The state of one product's link (loaded with the list when it came from 상품 관리)."""
    value = product.link_status
    if value is None:
        value = db.session.scalar(sa.select(link_status_clause()).where(Product.id == product.id))
    return LinkStatus(value)
