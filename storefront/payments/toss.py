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
import logging

import requests
from flask import current_app

from .. import ledger, lifecycle, orders
from ..extensions import db
from ..models import Order, OrderStatus, PaymentKind, PaymentMethod
from ..numbers import parse_int
from . import PaymentError

log = logging.getLogger(__name__)
ACTOR = "toss"


class GatewayUnreachable(Exception):
    """No answer we can trust (timeout, connection failure, 5xx): look the payment up later."""


class ConfirmResult(enum.Enum):
    PAID = "paid"
    ALREADY = "already"  # paid or being confirmed by another request: just show the order
    PENDING = "pending"  # the gateway did not answer: the order stays 결제 확인 중 and is settled later
    REFUSED = "refused"  # the success URL does not match the order (tampered amount or order)
    NOT_PAYABLE = "not_payable"  # cancelled or past its deadline
    FAILED = "failed"  # the gateway refused (card rejected...): the order can be paid again


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

    def cancel(self, payment_key: str, reason: str, idempotency_key: str, amount: int | None = None) -> dict:
        """Refund the whole payment, or ``amount`` of it (cancelAmount: a partial refund)."""
        path = f"/v1/payments/{requests.utils.quote(payment_key, safe='')}/cancel"
        body: dict = {"cancelReason": reason[:200]}
        if amount is not None:
            body["cancelAmount"] = amount
        return self._call("POST", path, body, idempotency_key)

    def issue_cash_receipt(self, body: dict, idempotency_key: str) -> dict:
        """현금영수증: amount, orderId, orderName, customerIdentityNumber, type (소득공제 | 지출증빙)."""
        return self._call("POST", "/v1/cash-receipts", body, idempotency_key)

    def _call(self, method: str, path: str, body: dict | None = None, idempotency_key: str | None = None) -> dict:
        headers = {"Authorization": self.auth}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
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

    def gateway(self) -> TossClient:
        """The API client, after ending the current database transaction.

        A call to the gateway can take seconds; no transaction (on SQLite: the
        write lock) is held across it, so other requests are never kept waiting.
        """
        db.session.commit()
        config = current_app.config
        return TossClient(config["TOSS_API_BASE"], config["TOSS_SECRET_KEY"], float(config["TOSS_TIMEOUT"]))

    # -- the success URL -------------------------------------------------------------------

    def confirm(self, order: Order, params: dict[str, str]) -> ConfirmResult:
        payment_key = params.get("paymentKey") or ""
        amount = params.get("amount")
        if (
            params.get("orderId") != order.order_no
            or parse_int(amount) != order.total_amount
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
            return ConfirmResult.ALREADY
        # gateway() commits: the claim is visible to every other request before the gateway is called.

        client = self.gateway()
        try:
            payment = client.confirm(
                payment_key, order.order_no, order.total_amount, _key("confirm", order.order_no, payment_key)
            )
        except PaymentError as exc:
            if exc.code != "ALREADY_PROCESSED_PAYMENT":
                ledger.record(
                    order,
                    PaymentKind.CONFIRM,
                    ACTOR,
                    status="FAILED",
                    provider_code=exc.code[:100],
                    payment_key=payment_key,
                    note=str(exc)[:300],
                )
                lifecycle.release_card_claim(order, ACTOR, exc.code[:100])
                db.session.commit()
                raise
            return self.reconcile(order)
        except GatewayUnreachable as exc:
            log.warning("toss confirm for %s: %s; reconciling", order.order_no, exc)
            return self.reconcile(order)
        return self._apply(order, payment, PaymentKind.CONFIRM)

    def reconcile(self, order: Order) -> ConfirmResult:
        """Settle an order from the gateway's own record of its payment (after a timeout, a refresh...)."""
        try:
            payment = self.gateway().payment_for_order(order.order_no)
        except (GatewayUnreachable, PaymentError) as exc:
            log.warning("toss lookup for %s failed: %s", order.order_no, exc)
            return ConfirmResult.PENDING
        return self._apply(order, payment, PaymentKind.LOOKUP)

    def _apply(self, order: Order, payment: dict | None, kind: PaymentKind) -> ConfirmResult:
        matches = (
            payment is not None
            and payment.get("orderId") == order.order_no
            and payment.get("totalAmount") == order.total_amount
        )
        status = str(payment.get("status") or "") if payment else ""
        payment_key = str(payment.get("paymentKey") or "")[:200] if payment else ""
        if matches and status == "DONE":
            moved = lifecycle.mark_paid(order, ACTOR, kind, payment_key, status)
            db.session.commit()
            return ConfirmResult.PAID if moved else ConfirmResult.ALREADY
        ledger.record(order, kind, ACTOR, status=status or "NOT_FOUND", payment_key=payment_key)
        if payment is None or status in ("ABORTED", "EXPIRED", "CANCELED") or not matches:
            lifecycle.release_card_claim(order, ACTOR, status or "no_payment")
            db.session.commit()
            if payment is not None and status == "DONE" and not matches:
                # Money taken for the wrong amount: give it back rather than keep it.
                self._cancel(order, payment_key, "amount mismatch")
            return ConfirmResult.FAILED
        db.session.commit()
        return ConfirmResult.PENDING  # IN_PROGRESS and the like: ask again later

    # -- refunds ---------------------------------------------------------------------------

    def refund(self, order: Order, amount: int, reason: str, actor: str, restock: bool = False, **account) -> bool:
        """Cancel ``amount`` at the gateway (cancelAmount when partial) and record it; True when recorded.

        A payment already cancelled in the Toss console (ALREADY_CANCELED_PAYMENT) is looked up and
        its refunds recorded. Raises PaymentError / GatewayUnreachable when the gateway refused or
        did not answer (the refusal is on the ledger).
        """
        payment_key = order.payment_key or ""
        if not payment_key:
            return False
        before = ledger.totals(order)
        partial = amount if amount < before.balance else None
        client = self.gateway()
        kind = PaymentKind.CANCEL
        try:
            payment = client.cancel(
                payment_key,
                reason,
                _key("cancel", order.order_no, payment_key, str(before.refunded), str(amount)),
                partial,
            )
            code = ""
        except PaymentError as exc:
            if exc.code != "ALREADY_CANCELED_PAYMENT":
                ledger.record(
                    order,
                    kind,
                    actor,
                    status="FAILED",
                    provider_code=exc.code[:100],
                    payment_key=payment_key,
                    note=str(exc)[:300],
                )
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

    def refund_if_taken(self, order: Order) -> None:
        """A payment that arrived for an order we no longer sell (cancelled, expired): give it back."""
        try:
            payment = self.gateway().payment_for_order(order.order_no)
        except (GatewayUnreachable, PaymentError):
            return
        if payment and payment.get("status") == "DONE":
            self._cancel(order, str(payment["paymentKey"])[:200], "order no longer payable")

    def _cancel(self, order: Order, payment_key: str, reason: str) -> None:
        """Give back a whole payment the order never counted as paid (so it moves no money on the ledger)."""
        payment = self.gateway().cancel(payment_key, reason, _key("cancel", order.order_no, payment_key))
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
        """PAYMENT_STATUS_CHANGED: re-fetch the payment and move the order to match it."""
        if payload.get("eventType") != "PAYMENT_STATUS_CHANGED":
            return
        data = payload.get("data") or {}
        payment_key = str(data.get("paymentKey") or "")[:200]
        order = orders.find_by_order_no(str(data.get("orderId") or ""))
        if order is None or not payment_key or order.payment_method is not PaymentMethod.CARD:
            return
        payment = self.gateway().payment(payment_key)  # trust the gateway, not the body
        if payment.get("orderId") != order.order_no:
            return
        status = str(payment.get("status") or "")[:30]
        ours = order.payment_key == payment_key  # the attempt this order is confirming or was paid by
        if status == "DONE" and order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.CONFIRMING):
            self._apply(order, payment, PaymentKind.WEBHOOK)
        elif status == "DONE" and order.status is OrderStatus.CANCELLED and ledger.totals(order).paid == 0:
            self._cancel(order, payment_key, "order no longer payable")
        elif status in ("CANCELED", "PARTIAL_CANCELED") and ours and order.status in lifecycle.REFUNDABLE:
            lifecycle.sync_provider_refunds(
                order, refunded_amount(payment), ACTOR, PaymentKind.WEBHOOK, status=status, payment_key=payment_key
            )
        elif status in ("ABORTED", "EXPIRED") and ours and order.status is OrderStatus.CONFIRMING:
            ledger.record(order, PaymentKind.WEBHOOK, ACTOR, status=status, payment_key=payment_key)
            lifecycle.release_card_claim(order, ACTOR, status)
        else:
            # An older attempt, a repeat, or nothing to change: kept on the ledger, the order left alone.
            ledger.record(order, PaymentKind.WEBHOOK, ACTOR, status=status, payment_key=payment_key, note="ignored")
