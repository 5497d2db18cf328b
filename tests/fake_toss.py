"""A local stand-in for the Toss Payments API, served on 127.0.0.1 for the tests.

It behaves like the documented API where it matters to us: Basic auth with the
secret key, confirm / lookup by paymentKey and by orderId / cancel (whole, or
partial with cancelAmount: PARTIAL_CANCELED, balanceAmount, cancels[]), JSON
errors with codes, ALREADY_PROCESSED_PAYMENT on a second confirm,
ALREADY_CANCELED_PAYMENT on a cancelled one, replayed answers for a repeated
Idempotency-Key, and switches for card rejection, slowness and 500s.
"""

import base64
import copy
import re
import threading
import time
import uuid

from flask import Flask, jsonify, request


class FakeToss:
    def __init__(self, secret_key: str):
        self.secret_key = secret_key
        self.sessions: dict[str, dict] = {}  # orderId -> what the payment window handed the buyer
        self.payments: dict[str, dict] = {}  # paymentKey -> Payment object
        self.replies: dict[str, tuple[int, dict]] = {}  # Idempotency-Key -> first answer
        self.confirm_calls = 0
        self.charges = 0
        self.refunds = 0
        self.cash_receipts: dict[str, dict] = {}  # receiptKey -> CashReceipt object
        self.reject_card = False
        self.slow_seconds = 0.0
        self.fail_500 = False
        self.lock = threading.Lock()
        self.app = self._build()

    # -- what the widget does in the buyer's browser ---------------------------------------

    def open_session(self, order_id: str, amount: int) -> str:
        """The buyer finished the payment window: returns the paymentKey put in the success URL."""
        payment_key = "tpk_" + uuid.uuid4().hex
        self.sessions[order_id] = {"paymentKey": payment_key, "amount": amount}
        return payment_key

    def force_done(self, order_id: str, amount: int) -> str:
        """A payment the gateway completed without our confirm (to test refunds of late payments)."""
        payment_key = self.open_session(order_id, amount)
        self.payments[payment_key] = self._payment(payment_key, order_id, amount)
        self.charges += 1
        return payment_key

    def _payment(self, payment_key, order_id, amount, status="DONE"):
        return {
            "paymentKey": payment_key,
            "orderId": order_id,
            "status": status,
            "totalAmount": amount,
            "balanceAmount": amount,
            "method": "카드",
            "approvedAt": "2026-11-30T10:00:00+09:00",
            "cancels": [],
        }

    def cancel_in_console(self, payment_key: str, amount: int | None = None) -> dict:
        """The merchant refunds in the Toss console (all, or ``amount``): the API sees it, we are not told."""
        return self._cancel(self.payments[payment_key], amount)

    def _cancel(self, payment: dict, amount: int | None) -> dict:
        amount = payment["balanceAmount"] if amount is None else amount
        payment["balanceAmount"] -= amount
        payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
        payment["cancels"].append({"cancelAmount": amount, "transactionKey": uuid.uuid4().hex})
        self.refunds += 1
        return payment

    # -- the HTTP API ----------------------------------------------------------------------

    def _build(self) -> Flask:
        app = Flask("fake_toss")
        expected = "Basic " + base64.b64encode(f"{self.secret_key}:".encode()).decode()

        def error(status, code, message=""):
            return status, {"code": code, "message": message or code}

        def idempotent(handler):
            key = request.headers.get("Idempotency-Key")
            with self.lock:
                if key and key in self.replies:
                    status, body = self.replies[key]
                else:
                    status, body = handler()
                    if key and status < 500:
                        self.replies[key] = (status, body)
            return jsonify(body), status

        @app.before_request
        def authenticate():
            if request.headers.get("Authorization") != expected:
                return jsonify({"code": "UNAUTHORIZED_KEY", "message": "bad key"}), 401
            return None

        @app.post("/v1/payments/confirm")
        def confirm():
            self.confirm_calls += 1
            if self.fail_500:
                return jsonify({"code": "FAILED_INTERNAL_SYSTEM_PROCESSING"}), 500
            body = request.get_json()

            def handle():
                session = self.sessions.get(body.get("orderId"))
                if session is None or session["paymentKey"] != body.get("paymentKey"):
                    return error(
                        404, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다."
                    )
                if body.get("amount") != session["amount"]:
                    return error(400, "INVALID_REQUEST", "amount mismatch")
                existing = self.payments.get(body["paymentKey"])
                if existing and existing["status"] == "DONE":
                    return error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
                if self.reject_card:
                    return error(403, "REJECT_CARD_COMPANY", "카드사에서 거절했습니다.<script>x</script>")
                payment = self._payment(body["paymentKey"], body["orderId"], body["amount"])
                self.payments[body["paymentKey"]] = payment
                self.charges += 1
                return 200, payment

            reply = idempotent(handle)
            if self.slow_seconds:
                time.sleep(self.slow_seconds)  # the charge went through; only the answer is late
            return reply

        @app.get("/v1/payments/<payment_key>")
        def by_key(payment_key):
            payment = self.payments.get(payment_key)
            if payment is None:
                return jsonify({"code": "NOT_FOUND_PAYMENT"}), 404
            return jsonify(payment)

        @app.get("/v1/payments/orders/<order_id>")
        def by_order(order_id):
            for payment in self.payments.values():
                if payment["orderId"] == order_id:
                    return jsonify(payment)
            return jsonify({"code": "NOT_FOUND_PAYMENT"}), 404

        @app.post("/v1/payments/<payment_key>/cancel")
        def cancel(payment_key):
            def handle():
                payment = self.payments.get(payment_key)
                if payment is None:
                    return error(404, "NOT_FOUND_PAYMENT")
                if payment["status"] == "CANCELED":
                    return error(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
                amount = (request.get_json() or {}).get("cancelAmount")
                if amount is not None and not (isinstance(amount, int) and 0 < amount <= payment["balanceAmount"]):
                    return error(400, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")
                return 200, copy.deepcopy(self._cancel(payment, amount))

            return idempotent(handle)

        @app.post("/v1/cash-receipts")
        def issue_cash_receipt():
            body = request.get_json()

            def handle():
                # Checked as the API documents: orderId 6–64 of [A-Za-z0-9-_=], orderName 1–100,
                # customerIdentityNumber required (API version 2022-07-27), type 소득공제 | 지출증빙.
                amount = body.get("amount")
                if not isinstance(amount, int) or amount <= 0:
                    return error(400, "INVALID_REQUEST", "amount")
                if not re.fullmatch(r"[A-Za-z0-9_=-]{6,64}", str(body.get("orderId") or "")):
                    return error(400, "INVALID_REQUEST", "orderId")
                if not 1 <= len(str(body.get("orderName") or "")) <= 100:
                    return error(400, "INVALID_REQUEST", "orderName")
                if not re.fullmatch(r"\d{10,18}", str(body.get("customerIdentityNumber") or "")):
                    return error(400, "INVALID_REQUEST", "customerIdentityNumber")
                if body.get("type") not in ("소득공제", "지출증빙"):
                    return error(400, "INVALID_REQUEST", "type")
                if any(r["orderId"] == body["orderId"] for r in self.cash_receipts.values()):
                    return error(400, "ALREADY_ISSUED_CASH_RECEIPT", "이미 발급된 현금영수증입니다.")
                receipt_key = "crk_" + uuid.uuid4().hex
                receipt = {
                    "receiptKey": receipt_key,
                    "issueNumber": str(len(self.cash_receipts) + 1).zfill(9),
                    "receiptUrl": f"https://dashboard.tosspayments.com/receipt/cash-receipt?key={receipt_key}",
                    "issueStatus": "IN_PROGRESS",
                    "type": body["type"],
                    "amount": amount,
                    "orderId": body["orderId"],
                    "orderName": body["orderName"],
                    "customerIdentityNumber": body["customerIdentityNumber"],
                }
                self.cash_receipts[receipt_key] = receipt
                return 200, receipt

            return idempotent(handle)

        return app
