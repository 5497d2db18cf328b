"""The events a device takes: one switch per Web Push event (storefront.push)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from ...models import PUSH_EVENT_LABELS, PushEvent


def _switch(event: PushEvent, hint) -> BooleanField:
    return BooleanField(PUSH_EVENT_LABELS[event], description=hint)


class PushEventsForm(FlaskForm):
    """Field names are the PushEvent values (and PushSubscription's columns)."""

    order_placed = _switch(
        PushEvent.ORDER_PLACED, _l("An order was placed (by bank transfer: as Deposit to check, when that is on).")
    )
    deposit_needed = _switch(PushEvent.DEPOSIT_NEEDED, _l("A bank transfer order was placed: check its deposit."))
    deposit_arrived = _switch(PushEvent.DEPOSIT_ARRIVED, _l("A buyer paid into a virtual account."))
    card_paid = _switch(PushEvent.CARD_PAID, _l("A card or easy payment went through."))
    link_viewed = _switch(PushEvent.LINK_VIEWED, _l("A customer opened the window made for them, the first time."))

    def chosen(self) -> set[PushEvent]:
        return {event for event in PushEvent if self[event.value].data}
