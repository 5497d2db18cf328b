"""Web Push to the merchant's phone and desktop: 새 주문, 입금 확인 필요, 가상계좌 입금, 결제 완료, 열람.

- A device subscribes from 관리자 홈 (``static/js/push.js``) with the shop's VAPID public key,
  made the first time one is asked for and kept in the database (:class:`~storefront.models.VapidKey`),
  so every app process signs with the same key. Each device switches each event on or off.
- An event queues one :class:`~storefront.models.PushMessage` per device that takes it, in the
  event's own transaction (:func:`queue`, called beside the e-mail's ``Notification`` by
  ``orders.place_order``, ``lifecycle`` and ``links.record_view``): a rolled-back order pushes nothing.
  After the commit a background thread sends what is pending (the listener below, as
  :mod:`storefront.notifications` does for e-mail); ``flask --app storefront send-notifications``
  retries what failed, up to :data:`MAX_ATTEMPTS` times.
- A sender claims a row before sending it (a guarded UPDATE that holds it for :data:`CLAIM_FOR`),
  so two senders never push one message twice. A device the push service no longer knows
  (404, 410) is removed with its messages.
- The push says which event, and carries the order number, the amount and the product name:
  never the buyer's name, phone or address.
"""

import base64
import binascii
import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.session import Session as AppSession
from py_vapid import VapidException
from pywebpush import WebPushException, webpush

from .extensions import db
from .models import AdminRole, AdminUser, PushEvent, PushMessage, PushSubscription, VapidKey, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_FOR = timedelta(minutes=10)  # longer than any send; a sender that died frees its row after this
TTL_SECONDS = 24 * 3600  # what the push service keeps for a device that is off: a day-old order is still news
GONE = (404, 410)  # the push service no longer knows the subscription
KEEP_DAYS = 30  # sent (or abandoned) messages are deleted after this
_QUEUED = "push_messages_queued"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# The shop's VAPID key ----------------------------------------------------------------------------


def public_key() -> str:
    """The VAPID public key browsers subscribe with (base64url), made and stored the first time.

    Writes: call it from work that may write (a POST), and commit.
    """
    key = db.session.get(VapidKey, 1)
    if key is None:
        private = ec.generate_private_key(ec.SECP256R1())
        der = private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        point = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        try:
            with db.session.begin_nested():
                db.session.add(VapidKey(id=1, private_key=_b64url(der), public_key=_b64url(point)))
        except sa.exc.IntegrityError:
            pass  # another process made it a moment ago: everyone uses that one
        key = db.session.get(VapidKey, 1)
    return key.public_key


def _subject() -> str:
    """The VAPID ``sub``: how the push service reaches the shop about its pushes.

    The shop's e-mail, else its public https address, else the owner's login e-mail.
    """
    from .settings import shop_settings  # settings → pagecache → links → this module

    settings = shop_settings()
    for email in (settings.email, settings.notify_email):
        if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email or ""):
            return "mailto:" + email
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    if base.scheme == "https" and base.hostname:
        return f"https://{base.hostname}"
    owner = db.session.scalar(
        sa.select(AdminUser.email).where(AdminUser.role == AdminRole.OWNER).order_by(AdminUser.id).limit(1)
    )
    return f"mailto:{owner}"


# Devices --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowserSubscription:
    """What a browser's ``PushSubscription.toJSON()`` holds, checked."""

    endpoint: str
    p256dh: str
    auth: str


def parse_subscription(data: object) -> BrowserSubscription | None:
    """The subscription a browser posted, or None when it is not one (wrong shape, keys or endpoint).

    Endpoints are https (the shop posts to them); ``PUSH_ALLOW_HTTP`` lets the tests' local fake use http.
    """
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        return None
    endpoint, keys = data.get("endpoint"), data["keys"]
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not all(isinstance(value, str) for value in (endpoint, p256dh, auth)) or len(endpoint) > 1000:
        return None
    schemes = ("https", "http") if current_app.config.get("PUSH_ALLOW_HTTP") else ("https",)
    address = urlsplit(endpoint)
    if address.scheme not in schemes or not address.hostname or address.username or address.password:
        return None
    try:
        point, secret = _unb64url(p256dh), _unb64url(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, binascii.Error):
        return None
    if len(point) != 65 or len(secret) != 16:
        return None
    return BrowserSubscription(endpoint, _b64url(point), _b64url(secret))


def subscribe(user: AdminUser, browser: BrowserSubscription, device: str) -> PushSubscription:
    """Record (or renew) a browser's subscription for ``user``; a renewed one keeps its switches."""
    row = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == browser.endpoint))
    if row is None:
        row = PushSubscription(endpoint=browser.endpoint)
        db.session.add(row)
    row.admin_user_id = user.id
    row.p256dh, row.auth, row.device = browser.p256dh, browser.auth, device[:60]
    db.session.flush()
    return row


def unsubscribe(endpoint: str) -> bool:
    """Forget the browser with this endpoint (it turned notifications off); whoever holds the endpoint is it."""
    gone = db.session.execute(sa.delete(PushSubscription).where(PushSubscription.endpoint == endpoint[:1000]))
    return gone.rowcount > 0


def devices_of(user: AdminUser) -> list[PushSubscription]:
    return list(
        db.session.scalars(
            sa.select(PushSubscription).where(PushSubscription.admin_user_id == user.id).order_by(PushSubscription.id)
        )
    )


def device_of(user: AdminUser, subscription_id: int) -> PushSubscription | None:
    """One of ``user``'s own devices (another account's devices are not theirs to change)."""
    return db.session.scalar(
        sa.select(PushSubscription).where(
            PushSubscription.id == subscription_id, PushSubscription.admin_user_id == user.id
        )
    )


def set_events(device: PushSubscription, events: set[PushEvent]) -> None:
    for event in PushEvent:
        setattr(device, event.value, event in events)


def remove(device: PushSubscription) -> None:
    db.session.execute(sa.delete(PushSubscription).where(PushSubscription.id == device.id))


_PLATFORMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Macintosh", "Mac"),
              ("Windows", "Windows"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip
_BROWSERS = (("SamsungBrowser", "Samsung Internet"), ("Edg", "Edge"), ("Firefox", "Firefox"), ("FxiOS", "Firefox"),
             ("CriOS", "Chrome"), ("Chrome", "Chrome"), ("Safari", "Safari"))  # fmt: skip


def device_label(user_agent: str | None) -> str:
    """A device's name for the merchant ("Android · Chrome", "iPhone · Safari"), to tell their devices apart."""
    agent = user_agent or ""
    platform = next((name for token, name in _PLATFORMS if token in agent), "")
    browser = next((name for token, name in _BROWSERS if token in agent), "")
    if platform in ("iPhone", "iPad") and not browser:
        browser = "Safari"  # a web app on the Home Screen leaves "Safari" out of its user agent
    return " · ".join(part for part in (platform, browser) if part)


# Queueing ---------------------------------------------------------------------------------------------


def queue(
    *events: PushEvent, order_id: int | None = None, product_id: int | None = None, now: datetime | None = None
) -> int:
    """Queue, in the caller's transaction, one push to each device for the first of ``events`` it takes.

    One event, one push per device: a transfer order is queued as (입금 확인 필요, 새 주문), so a
    device with both on gets the first, and one with only 새 주문 still hears of it. Returns how
    many were queued; they are sent after the commit.
    """
    takers = sa.or_(*(PushSubscription.switch(event).is_(True) for event in events))
    devices = db.session.scalars(sa.select(PushSubscription).where(takers).order_by(PushSubscription.id)).all()
    for device in devices:
        event = next(event for event in events if device.takes(event))
        db.session.add(
            PushMessage(
                subscription_id=device.id,
                event=event,
                order_id=order_id,
                product_id=product_id,
                created_at=now or utcnow(),
            )
        )
    if devices:
        db.session.info[_QUEUED] = True
    return len(devices)


@sa.event.listens_for(AppSession, "after_commit")
def _send_after_commit(session) -> None:
    if session.info.pop(_QUEUED, False):
        send_pending_soon()


@sa.event.listens_for(AppSession, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop(_QUEUED, None)


# Sending ----------------------------------------------------------------------------------------------


def send_pending_soon() -> threading.Thread:
    """Send pending pushes on a background thread (after a commit that queued some).

    Not a daemon: a command that queued a push (``expire-orders`` settling a payment) finishes
    sending it before it exits, instead of being cut off halfway through a send.
    """
    from .notifications import mail_context
    from .urls import mail_base_url

    app = current_app._get_current_object()
    base_url = mail_base_url()

    def run():
        with mail_context(app, base_url):
            send_pending()

    thread = threading.Thread(target=run, name="web-push", daemon=False)
    thread.start()
    return thread


def _pending(now: datetime):
    return sa.and_(
        PushMessage.sent_at.is_(None),
        PushMessage.attempts < MAX_ATTEMPTS,
        sa.or_(PushMessage.claimed_until.is_(None), PushMessage.claimed_until <= now),
    )


@dataclass(frozen=True)
class Outgoing:
    """One claimed message, as the push service gets it (read before the call: no transaction stays open)."""

    message_id: int
    device_id: int
    subscription: dict
    data: str
    headers: dict


@dataclass(frozen=True)
class Outcome:
    sent: bool
    gone: bool = False  # the push service no longer knows the device
    error: str = ""


def send_pending(limit: int = 100) -> int:
    """Send every pending push, each claimed first; returns how many the push services took.

    Runs in a request context of its own (:func:`send_pending_soon`, the ``send-notifications``
    command). No transaction stays open while a push service is called.
    """
    waiting = db.session.scalars(
        sa.select(PushMessage.id).where(_pending(utcnow())).order_by(PushMessage.id).limit(limit)
    ).all()
    key = db.session.get(VapidKey, 1) if waiting else None
    if key is None:
        db.session.commit()
        return 0
    private_key, subject = key.private_key, _subject()
    db.session.commit()
    sent = 0
    with requests.Session() as http:
        for message_id in waiting:
            outgoing = _claim(message_id)
            if outgoing is None:
                continue  # another sender has it, or it went with its device
            outcome = _post(outgoing, private_key, subject, http)
            _record(outgoing, outcome)
            db.session.commit()
            sent += outcome.sent
    return sent


def _claim(message_id: int) -> Outgoing | None:
    """Hold one message for this sender and read what to send (committed at once: other senders see it held)."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(PushMessage)
        .where(PushMessage.id == message_id, _pending(now))
        .values(attempts=PushMessage.attempts + 1, claimed_until=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    ).rowcount
    message = db.session.get(PushMessage, message_id) if claimed == 1 else None
    outgoing = _outgoing(message) if message is not None else None
    db.session.commit()
    return outgoing


def _outgoing(message: PushMessage) -> Outgoing:
    device = message.subscription
    urgency = "normal" if message.event is PushEvent.LINK_VIEWED else "high"
    return Outgoing(
        message_id=message.id,
        device_id=device.id,
        subscription={"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}},
        data=json.dumps(payload(message), ensure_ascii=False),
        # A retry after a timeout replaces the first copy if the push service still holds it.
        headers={"Urgency": urgency, "Topic": f"m{message.id}"},
    )


def _post(outgoing: Outgoing, private_key: str, subject: str, http: requests.Session) -> Outcome:
    try:
        webpush(
            outgoing.subscription,
            outgoing.data,
            vapid_private_key=private_key,
            vapid_claims={"sub": subject},  # pywebpush adds aud (the endpoint's origin) and exp (12 hours on)
            ttl=TTL_SECONDS,
            timeout=current_app.config["PUSH_TIMEOUT"],
            headers=outgoing.headers,
            requests_session=http,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        return Outcome(False, gone=status in GONE, error=f"{status or ''} {exc.message}".strip())
    except (requests.RequestException, VapidException, ValueError) as exc:
        return Outcome(False, error=str(exc))
    return Outcome(True)


def _record(outgoing: Outgoing, outcome: Outcome) -> None:
    message = sa.update(PushMessage).where(PushMessage.id == outgoing.message_id)
    if outcome.sent:
        db.session.execute(message.values(sent_at=utcnow(), last_error=""))
    elif outcome.gone:
        log.info("push device %s is gone (%s): removed", outgoing.device_id, outcome.error)
        db.session.execute(sa.delete(PushSubscription).where(PushSubscription.id == outgoing.device_id))
    else:
        log.warning("push message %s not sent: %s", outgoing.message_id, outcome.error)
        # Freed for the next try (send-notifications, or the sender after the next event).
        db.session.execute(message.values(last_error=outcome.error[:300], claimed_until=None))


def payload(message: PushMessage) -> dict:
    """What the service worker shows (static/js/admin-sw.js): only the event, the order number, the
    amount and the product name, and the admin page it opens."""
    from .formatting import won  # formatting → lifecycle → this module

    event = message.event
    icon = url_for("static", filename="img/admin-icon-192.png")
    badge = url_for("static", filename="img/admin-badge-96.png")
    if message.order is not None:
        order = message.order
        product = _short(order.order_name)  # "원두 1kg 외 2건", as the gateway and receipts name it
        body = _("%(product)s · %(amount)s · Order %(no)s", product=product, amount=won(order.total_amount),
                 no=order.order_no)  # fmt: skip
        url = url_for("admin.order_detail", order_id=order.id)
        tag = f"order-{order.id}-{event.value}"
    else:
        product = message.product
        body = _("%(product)s was opened", product=_short(product.name))
        url = url_for("admin.product_edit", product_id=product.id)
        tag = f"product-{product.id}-{event.value}"
    return {"title": event.label, "body": body, "url": url, "tag": tag, "icon": icon, "badge": badge}


def _short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def prune(now: datetime | None = None) -> int:
    """Delete messages sent, or given up on, more than KEEP_DAYS ago; returns how many."""
    before = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    done = sa.or_(PushMessage.sent_at.is_not(None), PushMessage.attempts >= MAX_ATTEMPTS)
    return db.session.execute(sa.delete(PushMessage).where(PushMessage.created_at < before, done)).rowcount
