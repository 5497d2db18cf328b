"""The order lifecycle: which steps may move an order from one status to another, and what each does.

Statuses are :class:`~storefront.models.OrderStatus` (their labels sit beside the enum). Every step
is one row of :data:`STEPS`: the statuses it starts from, where it leads, who may take it (merchant
buttons or the shop itself) and for which orders (payment method, shipping, balance). Every caller
— admin views, payment providers, webhooks, the cron job, the buyer's page — moves orders only
through the functions below; the admin's order page asks :func:`allowed_actions` which buttons to
show.

Each function is one step: it checks the table, moves the status with a guarded UPDATE
(``WHERE status IN (…)`` + row count, so a replayed form, a second click or two admins at once
apply a step once), records an :class:`~storefront.models.OrderEvent`, and applies the effects:

- stock: a line gives its reservation back (:func:`storefront.stock.release`) when the order is
  cancelled, or fully refunded before shipping or after the goods came back — and only what that
  line took (``OrderItem.reserved`` / ``stock_taken``); a late deposit takes it again.
- money: the payment ledger (:mod:`storefront.ledger`) gets the row of each payment or refund, in the
  same transaction as the status it causes; refund statuses (환불 완료 / 부분 환불) follow the ledger's
  balance (:func:`record_refund`, :func:`sync_provider_refunds`).
- notifications: rows queued here; :mod:`storefront.notifications` sends them after the commit, and
  :mod:`storefront.push` the Web Push of a payment the gateway reports (결제 완료, 가상계좌 입금); the
  buyer's message of each step (알림톡/SMS) is :func:`storefront.messaging.outbox.after_step`'s rule.

Functions flush, never commit: the view (or command) commits once. A provider that talks to a
gateway commits before the call (see ``payments.toss``) and then calls the step for its answer.

For a provider (e.g. virtual accounts): the order is created by ``orders.place_order``; call
:func:`claim_card_payment` / :func:`release_card_claim` around a confirm call, :func:`mark_paid`
when the provider says the money arrived (it writes the ledger row of the money in),
:func:`await_provider_deposit` when it issued a virtual account instead (입금 대기 until the deposit),
:func:`record_refund` when you give money back and :func:`sync_provider_refunds` when the provider
reports refunds in all (its console included); record every other exchange with
:func:`storefront.ledger.record` (amount 0). A new payment method adds itself to the ``methods`` of
the steps it may take (``CLAIM_CARD``, ``RELEASE_CARD``, ``CARD_PAID``, ``CARD_WAITING``); a new status is a member
of ``OrderStatus`` with its label, rows of :data:`STEPS`, and a migration for its CHECK constraint.
"""

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import lazy_gettext as _l
from requests.utils import quote

from . import ledger, push, stock
from .extensions import db
from .messaging import outbox
from .models import (
    SYSTEM,
    Notification,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    PaymentRecord,
    PushEvent,
    utcnow,
)

S = OrderStatus
BUYER = "buyer"


@dataclass(frozen=True)
class Carrier:
    name: str
    tracking_url: str  # with {no} for the 송장번호
    # How many digits its 송장번호 have (as seen in public tracking code; not confirmed by the carriers).
    lengths: tuple[int, ...]

    def url(self, tracking_no: str) -> str:
        return self.tracking_url.format(no=quote(tracking_no, safe=""))

    def accepts(self, tracking_no: str) -> bool:
        return bool(DIGITS_RE.fullmatch(tracking_no)) and len(tracking_no) in self.lengths


DIGITS_RE = re.compile(r"[0-9]+")


# 택배사: the major Korean carriers and their public tracking pages.
CARRIERS: dict[str, Carrier] = {
    "cj": Carrier("CJ대한통운", "https://trace.cjlogistics.com/next/tracking.html?wblNo={no}", (10, 12)),
    "epost": Carrier("우체국택배", "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={no}", (13,)),
    "hanjin": Carrier(
        "한진택배",
        "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2={no}",
        (10, 12),
    ),
    "lotte": Carrier(
        "롯데택배", "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={no}", (10, 12, 13)
    ),
    "logen": Carrier("로젠택배", "https://www.ilogen.com/web/personal/trace/{no}", (11,)),
}


def tracking_number(typed: str) -> str:
    """송장번호 as typed, printed or scanned ("6012-3456-7890"), as the carrier's digits."""
    return "".join(ch for ch in typed or "" if ch not in " -\t")


def tracking_problem(carrier: str, tracking_no: str) -> str | None:
    """Why this 송장번호 cannot be the carrier's (a message for the merchant), or None."""
    if carrier not in CARRIERS:
        return str(_l("Choose the carrier."))
    if CARRIERS[carrier].accepts(tracking_no):
        return None
    return str(
        _l(
            "A %(carrier)s tracking number is %(lengths)s digits.",
            carrier=CARRIERS[carrier].name,
            lengths="·".join(map(str, CARRIERS[carrier].lengths)),
        )
    )


class Action(enum.StrEnum):
    # The merchant's buttons on the order page.
    CONFIRM_DEPOSIT = "confirm_deposit"  # 입금 확인 (also after the deadline cancelled the order)
    EXTEND_DEADLINE = "extend_deadline"  # 입금 기한 연장
    CANCEL = "cancel"  # 주문 취소
    PREPARE = "prepare"  # 배송 준비중 처리
    SHIP = "ship"  # 배송 시작 (택배사 + 송장번호)
    DELIVER = "deliver"  # 배송 완료 처리
    CONFIRM_PURCHASE = "confirm_purchase"  # 구매 확정
    REFUND = "refund"  # 환불하기 (full or partial)
    # Steps the shop takes by itself.
    EXPIRE = "expire"  # the payment deadline passed
    CLAIM_CARD = "claim_card"  # the confirm call to the gateway is about to start
    RELEASE_CARD = "release_card"  # the gateway refused that attempt: the buyer may pay again
    CARD_PAID = "card_paid"  # the gateway says the payment is done
    CARD_WAITING = "card_waiting"  # the gateway issued a virtual account (가상계좌): 입금 대기 until the deposit
    DEPOSIT_REVERSED = "deposit_reversed"  # the gateway took a 가상계좌 deposit back (DONE → WAITING_FOR_DEPOSIT)


# 주문 관리's card: the one step that moves an order on, offered as its button (the first allowed).
NEXT_STEPS = (Action.CONFIRM_DEPOSIT, Action.SHIP, Action.DELIVER)

REFUNDABLE = frozenset(
    {S.PAID, S.PREPARING, S.SHIPPED, S.DELIVERED, S.PURCHASE_CONFIRMED, S.PARTIALLY_REFUNDED, S.CANCELLED}
)
# Paid and not (wholly) given back: what counts as a sale on 관리자 홈 and in a link's state.
PAID_STATUSES = frozenset({S.PAID, S.PREPARING, S.SHIPPED, S.DELIVERED, S.PURCHASE_CONFIRMED, S.PARTIALLY_REFUNDED})
# Paid, with the goods still to send (배송할 주문).
TO_SHIP = frozenset({S.PAID, S.PREPARING})


@dataclass(frozen=True)
class Step:
    sources: frozenset[OrderStatus]
    target: OrderStatus | None  # None: the step decides (a refund ends 환불 완료 or 부분 환불)
    label: object = None  # the button, for the merchant's steps
    methods: frozenset[PaymentMethod] = frozenset(PaymentMethod)
    shipping: bool | None = None  # only for orders that ship (True) / that do not (False)
    # A further condition on the order and its ledger totals (computed only when asked).
    when: Callable[[Order, Callable[[], ledger.Totals]], bool] | None = field(default=None, compare=False)

    @property
    def merchant(self) -> bool:
        return self.label is not None


STEPS: dict[Action, Step] = {
    Action.CONFIRM_DEPOSIT: Step(
        frozenset({S.AWAITING_DEPOSIT, S.CANCELLED}),
        S.PAID,
        _l("Confirm deposit"),
        methods=frozenset({PaymentMethod.BANK_TRANSFER}),
        # A cancelled order takes a deposit once; after that its money is on the ledger (refund it).
        when=lambda order, totals: order.status is S.AWAITING_DEPOSIT or totals().paid == 0,
    ),
    Action.EXTEND_DEADLINE: Step(
        frozenset({S.AWAITING_DEPOSIT}),
        S.AWAITING_DEPOSIT,
        _l("Extend deadline"),
        methods=frozenset({PaymentMethod.BANK_TRANSFER}),
    ),
    Action.CANCEL: Step(frozenset({S.AWAITING_DEPOSIT, S.AWAITING_PAYMENT}), S.CANCELLED, _l("Cancel order")),
    Action.PREPARE: Step(frozenset({S.PAID}), S.PREPARING, _l("Mark preparing"), shipping=True),
    # A partial refund (a discount, the shipping fee) does not stop the goods: 부분 환불 still ships.
    Action.SHIP: Step(
        frozenset({S.PAID, S.PREPARING, S.PARTIALLY_REFUNDED}),
        S.SHIPPED,
        _l("Start shipping"),
        shipping=True,
        when=lambda order, totals: order.shipped_at is None,
    ),
    Action.DELIVER: Step(
        frozenset({S.SHIPPED, S.PARTIALLY_REFUNDED}),
        S.DELIVERED,
        _l("Mark delivered"),
        shipping=True,
        when=lambda order, totals: order.shipped_at is not None and order.delivered_at is None,
    ),
    Action.CONFIRM_PURCHASE: Step(
        frozenset({S.PAID, S.DELIVERED}),
        S.PURCHASE_CONFIRMED,
        _l("Confirm purchase"),
        # Orders that ship are confirmed once delivered; the others once paid.
        when=lambda order, totals: order.status is S.DELIVERED or not order.requires_shipping,
    ),
    Action.REFUND: Step(REFUNDABLE, None, _l("Refund"), when=lambda order, totals: totals().balance > 0),
    Action.EXPIRE: Step(frozenset({S.AWAITING_DEPOSIT, S.AWAITING_PAYMENT}), S.CANCELLED),
    Action.CLAIM_CARD: Step(frozenset({S.AWAITING_PAYMENT}), S.CONFIRMING, methods=frozenset({PaymentMethod.CARD})),
    Action.RELEASE_CARD: Step(frozenset({S.CONFIRMING}), S.AWAITING_PAYMENT, methods=frozenset({PaymentMethod.CARD})),
    Action.CARD_PAID: Step(
        frozenset({S.AWAITING_PAYMENT, S.CONFIRMING, S.AWAITING_DEPOSIT}),
        S.PAID,
        methods=frozenset({PaymentMethod.CARD}),
    ),
    Action.CARD_WAITING: Step(
        frozenset({S.AWAITING_PAYMENT, S.CONFIRMING}), S.AWAITING_DEPOSIT, methods=frozenset({PaymentMethod.CARD})
    ),
    # Before 배송 시작 only: goods already sent cannot be un-sent (the merchant is told instead).
    Action.DEPOSIT_REVERSED: Step(
        frozenset({S.PAID, S.PREPARING}), S.AWAITING_DEPOSIT, methods=frozenset({PaymentMethod.CARD})
    ),
}
# Statuses in which the buyer may still pay.
PAYABLE = STEPS[Action.EXPIRE].sources
CANNOT_REFUND = _l("This order cannot be refunded.")
STALE_REFUND_FORM = _l(
    "Another refund was recorded for this order after this form was opened, so this one was not. "
    "Check the refunds below and refund again if the buyer is still owed money."
)


def allows(order: Order, action: Action, totals: Callable[[], ledger.Totals] | None = None) -> bool:
    """Whether ``action`` may be taken on ``order`` as it is now."""
    step = STEPS[action]
    if order.status not in step.sources or order.payment_method not in step.methods:
        return False
    if step.shipping is not None and order.requires_shipping is not step.shipping:
        return False
    return step.when is None or step.when(order, totals or (lambda: ledger.totals(order)))


def to_ship_clause() -> sa.ColumnElement[bool]:
    """배송할 주문, in SQL: orders 배송 시작 may take now (paid, something to send, not sent yet)."""
    return sa.and_(
        Order.status.in_(STEPS[Action.SHIP].sources), Order.requires_shipping.is_(True), Order.shipped_at.is_(None)
    )


def next_action(order: Order) -> Action | None:
    """The step 주문 관리 offers on the order's card (a late deposit on a cancelled order is the order page's)."""
    if order.status is S.CANCELLED:
        return None
    return next((action for action in NEXT_STEPS if allows(order, action)), None)


def allowed_actions(order: Order) -> list[Action]:
    """The merchant's buttons for this order now, in the table's order."""
    cached: list[ledger.Totals] = []

    def totals() -> ledger.Totals:
        if not cached:
            cached.append(ledger.totals(order))
        return cached[0]

    return [action for action, step in STEPS.items() if step.merchant and allows(order, action, totals)]


def _move(
    order: Order,
    action: Action,
    actor: str,
    note: str = "",
    now: datetime | None = None,
    values: dict | None = None,
    to: OrderStatus | None = None,
) -> bool:
    """Take one step with a guarded UPDATE; False when the order is not (or no longer) where it starts."""
    step = STEPS[action]
    if order.payment_method not in step.methods:
        return False
    now = now or utcnow()
    to = to or step.target
    values = {**(values or {}), "status": to}
    stamp = {S.PAID: "paid_at", S.CANCELLED: "cancelled_at", S.SHIPPED: "shipped_at", S.DELIVERED: "delivered_at"}
    if to in stamp and to is not order.status:
        values.setdefault(stamp[to], now)
    sources = step.sources
    if order.status not in sources:
        db.session.refresh(order)  # another request may have moved it since it was read
        if order.status not in sources:
            return False
    from_status = order.status
    moved = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.status.in_(sources))
        .values(**values)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        db.session.expire(order)
        return False
    db.session.add(
        OrderEvent(
            order_id=order.id,
            actor=actor,
            from_status=from_status.value,
            to_status=to.value,
            note=note,
            created_at=now,
        )
    )
    outbox.after_step(order, from_status, to, note, now)
    if to is S.CANCELLED:
        _release(order, reopen_link=True)  # unpaid after all: the window may be bought again
    if to is S.PAID:
        db.session.add(Notification(kind="order_paid", order_id=order.id, created_at=now))
        if action is Action.CARD_PAID:  # the gateway's word (the merchant's own 입금 확인 needs no push)
            paid = PushEvent.DEPOSIT_ARRIVED if from_status is S.AWAITING_DEPOSIT else PushEvent.CARD_PAID
            push.queue(paid, order_id=order.id, now=now)
    db.session.flush()
    db.session.expire(order)
    return True


def _release(order: Order, reopen_link: bool = False) -> None:
    for item in stock.in_lock_order(order.items):
        stock.release(item, reopen_link)


# -- bank transfer ---------------------------------------------------------------------------


class Deposit(enum.Enum):
    PAID = "paid"
    NO_STOCK = "no_stock"  # arrived after the order was cancelled and its units sold: refund it
    REFUSED = "refused"  # not an order that takes a deposit now


def confirm_deposit(order: Order, actor: str, now: datetime | None = None) -> Deposit:
    """입금 확인: the transfer arrived. Past the deadline too: an order its deadline cancelled is
    revived when its units are still there; otherwise the money is recorded for a refund."""
    _lock(order)  # two merchants confirming at once: the second waits, then sees the first's answer
    if not allows(order, Action.CONFIRM_DEPOSIT):
        return Deposit.REFUSED
    now = now or utcnow()
    revived = True
    if order.status is S.CANCELLED:
        savepoint = db.session.begin_nested()
        revived = all(stock.retake(item) for item in stock.in_lock_order(order.items))
        savepoint.commit() if revived else savepoint.rollback()
    if revived and _move(order, Action.CONFIRM_DEPOSIT, actor, now=now):
        ledger.record(order, PaymentKind.DEPOSIT, actor, order.total_amount, status="DONE", created_at=now)
        return Deposit.PAID
    if revived:
        return Deposit.REFUSED
    record_late_deposit(order, PaymentKind.DEPOSIT, actor, order.total_amount, note="no_stock")
    return Deposit.NO_STOCK


def record_late_deposit(order: Order, kind: PaymentKind, actor: str, amount: int, **fields) -> bool:
    """Money that arrived for an order that stays cancelled: on the ledger as paid, so its balance
    is what 환불하기 gives back. Once: a repeated callback or a second click records nothing."""
    _lock(order)
    if amount <= 0 or ledger.totals(order).paid:
        return False
    ledger.record(order, kind, actor, amount, status="DONE", **fields)
    db.session.flush()
    return True


def extend_deadline(order: Order, days: int, actor: str, now: datetime | None = None) -> bool:
    """입금 기한 연장: ``days`` more from the later of now and the current deadline."""
    now = now or utcnow()
    if not allows(order, Action.EXTEND_DEADLINE) or not 1 <= days <= 30:
        return False
    start = max(now, order.expires_at) if order.expires_at else now
    return _move(
        order, Action.EXTEND_DEADLINE, actor, "deadline_extended", now, {"expires_at": start + timedelta(days=days)}
    )


# -- cancelling and expiry ---------------------------------------------------------------------


def cancel(order: Order, actor: str, note: str = "merchant_cancelled") -> bool:
    return _move(order, Action.CANCEL, actor, note)


def expire_if_due(order: Order, now: datetime | None = None) -> bool:
    """Cancel an unpaid order whose deadline has passed (run lazily whenever such an order is read)."""
    now = now or utcnow()
    if order.status not in PAYABLE or order.expires_at is None or order.expires_at > now:
        return False
    return _move(order, Action.EXPIRE, SYSTEM, "deadline_passed", now)


def expire_due(now: datetime | None = None) -> list[Order]:
    """Cancel every unpaid order past its deadline; returns the orders this call cancelled."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Order)
        .where(Order.status.in_(PAYABLE), Order.expires_at <= now)
        .options(sa.orm.selectinload(Order.items))
        .order_by(Order.id)
    ).all()
    return [order for order in due if expire_if_due(order, now)]


# -- card payments (called by the provider) --------------------------------------------------


def claim_card_payment(order: Order, payment_key: str, actor: str) -> bool:
    """결제 확인 중: this attempt (``payment_key``) is being confirmed; webhooks of other attempts are ignored."""
    return _move(order, Action.CLAIM_CARD, actor, values={"payment_key": payment_key})


def release_card_claim(order: Order, actor: str, note: str) -> bool:
    return _move(order, Action.RELEASE_CARD, actor, note[:300])


def mark_paid(
    order: Order, actor: str, kind: PaymentKind, payment_key: str, status: str, provider_method: str = ""
) -> bool:
    """The provider says the payment is done: 결제 완료, with the ledger's row of the money in."""
    values = {"payment_key": payment_key} | ({"provider_method": provider_method} if provider_method else {})
    moved = _move(order, Action.CARD_PAID, actor, values=values)
    amount = order.total_amount if moved else 0
    ledger.record(order, kind, actor, amount, status=status, payment_key=payment_key)
    return moved


def await_provider_deposit(
    order: Order, actor: str, payment_key: str, provider_method: str, account: str, due_at: datetime, secret: str
) -> bool:
    """가상계좌: the provider issued ``account`` (bank and number) to pay by ``due_at``: 입금 대기 until its
    deposit is reported (:func:`mark_paid`); the deadline cancels it like any unpaid order."""
    values = {
        "payment_key": payment_key,
        "provider_method": provider_method,
        "bank_snapshot": account[:200],
        "expires_at": due_at,
        "payment_secret": secret[:100],
    }
    return _move(order, Action.CARD_WAITING, actor, "virtual_account_issued", values=values)


def _last_ledger_note(order: Order) -> str | None:
    return db.session.scalar(
        sa.select(PaymentRecord.note)
        .where(PaymentRecord.order_id == order.id)
        .order_by(PaymentRecord.id.desc())
        .limit(1)
    )


def reverse_deposit(order: Order, actor: str, due_at: datetime | None, **fields) -> bool:
    """The gateway says a 가상계좌 deposit was reversed: the order waits for its deposit again (its
    money off the ledger); once shipped, it stays where it is and only the ledger row tells.
    True when the order went back to 입금 대기."""
    _lock(order)
    held = ledger.totals(order).balance
    values = {"paid_at": None} | ({"expires_at": due_at} if due_at else {})
    moved = _move(order, Action.DEPOSIT_REVERSED, actor, "deposit_reversed", values=values)
    if not moved and _last_ledger_note(order) == "deposit reversed":
        return False  # the same reversal told again (a repeated webhook): the merchant knows already
    amount = -held if moved else 0  # off what was paid (a REVERSAL row is not a refund)
    ledger.record(
        order, PaymentKind.REVERSAL, actor, amount, status="WAITING_FOR_DEPOSIT", note="deposit reversed", **fields
    )
    db.session.add(Notification(kind="deposit_reversed", order_id=order.id))
    db.session.flush()
    return moved


# -- fulfilment ------------------------------------------------------------------------------


def prepare(order: Order, actor: str) -> bool:
    return allows(order, Action.PREPARE) and _move(order, Action.PREPARE, actor)


def ship(order: Order, carrier: str, tracking_no: str, actor: str) -> bool:
    """배송 시작 with a 택배사 of :data:`CARRIERS` and its 송장번호."""
    if tracking_problem(carrier, tracking_no) or not allows(order, Action.SHIP):
        return False
    return _move(order, Action.SHIP, actor, values={"carrier": carrier, "tracking_no": tracking_no})


def ship_many(lines: list[tuple[str, str]], carrier: str, actor: str) -> list[tuple[str, bool]]:
    """Bulk 배송 시작 from (주문번호, 송장번호) pairs; says for each order number whether it shipped."""
    found = {
        order.order_no: order
        for order in db.session.scalars(sa.select(Order).where(Order.order_no.in_([order_no for order_no, _ in lines])))
    }
    return [
        (order_no, order_no in found and ship(found[order_no], carrier, tracking_no, actor))
        for order_no, tracking_no in lines
    ]


def deliver(order: Order, actor: str) -> bool:
    return allows(order, Action.DELIVER) and _move(order, Action.DELIVER, actor)


def confirm_purchase(order: Order, actor: str) -> bool:
    return allows(order, Action.CONFIRM_PURCHASE) and _move(order, Action.CONFIRM_PURCHASE, actor)


# -- refunds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundProblem:
    message: str
    about_amount: bool  # the amount typed is wrong (shown beside it); otherwise the form itself is out of date


def refund_problem(
    order: Order, amount: int, refunded_seen: int | None, include_shipping: bool = False
) -> RefundProblem | None:
    """Why ``amount`` cannot be refunded now, or None.

    ``refunded_seen`` is the amount refunded when the merchant opened the form: a form sent twice
    (a double tap, two staff on one order) finds it changed and records nothing the second time.
    Once the goods have shipped, 배송비 is given back only when the merchant says so
    (``include_shipping``); before, a full refund returns it.
    """
    totals = ledger.totals(order)
    if not allows(order, Action.REFUND, lambda: totals):
        return RefundProblem(str(CANNOT_REFUND), False)
    if refunded_seen != totals.refunded:
        return RefundProblem(str(STALE_REFUND_FORM), False)
    balance = totals.balance
    if not 0 < amount <= balance:
        message = _l("Enter an amount between 1 and the %(balance)s left to refund.", balance=f"{balance:,}")
        return RefundProblem(str(message), True)
    if order.shipped_at is not None and not include_shipping and ledger.shipping_part(order, totals, amount):
        goods = balance - ledger.shipping_held(order, totals)
        message = _l(
            "After shipping, up to %(goods)s can be refunded without the shipping fee. "
            "Tick the shipping fee to give it back too.",
            goods=f"{goods:,}",
        )
        return RefundProblem(str(message), True)
    return None


def record_refund(
    order: Order,
    amount: int,
    actor: str,
    kind: PaymentKind,
    *,
    restock: bool = False,
    note: str = "",
    refunded_seen: int | None = None,
    **fields,
) -> bool:
    """Money given back: the ledger row, then 환불 완료 (nothing left) or 부분 환불.

    Stock returns only on a full refund, and only if the order never shipped or ``restock`` says
    the goods came back. False when the order was not refundable, the amount exceeds its balance,
    or (given ``refunded_seen``) another refund was recorded since the merchant's form was opened.
    """
    _lock(order)
    totals = ledger.totals(order)
    if not 0 < amount <= totals.balance or order.status not in REFUNDABLE:
        return False
    if refunded_seen is not None and refunded_seen != totals.refunded:
        return False
    never_shipped = order.shipped_at is None
    shipping = ledger.shipping_part(order, totals, amount)
    row = ledger.record(order, kind, actor, -amount, note=note[:300], shipping_amount=shipping, **fields)
    outbox.refunded(order, row)
    left = ledger.totals(order).balance
    to = S.REFUNDED if left == 0 else S.PARTIALLY_REFUNDED
    if order.status is S.CANCELLED and left:
        to = S.CANCELLED  # part of a late deposit returned: the order stays cancelled
    _move(order, Action.REFUND, actor, note, to=to)
    if to is S.REFUNDED and (never_shipped or restock):
        _release(order)  # the units come back; a window that was sold stays closed
    db.session.flush()
    return True


def return_lines(order: Order, item_ids: set[int]) -> list[OrderItem]:
    """반품: the chosen lines' units back in stock with a refund (each line gives back once, whoever asks)."""
    returned = []
    for item in stock.in_lock_order(order.items):
        if item.id in item_ids and item.reserved:
            stock.release(item)
            returned.append(item)
    return returned


def sync_provider_refunds(
    order: Order,
    refunded_at_provider: int,
    actor: str,
    kind: PaymentKind,
    restock: bool = False,
    note: str = "refunded at the provider",
    **fields,
) -> int:
    """Bring the ledger level with what the provider says it has refunded in all (its own console
    included); returns the amount newly recorded (0 when the ledger already knew, e.g. a repeated webhook)."""
    _lock(order)
    missing = refunded_at_provider - ledger.totals(order).refunded
    if missing <= 0 or order.status not in REFUNDABLE:
        ledger.record(order, kind, actor, 0, **fields)
        return 0
    if not record_refund(order, missing, actor, kind, restock=restock, note=note, **fields):
        return 0
    if kind is PaymentKind.WEBHOOK:  # made outside the shop (the provider's console): tell the merchant
        db.session.add(Notification(kind="order_refunded", order_id=order.id))
    return missing


def _lock(order: Order) -> None:
    """Hold the order's row until the commit (PostgreSQL; SQLite's write transaction already serialises)."""
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
    db.session.refresh(order)
