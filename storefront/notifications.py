"""Telling the merchant about orders: the admin's unread badge and e-mail through SMTP.

Notification rows are written in the same transaction as the order (by
:mod:`storefront.lifecycle` and ``orders.place_order``), so none is lost. Whenever a
transaction that added one commits, whoever committed it, the e-mail goes out on a
background thread (the buyer never waits for SMTP): one listener below, no view
has to remember. A failed send stays pending and is retried by the next
notification or by ``flask --app storefront send-notifications`` (cron-friendly).
"""

import logging
import smtplib
import threading
from email.message import EmailMessage

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app, render_template
from flask_sqlalchemy.session import Session as AppSession

from .extensions import db
from .models import Notification, utcnow
from .settings import shop_settings
from .urls import absolute_url, mail_base_url

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def unread_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.read_at.is_(None)))


def mark_read(order_id: int) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.order_id == order_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@sa.event.listens_for(AppSession, "after_flush")
def _note_new_notifications(session, flush_context) -> None:
    if any(isinstance(obj, Notification) for obj in session.new):
        session.info["notifications_added"] = True


@sa.event.listens_for(AppSession, "after_commit")
def _send_after_commit(session) -> None:
    if session.info.pop("notifications_added", False):
        send_pending_soon()


@sa.event.listens_for(AppSession, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop("notifications_added", None)


def send_pending_soon() -> None:
    """Send pending e-mails on a background thread (called after a commit that added notifications)."""
    if not mail_configured():
        return
    app = current_app._get_current_object()
    base_url = mail_base_url()

    def run():
        with mail_context(app, base_url):
            send_pending()

    threading.Thread(target=run, name="notification-mail", daemon=True).start()


def mail_context(app, base_url: str):
    """A request context of its own for the sender, so links in the e-mail can be built off the request.

    Not a page: its transactions may write (see transactions.may_write).
    """
    return app.test_request_context(base_url=base_url)


def send_pending(limit: int = 50) -> int:
    """Try to send every pending notification e-mail; returns how many went out."""
    if not mail_configured():
        return 0
    settings = shop_settings()
    recipient = settings.notify_email or settings.email
    if not recipient:
        return 0
    pending = db.session.scalars(
        sa.select(Notification)
        .where(Notification.email_sent_at.is_(None), Notification.email_attempts < MAX_ATTEMPTS)
        .options(sa.orm.joinedload(Notification.order))
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    sent = 0
    for note in pending:
        # Claim the row first so two senders never mail the same notification twice.
        claimed = db.session.execute(
            sa.update(Notification)
            .where(Notification.id == note.id, Notification.email_attempts == note.email_attempts)
            .values(email_attempts=Notification.email_attempts + 1)
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        try:
            _send(_message(note, recipient, settings.name))
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notification %s: e-mail failed: %s", note.id, exc)
            note.last_error = str(exc)[:300]
        else:
            note.email_sent_at = utcnow()
            note.last_error = ""
            sent += 1
        db.session.commit()
    return sent


def _message(note: Notification, recipient: str, shop_name: str) -> EmailMessage:
    order = note.order
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_FROM") or recipient
    message["To"] = recipient
    message["Subject"] = render_template("mail/subject.txt", note=note, order=order, shop_name=shop_name).strip()
    message.set_content(
        render_template(
            "mail/order.txt",
            note=note,
            order=order,
            shop_name=shop_name,
            admin_url=absolute_url("admin.order_detail", order_id=order.id),
        )
    )
    return message


def _send(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 587)), timeout=15) as smtp:
        if config.get("MAIL_USE_TLS", True):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
