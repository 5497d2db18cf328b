"""The buyer-message outbox: which event sends which message, and sending each exactly once.

- Queueing. An event adds one :class:`~storefront.models.BuyerMessage` in its own transaction:
  ``orders.place_order`` (:func:`order_placed`), every lifecycle step (:func:`after_step`: which
  step tells the buyer what), a refund (:func:`refunded`), 추가 결제 요청 (:func:`extra_payment`), the cron job
  (:func:`queue_deposit_reminders`) and 문자로 보내기 (:func:`link`). A rolled-back event sends
  nothing; the row's ``key`` is unique per order × event, so an event never queues a second one.
  Nothing is queued while 알림 설정 is off or incomplete (:mod:`.settings`).
- A card order's 주문 접수 is queued *held* when the order is placed (its link needs the buyer's
  token, known only then) and released when the gateway says the buyer paid or got a virtual
  account; an order abandoned at the payment window drops it.
- Sending. After a commit that queued messages, a background thread sends what is due (the
  listener below, as :mod:`storefront.push` does); ``flask --app storefront send-notifications``
  retries the rest, each try later than the last (:data:`BACKOFF`), up to :data:`MAX_ATTEMPTS`.
  A sender claims a row with a guarded UPDATE before sending it, so two senders never send it
  twice; no transaction stays open while the provider is called. A try that got no answer marks
  the row ``unsure``: the next one asks the provider whether it went out before sending again.
- Logs name the message and the masked phone (010-****-5678), never the text.
"""

import logging
import threading
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app
from flask_sqlalchemy.session import Session as AppSession

from .. import masking, messaging
from ..clock import KST
from ..extensions import db
from ..models import (
    BuyerMessage,
    MessageStatus,
    MessageTemplate,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentRecord,
    Product,
    utcnow,
)
from . import Outgoing, Sent, Unsure, settings, templates

log = logging.getLogger(__name__)
T = MessageTemplate
S = OrderStatus

# How long after the n-th failed try the next one is made (minutes): the last try about 4½ hours on.
BACKOFF = (1, 5, 15, 60, 180)
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM_FOR = timedelta(minutes=10)  # longer than any send (a lookup and two requests); frees a dead sender's row
LOOK_BACK = timedelta(minutes=2)  # an unsure try is looked up from a little before it was made
# 입금 기한 임박: in the last day before the deadline, at a decent hour, once per deadline.
REMINDER_WINDOW = timedelta(hours=24)
REMINDER_HOURS = range(9, 20)
_QUEUED = "buyer_messages_queued"


def _key(order: Order, event: str, occurrence: object = "") -> str:
    return f"order:{order.id}:{event}" + (f":{occurrence}" if occurrence != "" else "")


def _add(template: MessageTemplate, key: str, to: str, now: datetime | None = None, *, held: bool = False,
         **fields) -> BuyerMessage | None:  # fmt: skip
    """Queue one message in the caller's transaction; None when its key was queued before."""
    if db.session.scalar(sa.select(BuyerMessage.id).where(BuyerMessage.key == key)) is not None:
        return None
    now = now or utcnow()
    message = BuyerMessage(
        key=key,
        template=template,
        status=MessageStatus.HELD if held else MessageStatus.PENDING,
        to_phone=to,
        due_at=None if held else now,
        created_at=now,
        **fields,
    )
    try:
        with db.session.begin_nested():  # two requests at once: the other one queued it, and the event stands
            db.session.add(message)
    except sa.exc.IntegrityError:
        return None
    if not held:
        db.session.info[_QUEUED] = True
    return message


def _queue(template: MessageTemplate, order: Order, event: str, now: datetime | None = None, occurrence: object = "",
           **fields) -> BuyerMessage | None:  # fmt: skip
    if not settings.current().sends(template) or not order.buyer_phone:
        return None
    return _add(template, _key(order, event, occurrence), order.buyer_phone, now, order_id=order.id, **fields)


# -- the events -------------------------------------------------------------------------------------------


def order_placed(order: Order, token: str, now: datetime) -> None:
    """주문 접수: a transfer's goes now; a card order's waits for the gateway (held, with the token its link needs)."""
    info = settings.current()
    if not info.ready or not order.buyer_phone:
        return
    if order.payment_method is PaymentMethod.BANK_TRANSFER:
        _queue(T.ORDER_PLACED_TRANSFER, order, "order_placed", now, order_token=token)
    elif info.sends(T.ORDER_PLACED_PAID) or info.sends(T.ORDER_PLACED_VIRTUAL_ACCOUNT):
        key = _key(order, "order_placed")
        _add(T.ORDER_PLACED_PAID, key, order.buyer_phone, now, held=True, order_id=order.id, order_token=token)


def _release(order: Order, template: MessageTemplate, now: datetime) -> None:
    """The held 주문 접수 goes out as ``template`` (or is queued now, without the buyer's own link)."""
    held = db.session.scalar(sa.select(BuyerMessage).where(BuyerMessage.key == _key(order, "order_placed")))
    if held is None:
        _queue(template, order, "order_placed", now)
    elif held.status is MessageStatus.HELD and settings.current().sends(template):
        held.template, held.status, held.due_at = template, MessageStatus.PENDING, now
        db.session.info[_QUEUED] = True
    elif held.status is MessageStatus.HELD:
        db.session.delete(held)


def after_step(order: Order, from_status: OrderStatus, to: OrderStatus, note: str, now: datetime) -> None:
    """The message a lifecycle step sends its buyer (called by ``lifecycle._move`` for every step)."""
    if to is S.PAID and from_status in (S.AWAITING_PAYMENT, S.CONFIRMING):
        _release(order, T.ORDER_PLACED_PAID, now)  # paid at once: 주문 접수 says what was paid
    elif to is S.PAID:
        _queue(T.PAYMENT_CONFIRMED, order, "payment_confirmed", now)  # the deposit arrived (입금 확인, 가상계좌)
    elif to is S.AWAITING_DEPOSIT and note == "virtual_account_issued":
        _release(order, T.ORDER_PLACED_VIRTUAL_ACCOUNT, now)
    elif to is S.SHIPPED:
        _queue(T.SHIPPED, order, "shipped", now)
    elif to is S.DELIVERED:
        _queue(T.DELIVERED, order, "delivered", now)
    elif to is S.CANCELLED and from_status is S.AWAITING_DEPOSIT:
        # The buyer was told where to pay (a transfer, a virtual account): they hear why it ended.
        _queue(T.CANCELLED, order, "cancelled", now, reason=note[:40])
    elif to is S.CANCELLED:
        # Abandoned at the payment window: the buyer was never told of the order, and is not now.
        db.session.execute(
            sa.delete(BuyerMessage).where(
                BuyerMessage.key == _key(order, "order_placed"), BuyerMessage.status == MessageStatus.HELD
            )
        )


def refunded(order: Order, record: PaymentRecord, now: datetime | None = None) -> None:
    """환불 완료: one message per refund (a partial refund is a refund too)."""
    db.session.flush()  # the ledger row's id is the message's key
    _queue(T.REFUNDED, order, "refunded", now, occurrence=record.id, payment_record_id=record.id)


def extra_payment(order: Order, window: Product, reason: str) -> None:
    """추가 결제 요청: the window's link, to the order's buyer."""
    _queue(T.EXTRA_PAYMENT, order, "extra_payment", occurrence=window.id, product_id=window.id, reason=reason[:40])


def queue_deposit_reminders(now: datetime | None = None) -> int:
    """입금 기한 임박 (the cron job): once per deadline, in its last day, between 9:00 and 20:00 (KST)."""
    now = now or utcnow()
    if not settings.current().sends(T.DEPOSIT_REMINDER) or now.astimezone(KST).hour not in REMINDER_HOURS:
        return 0
    due = db.session.scalars(
        sa.select(Order).where(
            Order.status == S.AWAITING_DEPOSIT,
            Order.expires_at > now,
            Order.expires_at <= now + REMINDER_WINDOW,
            Order.created_at <= now - timedelta(hours=6),  # not right after the 주문 접수 that said the same
        )
    ).all()
    queued = 0
    for order in due:
        deadline = int(order.expires_at.timestamp())
        queued += _queue(T.DEPOSIT_REMINDER, order, "deposit_reminder", now, occurrence=deadline) is not None
    return queued


def link(window: Product, text: str, nonce: str, now: datetime | None = None) -> BuyerMessage | None:
    """문자로 보내기: the merchant's text with the window's link, to the customer it is made for.
    ``nonce`` is the form's: the same form sent twice sends once."""
    if not settings.current().ready or not window.customer_phone:
        return None
    return _add(T.LINK, f"link:{window.id}:{nonce}", window.customer_phone, now, product_id=window.id, text=text)


# -- after the commit -------------------------------------------------------------------------------------


@sa.event.listens_for(AppSession, "after_commit")
def _send_after_commit(session) -> None:
    if session.info.pop(_QUEUED, False):
        send_pending_soon()


@sa.event.listens_for(AppSession, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop(_QUEUED, None)


def send_pending_soon() -> threading.Thread:
    """Send what is due on a background thread (not a daemon: a command finishes its sends before it exits)."""
    from ..notifications import mail_context
    from ..urls import mail_base_url

    app = current_app._get_current_object()
    base_url = mail_base_url()

    def run():
        with mail_context(app, base_url):
            send_pending()

    thread = threading.Thread(target=run, name="buyer-messages", daemon=False)
    thread.start()
    return thread


# -- sending ----------------------------------------------------------------------------------------------


def _sendable(now: datetime):
    return sa.and_(
        BuyerMessage.status == MessageStatus.PENDING,
        BuyerMessage.due_at <= now,
        BuyerMessage.attempts < MAX_ATTEMPTS,
        sa.or_(BuyerMessage.claimed_until.is_(None), BuyerMessage.claimed_until <= now),
    )


def send_pending(limit: int = 100) -> int:
    """Send every message that is due, each claimed first; returns how many the provider took.

    Runs in a request context of its own (the links in the messages are built from PUBLIC_BASE_URL).
    """
    info = settings.current()
    provider = messaging.provider() if info.ready else None
    waiting = [] if provider is None else db.session.scalars(
        sa.select(BuyerMessage.id).where(_sendable(utcnow())).order_by(BuyerMessage.id).limit(limit)
    ).all()  # fmt: skip
    db.session.commit()
    sent = 0
    for message_id in waiting:
        claimed = _claim(message_id, info)
        if claimed is None:
            continue  # another sender has it
        outgoing, look_since = claimed
        if outgoing is None:
            continue  # it no longer applies (recorded)
        outcome = messaging.deliver(provider, outgoing, look_since=look_since)
        _record(message_id, outgoing, outcome)
        db.session.commit()
        sent += isinstance(outcome, Sent)
    return sent


def _claim(message_id: int, info: settings.MessagingInfo) -> tuple[Outgoing | None, datetime | None] | None:
    """Hold one message for this sender and build what to send (committed at once: others see it held)."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(BuyerMessage)
        .where(BuyerMessage.id == message_id, _sendable(now))
        .values(attempts=BuyerMessage.attempts + 1, claimed_until=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.commit()
        return None
    message = db.session.scalar(
        sa.select(BuyerMessage)
        .where(BuyerMessage.id == message_id)
        .options(sa.orm.joinedload(BuyerMessage.order).selectinload(Order.items))
    )
    values = templates.variables(message) if message.to_phone else None
    if values is None:
        message.status, message.last_error, message.claimed_until = MessageStatus.FAILED, "no longer applies", None
        db.session.commit()
        return None, None
    outgoing = Outgoing(
        key=message.key,
        to=message.to_phone,
        sender=info.sender_number,
        text=templates.text(message, values),
        alimtalk=info.alimtalk(message.template, values),
    )
    look_since = message.created_at - LOOK_BACK if message.unsure else None
    db.session.commit()
    return outgoing, look_since


def _record(message_id: int, outgoing: Outgoing, outcome) -> None:
    now = utcnow()
    message = db.session.get(BuyerMessage, message_id)
    message.claimed_until = None
    if isinstance(outcome, Sent):
        message.status, message.channel, message.sent_at = MessageStatus.SENT, outcome.channel[:3], now
        message.provider_message_id, message.unsure = outcome.message_id[:60], False
        message.last_error = outcome.note[:300]
        message.order_token = None  # the link went out: the shop keeps only the token's hash again
        return
    message.unsure = isinstance(outcome, Unsure)  # no answer: the next try looks before it sends
    message.last_error = " · ".join(part for part in (outcome.note, outcome.reason) if part)[:300]
    log.warning("buyer message %s to %s not sent (try %d): %s", message.id, masking.phone(outgoing.to),
                message.attempts, message.last_error)  # fmt: skip
    if message.attempts >= MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        message.order_token = None
    else:
        message.due_at = now + timedelta(minutes=BACKOFF[message.attempts - 1])


# -- delivery reports and 발송 내역 -------------------------------------------------------------------------


def apply_reports(reports: list[messaging.Report]) -> int:
    """The provider's delivery reports, onto the messages they are about; returns how many matched."""
    matched = 0
    for report in reports:
        message = db.session.scalar(
            sa.select(BuyerMessage).where(
                sa.or_(BuyerMessage.provider_message_id == report.message_id, BuyerMessage.key == report.key)
            )
        )
        if message is None or message.status not in (MessageStatus.SENT, MessageStatus.DELIVERED,
                                                       MessageStatus.FAILED):  # fmt: skip
            continue
        if message.status is MessageStatus.DELIVERED and not report.delivered:
            continue  # a late report of the 알림톡 that SOLAPI replaced with the SMS already received
        matched += 1
        message.reported_at = utcnow()
        if report.delivered:
            message.status = MessageStatus.DELIVERED
            if report.channel and report.channel != message.channel:  # 알림톡 replaced by SMS/LMS
                message.last_error = f"알림톡 대신 {report.channel}"[:300]
                message.channel = report.channel
        else:
            message.status, message.last_error = MessageStatus.FAILED, report.reason[:300]
    return matched


def for_order(order: Order) -> list[BuyerMessage]:
    """발송 내역 of an order, oldest first."""
    return list(db.session.scalars(
        sa.select(BuyerMessage).where(BuyerMessage.order_id == order.id).order_by(BuyerMessage.id)
    ))  # fmt: skip


def told_buyer(order: Order) -> bool:
    """Whether the buyer hears about this order by message (its 주문 접수 is queued or sent)."""
    return db.session.scalar(
        sa.select(sa.exists().where(BuyerMessage.order_id == order.id, BuyerMessage.status != MessageStatus.HELD))
    )


def for_window(window: Product, limit: int = 5) -> list[BuyerMessage]:
    """The latest links sent by 문자로 보내기 for a window, newest first."""
    return list(db.session.scalars(
        sa.select(BuyerMessage)
        .where(BuyerMessage.product_id == window.id, BuyerMessage.template == T.LINK)
        .order_by(BuyerMessage.id.desc())
        .limit(limit)
    ))  # fmt: skip


def erase_recipients(before: datetime) -> int:
    """Personal data out of messages queued before ``before`` (with the orders' own, by retention)."""
    return db.session.execute(
        sa.update(BuyerMessage)
        .where(BuyerMessage.created_at < before, BuyerMessage.to_phone != "")
        .values(to_phone="", text="", order_token=None)
        .execution_options(synchronize_session=False)
    ).rowcount
