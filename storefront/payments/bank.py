"""무통장입금: the buyer transfers to the shop's account; the merchant confirms the deposit."""

from .. import orders
from ..models import Order, OrderStatus, PaymentMethod
from ..settings import shop_settings


class BankTransfer:
    method = PaymentMethod.BANK_TRANSFER

    def available(self) -> bool:
        return shop_settings().bank_ready

    def confirm(self, order: Order, params: dict[str, str]) -> bool:
        """The merchant's 입금 확인 (``params["actor"]`` is the merchant)."""
        return orders.transition(order, OrderStatus.PAID, params["actor"])

    def refund(self, order: Order, reason: str, actor: str) -> bool:
        # The merchant sends the money back by bank; the shop records it and restocks.
        return orders.transition(order, OrderStatus.REFUNDED, actor, reason)
