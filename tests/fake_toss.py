"""A local stand-in for the Toss Payments API, served on 127.0.0.1 for the tests.

It follows the documented API where it matters to us:

- Keys by type: Basic auth with the secret key; a payment made through the payment widget is
  confirmed only with a 결제위젯 연동 키 (``…_gsk_…``), any other key is UNAUTHORIZED_KEY.
- A payment exists from the buyer's authentication on (:meth:`FakeToss.authenticate`: IN_PROGRESS,
  as the API shows it once the buyer authenticated); attempts the buyer abandoned stay stored as
  ABORTED; a lookup by orderId answers the latest attempt. An authentication not confirmed within
  10 minutes expires (EXPIRED, NOT_FOUND_PAYMENT_SESSION). The gateway's clock is the shop's clock (frozen
  with time-machine where a test needs an instant), moved ahead of it by :meth:`advance`.
- Confirm: ALREADY_PROCESSED_PAYMENT on a second confirm, the Idempotency-Key replaying the first
  answer for the same key + URL + method + secret key, errors included (PROVIDER_ERROR too: the
  docs promise the first answer again; only a 5xx or 409 IDEMPOTENT_REQUEST_PROCESSING is not
  stored); orderId format, the card minimum (100원) and field lengths validated as the API does.
- Methods: 카드, 간편결제 (with easyPay.provider), 계좌이체, 휴대폰, and 가상계좌 (WAITING_FOR_DEPOSIT with
  a virtualAccount and a ``secret``; :meth:`deposit` makes it DONE and returns the DEPOSIT_CALLBACK
  body); refunds of a deposited virtual account need refundReceiveAccount.
- Cancel, whole or partial (cancelAmount: PARTIAL_CANCELED, balanceAmount, cancels[]);
  ALREADY_CANCELED_PAYMENT on a cancelled one.
- Switches: card rejection, PROVIDER_ERROR, 500 before or after the charge, slowness.

Routes live in one method per API area (``_payment_routes``); another area adds its own method
and registers it in ``_build``.
"""

import base64
import copy
import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, request

KST = timezone(timedelta(hours=9))
ORDER_ID_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
AUTH_VALID = timedelta(minutes=10)
CARD_MINIMUM = 100
BANK_CODES = {"02", "03", "06", "07", "11", "12", "20", "23", "27", "31", "32", "34", "35", "37", "39", "45",
              "48", "50", "54", "64", "71", "81", "88", "89", "90", "92"}  # fmt: skip


class FakeTossError(ValueError):
    """What the SDK or the API refuses before a payment exists (the failUrl's code)."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


class FakeToss:
    def __init__(self, secret_key: str):
        self.secret_key = secret_key
        self.payments: dict[str, dict] = {}  # paymentKey -> Payment object, in the order attempts began
        self.replies: dict[tuple, tuple[int, dict]] = {}  # (key, method, path, Idempotency-Key) -> first answer
        self.confirm_calls = 0
        self.charges = 0
        self.refunds = 0
        self.cash_receipts: dict[str, dict] = {}  # receiptKey -> CashReceipt object
        self.receipt_requests: list[dict] = []  # the bodies of POST /v1/cash-receipts, in order
        self.receipt_cancels: list[tuple[str, int]] = []  # (receiptKey, amount cancelled)
        self.reject_card = False
        self.provider_errors = 0  # the next N confirms answer PROVIDER_ERROR (nothing happens)
        self.slow_seconds = 0.0
        self.fail_500 = False  # confirms answer 500 and nothing happens
        self.fail_500_after_charge = False  # confirms charge, then answer 500
        self.fail_cancels = 0  # the next N cancels answer 500 and cancel nothing
        self.ahead = timedelta(0)  # how far the gateway's clock runs ahead of the shop's
        self.lock = threading.Lock()
        self.app = self._build()

    # -- the clock -------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(KST) + self.ahead

    def advance(self, **delta) -> None:
        """Move the gateway's clock (e.g. ``advance(minutes=11)`` lets an authentication expire)."""
        self.ahead += timedelta(**delta)

    # -- what the widget does in the buyer's browser ---------------------------------------

    def authenticate(
        self,
        order_id: str,
        amount: int,
        method: str = "카드",
        order_name: str = "상품",
        customer_email: str | None = None,
        customer_name: str | None = None,
        easy_pay: str = "",
    ) -> str:
        """The buyer went through the widget and authenticated: the payment exists (IN_PROGRESS) and
        its paymentKey goes to the success URL. Raises FakeTossError for what the SDK refuses."""
        if not ORDER_ID_RE.match(order_id or ""):
            raise FakeTossError("INVALID_ORDER_ID", "orderId는 6자 이상 64자 이하의 영문 대소문자, 숫자, -, _ 입니다.")
        if not isinstance(amount, int) or amount <= 0:
            raise FakeTossError("INVALID_AMOUNT", "결제 금액은 0보다 커야 합니다.")
        if method in ("카드", "간편결제") and amount < CARD_MINIMUM:
            raise FakeTossError("BELOW_MINIMUM_AMOUNT", "카드 결제는 100원 이상부터 가능합니다.")
        for name, value in (
            ("orderName", order_name),
            ("customerEmail", customer_email),
            ("customerName", customer_name),
        ):
            if value is not None and len(value) > 100:
                raise FakeTossError("INVALID_PARAMETER", f"{name}은 100자 이하입니다.")
        payment_key = "tpk_" + uuid.uuid4().hex
        self.payments[payment_key] = {
            "paymentKey": payment_key,
            "orderId": order_id,
            "orderName": order_name,
            "status": "IN_PROGRESS",
            "totalAmount": amount,
            "balanceAmount": amount,
            "method": method,
            "easyPay": {"provider": easy_pay, "amount": amount} if easy_pay else None,
            "virtualAccount": None,
            "secret": None,
            "requestedAt": self.now().isoformat(),
            "approvedAt": None,
            "cancels": None,
            "_widget": True,
        }
        return payment_key

    def open_session(self, order_id: str, amount: int, **kwargs) -> str:
        """The buyer finished the payment window (a card authentication unless ``method`` says otherwise)."""
        return self.authenticate(order_id, amount, **kwargs)

    def abort(self, payment_key: str) -> None:
        """The buyer gave up in the payment window: the attempt stays, ABORTED (failUrl)."""
        self.payments[payment_key]["status"] = "ABORTED"

    def force_done(self, order_id: str, amount: int) -> str:
        """A payment the gateway completed without our confirm (to test refunds of late payments)."""
        payment_key = self.authenticate(order_id, amount)
        self._approve(self.payments[payment_key])
        return payment_key

    def deposit(self, payment_key: str) -> dict:
        """The buyer transferred to the virtual account: DONE; returns the DEPOSIT_CALLBACK body."""
        payment = self.payments[payment_key]
        assert payment["status"] == "WAITING_FOR_DEPOSIT"
        self._approve(payment)
        return {
            "createdAt": self.now().isoformat(),
            "secret": payment["secret"],
            "status": "DONE",
            "transactionKey": uuid.uuid4().hex,
            "orderId": payment["orderId"],
        }

    def reverse_deposit(self, payment_key: str) -> dict:
        """The deposit was taken back (the docs: DONE can return to WAITING_FOR_DEPOSIT); returns the
        DEPOSIT_CALLBACK body."""
        payment = self.payments[payment_key]
        assert payment["status"] == "DONE" and payment["method"] == "가상계좌"
        payment["status"] = "WAITING_FOR_DEPOSIT"
        payment["approvedAt"] = None
        return {
            "createdAt": self.now().isoformat(),
            "secret": payment["secret"],
            "status": "WAITING_FOR_DEPOSIT",
            "transactionKey": uuid.uuid4().hex,
            "orderId": payment["orderId"],
        }

    def cancel_in_console(self, payment_key: str, amount: int | None = None) -> dict:
        """The merchant refunds in the Toss console (all, or ``amount``): the API sees it, we are not told."""
        return self._cancel(self.payments[payment_key], amount)

    def latest(self, order_id: str) -> dict | None:
        found = [p for p in self.payments.values() if p["orderId"] == order_id]
        return found[-1] if found else None

    # -- state changes ---------------------------------------------------------------------

    def _approve(self, payment: dict) -> None:
        payment["status"] = "DONE"
        payment["approvedAt"] = self.now().isoformat()
        self.charges += 1

    def _issue_virtual_account(self, payment: dict) -> None:
        payment["status"] = "WAITING_FOR_DEPOSIT"
        payment["secret"] = "ps_" + uuid.uuid4().hex
        payment["virtualAccount"] = {
            "accountType": "일반",
            "accountNumber": f"{uuid.uuid4().int % 10**14:014d}",
            "bankCode": "20",
            "customerName": "구매자",
            "dueDate": (self.now() + timedelta(days=3)).isoformat(),
            "refundStatus": "NONE",
            "expired": False,
            "settlementStatus": "INCOMPLETED",
            "refundReceiveAccount": None,
        }

    def _expire_if_late(self, payment: dict) -> None:
        if payment["status"] in ("READY", "IN_PROGRESS"):
            if self.now() - datetime.fromisoformat(payment["requestedAt"]) >= AUTH_VALID:
                payment["status"] = "EXPIRED"

    def _cancel(self, payment: dict, amount: int | None, account: dict | None = None) -> dict:
        amount = payment["balanceAmount"] if amount is None else amount
        payment["balanceAmount"] -= amount
        payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
        payment["cancels"] = (payment["cancels"] or []) + [
            {
                "cancelAmount": amount,
                "transactionKey": uuid.uuid4().hex,
                "canceledAt": self.now().isoformat(),
                "refundReceiveAccount": account,
            }
        ]
        if account and payment["virtualAccount"]:
            payment["virtualAccount"]["refundReceiveAccount"] = account
        self.refunds += 1
        return payment

    @staticmethod
    def public(payment: dict) -> dict:
        """The Payment object as the API answers it (without the fake's own bookkeeping)."""
        return {name: copy.deepcopy(value) for name, value in payment.items() if not name.startswith("_")}

    # -- the HTTP API ----------------------------------------------------------------------

    @staticmethod
    def error(status: int, code: str, message: str = "") -> tuple[int, dict]:
        return status, {"code": code, "message": message or code}

    def idempotent(self, handler):
        """Replay the first answer for the same Idempotency-Key, secret key, URL and method, errors
        included (except a 5xx or 409, after which the same request may be sent again)."""
        key = request.headers.get("Idempotency-Key")
        if key is not None and not 0 < len(key) <= 300:
            return jsonify({"code": "INVALID_REQUEST", "message": "Idempotency-Key"}), 400
        scope = (request.headers.get("Authorization"), request.method, request.path, key)
        with self.lock:
            if key and scope in self.replies:
                status, body = self.replies[scope]
            else:
                status, body = handler()
                if key and status < 500 and status != 409:
                    self.replies[scope] = (status, body)
        return jsonify(body), status

    def _build(self) -> Flask:
        app = Flask("fake_toss")

        @app.before_request
        def authenticate():
            header = request.headers.get("Authorization", "")
            try:
                key = base64.b64decode(header.removeprefix("Basic "), validate=True).decode().removesuffix(":")
            except ValueError:
                key = ""
            if not header.startswith("Basic ") or key != self.secret_key:
                return jsonify(
                    {"code": "UNAUTHORIZED_KEY", "message": "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."}
                ), 401
            return None

        self._payment_routes(app)
        self._cash_receipt_routes(app)
        return app

    def _cash_receipt_routes(self, app: Flask) -> None:
        @app.post("/v1/cash-receipts")
        def issue_cash_receipt():
            body = request.get_json()

            def handle():
                # Checked as the API documents: orderId 6–64 of [A-Za-z0-9-_=], orderName 1–100,
                # customerIdentityNumber required (API version 2022-07-27), type 소득공제 | 지출증빙.
                amount = body.get("amount")
                if not isinstance(amount, int) or amount <= 0:
                    return self.error(400, "INVALID_REQUEST", "amount")
                if not re.fullmatch(r"[A-Za-z0-9_=-]{6,64}", str(body.get("orderId") or "")):
                    return self.error(400, "INVALID_REQUEST", "orderId")
                if not 1 <= len(str(body.get("orderName") or "")) <= 100:
                    return self.error(400, "INVALID_REQUEST", "orderName")
                if not re.fullmatch(r"\d{10,18}", str(body.get("customerIdentityNumber") or "")):
                    return self.error(400, "INVALID_REQUEST", "customerIdentityNumber")
                if body.get("type") not in ("소득공제", "지출증빙"):
                    return self.error(400, "INVALID_REQUEST", "type")
                if any(
                    r["orderId"] == body["orderId"] and r.get("issueStatus") != "FAILED"
                    for r in self.cash_receipts.values()
                ):
                    return self.error(400, "ALREADY_ISSUED_CASH_RECEIPT", "이미 발급된 현금영수증입니다.")
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
                    "transactionType": "CONFIRM",
                    "requestedAt": self.now().isoformat(),
                    "failure": None,
                    "_cancelled": 0,
                }
                self.cash_receipts[receipt_key] = receipt
                self.receipt_requests.append(dict(body))
                return 200, self.public(receipt)

            return self.idempotent(handle)

        @app.get("/v1/cash-receipts")
        def cash_receipts_of_a_day():
            # Looked up by the day they were requested (requestDate, Korean time), a page at a time.
            day = request.args.get("requestDate", "")
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                return jsonify({"code": "INVALID_REQUEST", "message": "requestDate"}), 400
            found = [
                self.public(r)
                for r in self.cash_receipts.values()
                if "requestedAt" in r and r["requestedAt"][:10] == day
            ]
            return jsonify({"hasNext": False, "lastCursor": None, "data": found})

        @app.post("/v1/cash-receipts/<receipt_key>/cancel")
        def cancel_cash_receipt(receipt_key):
            body = request.get_json(silent=True) or {}

            def handle():
                receipt = self.cash_receipts.get(receipt_key)
                if receipt is None or "requestedAt" not in receipt:
                    return self.error(404, "NOT_FOUND_CASH_RECEIPT", "존재하지 않는 현금영수증입니다.")
                left = receipt["amount"] - receipt["_cancelled"]
                amount = body.get("amount", left)
                if left <= 0:
                    return self.error(400, "ALREADY_CANCELED_CASH_RECEIPT", "이미 취소된 현금영수증입니다.")
                if not isinstance(amount, int) or not 0 < amount <= left:
                    return self.error(400, "INVALID_REQUEST", "amount")
                receipt["_cancelled"] += amount
                self.receipt_cancels.append((receipt_key, amount))
                return 200, {**self.public(receipt), "transactionType": "CANCEL", "amount": amount}

            return self.idempotent(handle)

    def settle_cash_receipt(self, receipt_key: str, status: str, message: str = "") -> None:
        """The tax office answered: COMPLETED, or FAILED with ``message``."""
        receipt = self.cash_receipts[receipt_key]
        receipt["issueStatus"] = status
        receipt["failure"] = {"code": "FAILED_CASH_RECEIPT", "message": message} if status == "FAILED" else None

    def _payment_routes(self, app: Flask) -> None:
        key_type_ok = lambda payment: not payment["_widget"] or "_gsk_" in self.secret_key  # noqa: E731

        @app.post("/v1/payments/confirm")
        def confirm():
            self.confirm_calls += 1
            if self.fail_500:
                return jsonify({"code": "FAILED_INTERNAL_SYSTEM_PROCESSING", "message": "일시적인 오류"}), 500
            body = request.get_json(silent=True) or {}

            def handle():
                order_id, amount = body.get("orderId"), body.get("amount")
                if not isinstance(order_id, str) or not ORDER_ID_RE.match(order_id):
                    return self.error(400, "INVALID_REQUEST", "orderId")
                payment = self.payments.get(body.get("paymentKey"))
                if payment is None or payment["orderId"] != order_id:
                    return self.error(
                        404, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다."
                    )
                if not key_type_ok(payment):
                    return self.error(401, "UNAUTHORIZED_KEY", "결제위젯 연동 키의 시크릿 키로 승인하세요.")
                self._expire_if_late(payment)
                if payment["status"] in ("DONE", "WAITING_FOR_DEPOSIT", "CANCELED", "PARTIAL_CANCELED"):
                    return self.error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
                if payment["status"] in ("EXPIRED", "ABORTED"):
                    return self.error(
                        404, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다."
                    )
                if amount != payment["totalAmount"]:
                    return self.error(400, "INVALID_REQUEST", "amount mismatch")
                if self.provider_errors:
                    self.provider_errors -= 1
                    return self.error(400, "PROVIDER_ERROR", "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.")
                if self.reject_card and payment["method"] == "카드":
                    payment["status"] = "ABORTED"
                    return self.error(403, "REJECT_CARD_COMPANY", "카드사에서 거절했습니다.<script>x</script>")
                if payment["method"] == "가상계좌":
                    self._issue_virtual_account(payment)
                else:
                    self._approve(payment)
                return 200, self.public(payment)

            reply = self.idempotent(handle)
            if self.fail_500_after_charge:
                return jsonify({"code": "FAILED_INTERNAL_SYSTEM_PROCESSING", "message": "일시적인 오류"}), 500
            if self.slow_seconds:
                time.sleep(self.slow_seconds)  # the charge went through; only the answer is late
            return reply

        @app.get("/v1/payments/<payment_key>")
        def by_key(payment_key):
            payment = self.payments.get(payment_key)
            if payment is None:
                return jsonify({"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}), 404
            self._expire_if_late(payment)
            return jsonify(self.public(payment))

        @app.get("/v1/payments/orders/<order_id>")
        def by_order(order_id):
            payment = self.latest(order_id)
            if payment is None:
                return jsonify({"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}), 404
            self._expire_if_late(payment)
            return jsonify(self.public(payment))

        @app.post("/v1/payments/<payment_key>/cancel")
        def cancel(payment_key):
            if self.fail_cancels:  # a temporary failure: nothing cancelled
                self.fail_cancels -= 1
                return jsonify({"code": "FAILED_INTERNAL_SYSTEM_PROCESSING", "message": "일시적인 오류"}), 500
            def handle():
                payment = self.payments.get(payment_key)
                if payment is None:
                    return self.error(404, "NOT_FOUND_PAYMENT")
                body = request.get_json(silent=True) or {}
                reason = body.get("cancelReason")
                if not isinstance(reason, str) or not 0 < len(reason) <= 200:
                    return self.error(400, "INVALID_REQUEST", "cancelReason")
                if payment["status"] == "CANCELED":
                    return self.error(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
                if payment["status"] not in ("DONE", "PARTIAL_CANCELED", "WAITING_FOR_DEPOSIT"):
                    return self.error(403, "NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다.")
                amount = body.get("cancelAmount")
                if amount is not None and not (isinstance(amount, int) and 0 < amount <= payment["balanceAmount"]):
                    return self.error(400, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")
                account = body.get("refundReceiveAccount")
                deposited = payment["method"] == "가상계좌" and payment["status"] != "WAITING_FOR_DEPOSIT"
                if deposited:
                    if not isinstance(account, dict):
                        return self.error(400, "INVALID_REFUND_ACCOUNT_INFO", "환불 계좌 정보가 필요합니다.")
                    number, holder = str(account.get("accountNumber") or ""), str(account.get("holderName") or "")
                    if account.get("bank") not in BANK_CODES or not re.fullmatch(r"\d{6,20}", number) or not holder:
                        return self.error(400, "INVALID_REFUND_ACCOUNT_INFO", "환불 계좌 정보가 올바르지 않습니다.")
                return 200, self.public(self._cancel(payment, amount, account if deposited else None))

            return self.idempotent(handle)
