"""Payment providers: one interface, one place.

A provider starts a payment for an order, confirms it, looks it up, refunds
it and handles the gateway's webhooks. Bank transfer (무통장입금) and Toss
Payments (카드 결제) implement it; the checkout offers the ones that are set up.
"""

from typing import Protocol

from ..models import Order, PaymentMethod


class PaymentError(Exception):
    """The gateway refused or failed; ``str(exc)`` is safe to show, ``code`` is the gateway's code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class PaymentProvider(Protocol):
    method: PaymentMethod

    def available(self) -> bool:
        """Set up and able to take payments now."""

    def accepts(self, amount: int) -> bool:
        """Able to take ``amount`` (a gateway has minimums)."""

    def refund_needs_account(self, order: Order) -> bool:
        """Whether a refund is sent to an account the merchant enters (환불 계좌)."""

    def confirm(self, order: Order, params: dict[str, str]) -> object:
        """Complete a payment: the merchant's 입금 확인 for bank transfer (a
        :class:`~storefront.lifecycle.Deposit`), the success URL's parameters for cards (a
        :class:`~storefront.payments.toss.ConfirmResult`)."""

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
        """Give ``amount`` back (all or part of the balance) and record it on the ledger, which sets
        환불 완료 or 부분 환불; ``restock`` says the goods came back; ``refunded_seen`` (what the
        merchant's form saw refunded) makes a form sent twice refund once. True when this call refunded."""


def provider_for(method: PaymentMethod) -> PaymentProvider:
    from .bank import BankTransfer
    from .toss import TossPayments

    return {PaymentMethod.BANK_TRANSFER: BankTransfer(), PaymentMethod.CARD: TossPayments()}[method]


def available_methods(amount: int | None = None) -> list[PaymentMethod]:
    """The methods set up now; with ``amount``, those that can take it (card: at least 100원)."""
    providers = [provider_for(method) for method in PaymentMethod]
    return [p.method for p in providers if p.available() and (amount is None or p.accepts(amount))]


def taking_payments() -> bool:
    """At least one way to pay (입금 계좌 or 카드) is set up, so a link can be paid."""
    return bool(available_methods())


def refund_needs_account(order: Order) -> bool:
    """Whether a refund of ``order`` goes to an account the merchant enters (환불 계좌)."""
    return provider_for(order.payment_method).refund_needs_account(order)
