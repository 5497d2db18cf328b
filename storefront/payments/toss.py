"""카드 결제 through Toss Payments (payment widget + confirm API).

The browser's success URL carries paymentKey, orderId and amount; nothing is
charged until our server confirms, so the server checks the amount against the
stored order first, claims the order (결제 확인 중) and commits that claim before
calling the gateway, so a refreshed success page or a second tab never confirms
twice. A timeout or ALREADY_PROCESSED_PAYMENT is settled by looking the payment
up, never by guessing. Webhooks are only hints: the payment is re-fetched with
the secret key before anything changes, and only the attempt being confirmed
(its paymentKey) can send a 결제 확인 중 order back to 결제 대기.

Every exchange with the gateway is a row of the payment ledger; the order's
status changes through :mod:`storefront.lifecycle`. This class orchestrates
around the network: it commits before each gateway call (no transaction is held
across one) and after recording the answer.
"""

import base64
import enum
import hashlib
import hmac
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import requests
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from .. import ledger, lifecycle, orders
from ..clock import KST
from ..extensions import db
from ..models import (
    Notification,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    PaymentRecord,
    utcnow,
)
from ..numbers import parse_won
from . import PaymentError

log = logging.getLogger(__name__)
ACTOR = "toss"
# The buyer's authentication expires this long after it: a confirm is re-sent (same Idempotency-Key)
# only within it; after it the order is payable again.
CONFIRM_WINDOW = timedelta(minutes=10)
CARD_MINIMUM = 100  # 원: card payments below it fail (BELOW_MINIMUM_AMOUNT)
PROVIDER_ERROR_AGAIN = _l(
    "The card company or bank had a temporary problem and the payment was not made. Please pay again in a moment."
)
# Gateway answers that mean "temporary, try the same request again" (IDEMPOTENT_REQUEST_PROCESSING:
# the same confirm, sent by the buyer's page and the cron at once, is still under way).
RETRYABLE = frozenset(
    {
        "PROVIDER_ERROR",
        "IDEMPOTENT_REQUEST_PROCESSING",
        "FAILED_INTERNAL_SYSTEM_PROCESSING",
        "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING",
    }
)
# 은행 코드 (virtualAccount.bankCode, refundReceiveAccount.bank) and the names merchants type.
BANKS = {
    "39": "경남은행", "34": "광주은행", "12": "단위농협", "32": "부산은행", "45": "새마을금고", "64": "산림조합",
    "88": "신한은행", "48": "신협", "27": "씨티은행", "20": "우리은행", "71": "우체국", "50": "저축은행",
    "37": "전북은행", "35": "제주은행", "90": "카카오뱅크", "89": "케이뱅크", "92": "토스뱅크", "81": "하나은행",
    "54": "HSBC은행", "03": "IBK기업은행", "06": "KB국민은행", "31": "DGB대구은행", "02": "KDB산업은행",
    "11": "NH농협은행", "23": "SC제일은행", "07": "Sh수협은행",
}  # fmt: skip


def bank_code(name: str) -> str | None:
    """The 은행 코드 for what a merchant typed (신한, 신한은행, KB국민은행, 국민…)."""
    typed = re.sub(r"\s+", "", name).upper().removesuffix("은행")
    for code, bank in BANKS.items():
        plain = bank.upper().removesuffix("은행")
        if typed in (code, plain) or (len(typed) >= 2 and plain.endswith(typed)):
            return code
    return None


def method_name(payment: dict) -> str:
    """What the buyer paid with, as Toss names it: 카드, 가상계좌, 계좌이체, 휴대폰, 간편결제 (토스페이)…"""
    method = str(payment.get("method") or "")
    provider = str((payment.get("easyPay") or {}).get("provider") or "")
    return (f"{method} ({provider})" if provider else method)[:40]


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def widget_fields(order: Order) -> dict[str, str]:
    """What the page hands the widget, within the SDK's limits (a field it would refuse is left out)."""
    phone = _digits(order.buyer_phone)
    return {
        "order_name": order.order_name,
        "customer_name": order.buyer_name[:100],
        "customer_email": order.buyer_email if len(order.buyer_email) <= 100 else "",
        "customer_phone": phone if 8 <= len(phone) <= 15 else "",
    }


class GatewayUnreachable(Exception):
    """No answer we can trust (timeout, connection failure, 5xx): look the payment up later."""


class ConfirmResult(enum.Enum):
    PAID = "paid"
    ALREADY = "already"  # paid or being confirmed by another request: just show the order
    PENDING = "pending"  # the gateway did not answer: the order stays 결제 확인 중 and is settled later
    REFUSED = "refused"  # the success URL does not match the order (tampered amount or order)
    NOT_PAYABLE = "not_payable"  # cancelled or past its deadline
    FAILED = "failed"  # the gateway refused (card rejected...): the order can be paid again
    WAITING = "waiting"  # 가상계좌 issued: the order waits for the buyer's deposit


class WebhookStep(enum.Enum):
    APPLY = "apply"  # this attempt was paid or got its virtual account: the order follows
    REVERSED = "reversed"  # a 가상계좌 deposit taken back (DONE → WAITING_FOR_DEPOSIT)
    GIVE_BACK = "give_back"  # a card paid for an order no longer sold: cancel it at the gateway
    LATE_DEPOSIT = "late_deposit"  # a 가상계좌 deposit for an order no longer sold: kept for 환불하기
    SYNC_REFUNDS = "sync_refunds"  # refunded at the gateway (the console too): the ledger follows
    RELEASE = "release"  # the attempt being confirmed was abandoned: the order is payable again
    IGNORE = "ignore"  # an older attempt, a repeat, nothing to change


def webhook_step(
    status: str, order_status: OrderStatus, *, ours: bool, paid: bool, virtual_account: bool
) -> WebhookStep:
    """What a payment's status at the gateway means for its order: a pure rule over the gateway's
    status, the order's, whether the payment is the attempt the order holds (``ours``), whether the
    order has money on its ledger, and whether the payment is a virtual account."""
    S = OrderStatus
    # 결제 대기: any attempt that was paid counts (the buyer never came back); once an attempt is being
    # confirmed or waits for its deposit, only that attempt's events move the order.
    current = order_status is S.AWAITING_PAYMENT or (ours and order_status in (S.CONFIRMING, S.AWAITING_DEPOSIT))
    if status in ("DONE", "WAITING_FOR_DEPOSIT") and current:
        return WebhookStep.APPLY
    if status == "WAITING_FOR_DEPOSIT" and ours and order_status in lifecycle.PAID_STATUSES:
        return WebhookStep.REVERSED
    if status == "DONE" and order_status is S.CANCELLED and not paid:
        return WebhookStep.LATE_DEPOSIT if virtual_account else WebhookStep.GIVE_BACK
    if status in ("CANCELED", "PARTIAL_CANCELED") and ours and order_status in lifecycle.REFUNDABLE:
        return WebhookStep.SYNC_REFUNDS
    if status in ("ABORTED", "EXPIRED") and ours and order_status is S.CONFIRMING:
        return WebhookStep.RELEASE
    return WebhookStep.IGNORE


class TossClient:
    def __init__(self, base_url: str, secret_key: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.auth = "Basic " + base64.b64encode(f"{secret_key}:".encode()).decode()

    def confirm(self, payment_key: str, order_id: str, amount: int, idempotency_key: str) -> dict:
        body = {"paymentKey": payment_key, "orderId": order_id, "amount": amount}
        return self._call("POST", "/v1/payments/confirm", body, idempotency_key)

    def payment(self, payment_key: str) -> dict:
        return self._call("GET", f"/v1/payments/{requests.utils.quote(payment_key, safe='')}")

    def payment_for_order(self, order_id: str) -> dict | None:
        try:
            return self._call("GET", f"/v1/payments/orders/{requests.utils.quote(order_id, safe='')}")
        except PaymentError as exc:
            if exc.code == "NOT_FOUND_PAYMENT":
                return None
            raise

    def cancel(
        self,
        payment_key: str,
        reason: str,
        idempotency_key: str,
        amount: int | None = None,
        refund_account: dict | None = None,
    ) -> dict:
        """Refund the whole payment, or ``amount`` of it (cancelAmount: a partial refund); a virtual
        account's deposit goes back to ``refund_account`` (refundReceiveAccount)."""
        path = f"/v1/payments/{requests.utils.quote(payment_key, safe='')}/cancel"
        body: dict = {"cancelReason": reason[:200]}
        if amount is not None:
            body["cancelAmount"] = amount
        if refund_account:
            body["refundReceiveAccount"] = refund_account
        return self._call("POST", path, body, idempotency_key)

    def issue_cash_receipt(self, body: dict, idempotency_key: str) -> dict:
        """현금영수증: amount, orderId, orderName, customerIdentityNumber, type (소득공제 | 지출증빙).
        Answers ``issueStatus`` IN_PROGRESS: the tax office's answer (COMPLETED, FAILED) comes later."""
        return self._call("POST", "/v1/cash-receipts", body, idempotency_key)

    def cash_receipts_requested_on(self, request_date: str) -> list[dict]:
        """Every receipt requested on ``request_date`` (YYYY-MM-DD, Korean time): Toss looks them up
        by day, a page at a time, not by receiptKey."""
        found: list[dict] = []
        cursor = None
        while True:
            query = f"requestDate={request_date}&limit=10000" + (f"&cursor={cursor}" if cursor else "")
            page = self._call("GET", f"/v1/cash-receipts?{query}")
            found += page.get("data") or []
            cursor = page.get("lastCursor")
            if not page.get("hasNext") or not cursor:
                return found

    def cancel_cash_receipt(self, receipt_key: str, amount: int | None, idempotency_key: str) -> dict:
        """Cancel a receipt, whole or ``amount`` of it (a partial cancel after a partial refund)."""
        path = f"/v1/cash-receipts/{requests.utils.quote(receipt_key, safe='')}/cancel"
        return self._call("POST", path, {} if amount is None else {"amount": amount}, idempotency_key)

    def _call(self, method: str, path: str, body: dict | None = None, idempotency_key: str | None = None) -> dict:
        headers = {"Authorization": self.auth}
        if idempotency_key:
            # Toss replays the first answer to a key for 15 days whatever the body says: the key
            # covers the body, so a request corrected after a refusal (another 환불 계좌, another
            # 현금영수증 number) is a new request, and the very same request is still a repeat.
            sent = json.dumps(body, sort_keys=True, ensure_ascii=False)
            headers["Idempotency-Key"] = _key(idempotency_key, sent)
        try:
            response = requests.request(method, self.base_url + path, json=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayUnreachable(str(exc)) from exc
        if response.status_code >= 500:
            raise GatewayUnreachable(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise GatewayUnreachable("not JSON") from exc
        if response.status_code >= 400:
            raise PaymentError(str(data.get("code", "UNKNOWN")), str(data.get("message", "")))
        return data


def _key(*parts: str) -> str:
    """An Idempotency-Key (≤ 300 characters) that is the same for the same operation."""
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def _due_date(payment: dict) -> datetime | None:
    """A virtual account's dueDate (Korean time when it carries no offset), in UTC."""
    try:
        due_at = datetime.fromisoformat(str((payment.get("virtualAccount") or {}).get("dueDate")))
    except ValueError:
        return None
    return (due_at if due_at.tzinfo else due_at.replace(tzinfo=KST)).astimezone(UTC)


def _record_refusal(order: Order, kind: PaymentKind, actor: str, exc: PaymentError, payment_key: str, note: str = ""):
    """The gateway refused a request (a confirm, a refund): on the ledger with its code and words."""
    note = note or str(exc)
    ledger.record(
        order, kind, actor, status="FAILED", provider_code=exc.code[:100], payment_key=payment_key, note=note[:300]
    )


def refunded_amount(payment: dict) -> int:
    """What the gateway has refunded of a payment in all (its ``cancels``, the console's included)."""
    return sum(int(cancel.get("cancelAmount") or 0) for cancel in payment.get("cancels") or [])


class TossPayments:
    method = PaymentMethod.CARD

    @property
    def client_key(self) -> str:
        return current_app.config.get("TOSS_CLIENT_KEY") or ""

    def available(self) -> bool:
        return bool(self.client_key and current_app.config.get("TOSS_SECRET_KEY"))

    def accepts(self, amount: int) -> bool:
        """Whether the widget can take ``amount``: more than 0, and at least the card minimum."""
        return amount >= CARD_MINIMUM

    def client(self) -> TossClient:
        """The API client. A call to the gateway can take seconds: every caller commits first, so no
        transaction (on SQLite: the write lock) is held across it and no request is kept waiting."""
        config = current_app.config
        return TossClient(config["TOSS_API_BASE"], config["TOSS_SECRET_KEY"], float(config["TOSS_TIMEOUT"]))

    # -- the success URL -------------------------------------------------------------------

    def confirm(self, order: Order, params: dict[str, str]) -> ConfirmResult:
        payment_key = params.get("paymentKey") or ""
        amount = params.get("amount")
        if (
            params.get("orderId") != order.order_no
            or parse_won(amount) != order.total_amount
            or not payment_key
            or len(payment_key) > 200
        ):
            return ConfirmResult.REFUSED
        if lifecycle.expire_if_due(order):
            db.session.commit()
        if order.status is OrderStatus.CANCELLED:
            self.refund_if_taken(order)
            return ConfirmResult.NOT_PAYABLE
        if not lifecycle.claim_card_payment(order, payment_key, ACTOR):
            db.session.rollback()
            if order.status is OrderStatus.CONFIRMING and order.payment_key == payment_key:
                return self.reconcile(order)  # the buyer came back to a confirm left unfinished: finish it
            return ConfirmResult.ALREADY
        return self._send_confirm(order, payment_key, PaymentKind.CONFIRM)

    def _send_confirm(self, order: Order, payment_key: str, kind: PaymentKind) -> ConfirmResult:
        """The confirm call for the attempt the order is confirming; the same Idempotency-Key every
        time, so a re-sent confirm (after a timeout, a 5xx, PROVIDER_ERROR) never charges twice."""
        db.session.commit()  # the claim is visible to every other request before the gateway is called
        client = self.client()
        try:
            payment = client.confirm(
                payment_key, order.order_no, order.total_amount, _key("confirm", order.order_no, payment_key)
            )
        except PaymentError as exc:
            if exc.code == "PROVIDER_ERROR" and self._provider_errors(order, payment_key):
                # Toss answers a repeated key with its first answer: a second PROVIDER_ERROR for this
                # attempt will not change by re-sending. The buyer pays again (a new attempt, a new key).
                _record_refusal(order, kind, ACTOR, exc, payment_key, note="provider error twice")
                lifecycle.release_card_claim(order, ACTOR, "provider_error_twice")
                db.session.commit()
                raise PaymentError(exc.code, PROVIDER_ERROR_AGAIN) from exc  # words chosen when shown
            if exc.code in RETRYABLE:
                # Temporary at the gateway: the order stays 결제 확인 중; the buyer's page and the cron re-send.
                ledger.record(order, kind, ACTOR, status="RETRY", provider_code=exc.code[:100], payment_key=payment_key)
                db.session.commit()
                return ConfirmResult.PENDING
            if exc.code != "ALREADY_PROCESSED_PAYMENT":
                _record_refusal(order, kind, ACTOR, exc, payment_key)
                lifecycle.release_card_claim(order, ACTOR, exc.code[:100])
                db.session.commit()
                raise
            return self.reconcile(order, resend=False)
        except GatewayUnreachable as exc:
            log.warning("toss confirm for %s: %s; reconciling", order.order_no, exc)
            return self.reconcile(order, resend=False)
        return self._apply(order, payment, kind)

    def _provider_errors(self, order: Order, payment_key: str) -> int:
        """How many PROVIDER_ERROR answers this attempt has had."""
        return db.session.scalar(
            sa.select(sa.func.count()).where(
                PaymentRecord.order_id == order.id,
                PaymentRecord.payment_key == payment_key,
                PaymentRecord.provider_code == "PROVIDER_ERROR",
            )
        )

    def claimed_at(self, order: Order) -> datetime | None:
        """When the order's current confirm started (its move to 결제 확인 중)."""
        return db.session.scalar(
            sa.select(sa.func.max(OrderEvent.created_at)).where(
                OrderEvent.order_id == order.id, OrderEvent.to_status == OrderStatus.CONFIRMING.value
            )
        )

    def within_window(self, order: Order, now: datetime | None = None) -> bool:
        started = self.claimed_at(order)
        return started is not None and (now or utcnow()) - started < CONFIRM_WINDOW

    def reconcile(self, order: Order, resend: bool = True) -> ConfirmResult:
        """Settle an order from the gateway's own record of its payment (after a timeout, a refresh...).

        A 결제 확인 중 order whose attempt the gateway still holds unconfirmed (READY/IN_PROGRESS) gets
        its confirm re-sent while the authentication is valid; after that window it is payable again.
        Raises PaymentError when the re-sent confirm is refused (recorded; the order is payable again).
        """
        db.session.commit()
        try:
            payment = self.client().payment_for_order(order.order_no)
        except (GatewayUnreachable, PaymentError) as exc:
            log.warning("toss lookup for %s failed: %s", order.order_no, exc)
            return self._give_up_if_late(order)
        status = str(payment.get("status") or "") if payment else ""
        ours = payment is not None and payment.get("paymentKey") == order.payment_key
        if status in ("READY", "IN_PROGRESS") and ours and order.status is OrderStatus.CONFIRMING:
            if resend and self.within_window(order):
                return self._send_confirm(order, order.payment_key or "", PaymentKind.CONFIRM)
            ledger.record(order, PaymentKind.LOOKUP, ACTOR, status=status, payment_key=order.payment_key or "")
            return self._give_up_if_late(order)
        return self._apply(order, payment, PaymentKind.LOOKUP)

    def _give_up_if_late(self, order: Order) -> ConfirmResult:
        """Past the window, a confirm that never finished cannot finish: the order is payable again
        (and the deadline, if passed, cancels it and returns its stock)."""
        if order.status is OrderStatus.CONFIRMING and not self.within_window(order):
            lifecycle.release_card_claim(order, ACTOR, "confirm_window_passed")
            lifecycle.expire_if_due(order)
            db.session.commit()
            return ConfirmResult.FAILED
        db.session.commit()
        return ConfirmResult.PENDING

    def _apply(self, order: Order, payment: dict | None, kind: PaymentKind) -> ConfirmResult:
        matches = (
            payment is not None
            and payment.get("orderId") == order.order_no
            and payment.get("totalAmount") == order.total_amount
        )
        status = str(payment.get("status") or "") if payment else ""
        payment_key = str(payment.get("paymentKey") or "")[:200] if payment else ""
        method = method_name(payment) if payment else ""
        if matches and status == "DONE":
            moved = lifecycle.mark_paid(order, ACTOR, kind, payment_key, status, method)
            db.session.commit()
            return ConfirmResult.PAID if moved else ConfirmResult.ALREADY
        if matches and status == "WAITING_FOR_DEPOSIT" and payment:
            if order.status is not OrderStatus.AWAITING_DEPOSIT:  # (the cron's lookups of it add no rows)
                ledger.record(order, kind, ACTOR, status=status, payment_key=payment_key)
                self._await_deposit(order, payment, payment_key, method)
            db.session.commit()
            return ConfirmResult.WAITING
        ledger.record(order, kind, ACTOR, status=status or "NOT_FOUND", payment_key=payment_key)
        if payment is None or status in ("ABORTED", "EXPIRED", "CANCELED") or not matches:
            lifecycle.release_card_claim(order, ACTOR, status or "no_payment")
            db.session.commit()
            if payment is not None and status == "DONE" and not matches:
                # Money taken for the wrong amount: give it back rather than keep it.
                self._cancel(order, payment_key, "amount mismatch")
            return ConfirmResult.FAILED
        db.session.commit()
        return self._give_up_if_late(order)  # IN_PROGRESS and the like: ask again later

    def _await_deposit(self, order: Order, payment: dict, payment_key: str, method: str) -> None:
        account = payment.get("virtualAccount") or {}
        code = str(account.get("bankCode") or account.get("bank") or "")
        bank = BANKS.get(code, code)
        number = str(account.get("accountNumber") or "")
        due_at = _due_date(payment) or utcnow() + timedelta(days=1)
        line = f"{bank} {number}"
        lifecycle.await_provider_deposit(
            order, ACTOR, payment_key, method, line, due_at, str(payment.get("secret") or "")
        )

    def _deposit_reversed(self, order: Order, payment: dict) -> None:
        """DONE → WAITING_FOR_DEPOSIT, as the lookup confirms: the deposit is gone (docs: webhooks)."""
        lifecycle.reverse_deposit(order, ACTOR, _due_date(payment), payment_key=order.payment_key or "")

    # -- refunds ---------------------------------------------------------------------------

    def refund_needs_account(self, order: Order) -> bool:
        """A virtual account's deposit is refunded to an account the merchant enters (refundReceiveAccount)."""
        return order.provider_method.startswith("가상계좌")

    def refund(
        self,
        order: Order,
        amount: int,
        reason: str,
        actor: str,
        restock: bool = False,
        refunded_seen: int | None = None,
        **account,
    ) -> bool:
        """Cancel ``amount`` at the gateway (cancelAmount when partial) and record it; True when recorded.
        A form sent twice at once sends the same Idempotency-Key (it holds the amount refunded before).

        A payment already cancelled in the Toss console (ALREADY_CANCELED_PAYMENT) is looked up and
        its refunds recorded. Raises PaymentError / GatewayUnreachable when the gateway refused or
        did not answer (the refusal is on the ledger).
        """
        payment_key = order.payment_key or ""
        if not payment_key:
            return False
        receive = None
        if self.refund_needs_account(order):
            code = bank_code(account.get("refund_bank") or "")
            if code is None:
                raise PaymentError("INVALID_BANK", str(_l("Enter the bank of the refund account, e.g. 신한은행.")))
            receive = {
                "bank": code,
                "accountNumber": _digits(account.get("refund_account") or "")[:20],
                "holderName": (account.get("refund_holder") or "")[:60],
            }
        before = ledger.totals(order)
        if refunded_seen is not None and refunded_seen != before.refunded:
            return False  # a form sent again after its first refund was recorded
        partial = amount if amount < before.balance else None
        db.session.commit()
        client = self.client()
        kind = PaymentKind.CANCEL
        try:
            payment = client.cancel(
                payment_key,
                reason,
                _key("cancel", order.order_no, payment_key, str(before.refunded), str(amount)),
                partial,
                receive,
            )
            code = ""
        except PaymentError as exc:
            if exc.code != "ALREADY_CANCELED_PAYMENT":
                _record_refusal(order, kind, actor, exc, payment_key)
                db.session.commit()
                raise
            payment, code = client.payment(payment_key), exc.code
        recorded = lifecycle.sync_provider_refunds(
            order,
            refunded_amount(payment),
            actor,
            kind,
            restock=restock,
            note=reason if not code else "refunded at the provider",
            status=str(payment.get("status") or "")[:30],
            provider_code=code,
            payment_key=payment_key,
        )
        return recorded > 0 or code == "ALREADY_CANCELED_PAYMENT"

    def close_unpaid(self, order: Order) -> None:
        """A cancelled order's virtual account that still waits for a deposit: closed at the gateway,
        so no money can arrive for an order the shop no longer sells."""
        if order.status is not OrderStatus.CANCELLED or not order.payment_secret or not order.payment_key:
            return
        db.session.commit()
        payment = self.client().payment(order.payment_key)
        if payment.get("status") == "WAITING_FOR_DEPOSIT":
            self._cancel(order, order.payment_key, "order cancelled")

    def refund_if_taken(self, order: Order) -> None:
        """A payment that arrived for an order we no longer sell (cancelled, expired): give it back."""
        db.session.commit()
        try:
            payment = self.client().payment_for_order(order.order_no)
        except (GatewayUnreachable, PaymentError):
            return
        if payment and payment.get("status") == "DONE":
            self._cancel(order, str(payment["paymentKey"])[:200], "order no longer payable")

    def _cancel(self, order: Order, payment_key: str, reason: str) -> None:
        """Give back a whole payment the order never counted as paid (so it moves no money on the ledger)."""
        db.session.commit()
        payment = self.client().cancel(payment_key, reason, _key("cancel", order.order_no, payment_key))
        ledger.record(
            order,
            PaymentKind.CANCEL,
            ACTOR,
            status=str(payment.get("status") or "")[:30],
            payment_key=payment_key,
            note=reason,
        )
        db.session.commit()

    # -- webhooks --------------------------------------------------------------------------

    def handle_webhook(self, payload: dict) -> None:
        """PAYMENT_STATUS_CHANGED: re-fetch the payment and move the order to match it.
        DEPOSIT_CALLBACK (가상계좌): verified by the payment's ``secret``, then the payment is re-fetched."""
        if payload.get("eventType") == "DEPOSIT_CALLBACK" or ("secret" in payload and "orderId" in payload):
            self._deposit_callback(payload)
            return
        if payload.get("eventType") != "PAYMENT_STATUS_CHANGED":
            return
        data = payload.get("data")
        if not isinstance(data, dict):
            return
        payment_key = str(data.get("paymentKey") or "")[:200]
        order = orders.find_by_order_no(str(data.get("orderId") or ""))
        if order is None or not payment_key or order.payment_method is not PaymentMethod.CARD:
            return
        db.session.commit()
        payment = self.client().payment(payment_key)  # trust the gateway, not the body
        if payment.get("orderId") == order.order_no:
            self._follow(order, payment)

    def _deposit_callback(self, payload: dict) -> None:
        """A virtual account's deposit (or its cancellation): act only when the body carries the secret
        the gateway gave us for this order's payment; what changes comes from a lookup."""
        data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
        order = orders.find_by_order_no(str(data.get("orderId") or ""))
        secret = str(data.get("secret") or "")
        if (
            order is None
            or not order.payment_secret
            or not hmac.compare_digest(secret.encode(), order.payment_secret.encode())
        ):
            log.warning("toss deposit callback with an unknown order or a wrong secret")
            return
        db.session.commit()
        self._follow(order, self.client().payment(order.payment_key or ""))

    def _follow(self, order: Order, payment: dict) -> None:
        """Move the order as the gateway's record of ``payment`` says (:func:`webhook_step` decides)."""
        payment_key = str(payment.get("paymentKey") or "")[:200]
        status = str(payment.get("status") or "")[:30]
        step = webhook_step(
            status,
            order.status,
            ours=order.payment_key == payment_key,
            paid=ledger.totals(order).paid > 0,
            virtual_account=payment.get("method") == "가상계좌",
        )
        if step is WebhookStep.APPLY:
            self._apply(order, payment, PaymentKind.WEBHOOK)
        elif step is WebhookStep.REVERSED:
            self._deposit_reversed(order, payment)
        elif step is WebhookStep.GIVE_BACK:
            self._cancel(order, payment_key, "order no longer payable")
        elif step is WebhookStep.LATE_DEPOSIT:
            # Its account could not be closed in time: the money goes on the ledger, so the order
            # offers 환불하기 for it (a deposit is refunded to an account the merchant enters).
            amount = int(payment.get("totalAmount") or 0)
            note = "deposit after the order was cancelled"
            if lifecycle.record_late_deposit(
                order, PaymentKind.WEBHOOK, ACTOR, amount, payment_key=payment_key, note=note
            ):
                db.session.add(Notification(kind="late_deposit", order_id=order.id))
        elif step is WebhookStep.SYNC_REFUNDS:
            lifecycle.sync_provider_refunds(
                order, refunded_amount(payment), ACTOR, PaymentKind.WEBHOOK, status=status, payment_key=payment_key
            )
        elif step is WebhookStep.RELEASE:
            ledger.record(order, PaymentKind.WEBHOOK, ACTOR, status=status, payment_key=payment_key)
            lifecycle.release_card_claim(order, ACTOR, status)
        else:  # an older attempt, a repeat, or nothing to change: on the ledger, the order left alone
            ledger.record(order, PaymentKind.WEBHOOK, ACTOR, status=status, payment_key=payment_key, note="ignored")
