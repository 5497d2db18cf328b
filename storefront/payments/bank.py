"""무통장입금: the buyer transfers to the shop's account; the merchant confirms the deposit."""

from .. import lifecycle
from ..models import Order, PaymentKind, PaymentMethod
from ..settings import shop_settings


class BankTransfer:
    method = PaymentMethod.BANK_TRANSFER

    def available(self) -> bool:
        return shop_settings().bank_ready

    def accepts(self, amount: int) -> bool:
        return True

    def refund_needs_account(self, order: Order) -> bool:
        return True  # the merchant sends the money back by transfer

    def confirm(self, order: Order, params: dict[str, str]) -> lifecycle.Deposit:
        """The merchant's 입금 확인 (``params["actor"]`` is the merchant)."""
        return lifecycle.confirm_deposit(order, params["actor"])

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
        """The merchant has sent ``amount`` back to 환불 계좌 (``account``: refund_bank, refund_account,
        refund_holder); the shop records it."""
        return lifecycle.record_refund(
            order,
            amount,
            actor,
            PaymentKind.REFUND,
            restock=restock,
            note=reason,
            refunded_seen=refunded_seen,
            status="DONE",
            **account,
        )
