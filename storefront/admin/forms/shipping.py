"""The 배송비 fields, as the shop's 기본 배송비 (상점 설정) and as a product's 개별 배송비 (상품 등록),
and the 추가 배송비 지역."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import NumberRange, Optional

from ...fields import LenientIntegerField, line_field, options
from ...models import ShippingFeeType, ShippingMode
from ...shipping import FEE_TYPE_LABELS, MODE_LABELS, REGION_LABELS, Rule

MAX_FEE = 1_000_000
FEE_TYPE_CHOICES = options(*((kind.value, label) for kind, label in FEE_TYPE_LABELS.items()))
MODE_CHOICES = options(*((mode.value, label) for mode, label in MODE_LABELS.items()))


def won_field(label, **kwargs) -> LenientIntegerField:
    return LenientIntegerField(
        label,
        invalid_message=_l("Enter the amount in whole won, e.g. 3000."),
        validators=[Optional(), NumberRange(0, MAX_FEE, _l("Enter an amount from 0 to 1,000,000 won."))],
        **kwargs,
    )


def fee_type_field(default: ShippingFeeType) -> RadioField:
    return RadioField(_l("Shipping fee type"), choices=FEE_TYPE_CHOICES, default=default.value)


class ShippingRuleFields:
    """배송비 유형 and its amounts; a form mixes these in and calls :meth:`validate_shipping_rule`."""

    shipping_fee_type = fee_type_field(ShippingFeeType.PAID)
    shipping_fee = won_field(_l("Shipping fee"), default=0)
    shipping_free_from = won_field(_l("Free shipping from"), default=0)
    shipping_quantity_unit = LenientIntegerField(
        _l("Quantity unit"),
        default=1,
        invalid_message=_l("Enter a whole number, e.g. 5."),
        validators=[Optional(), NumberRange(1, 1000, _l("Enter a number from 1 to 1,000."))],
    )

    def validate_shipping_rule(self) -> bool:
        """The amounts the chosen type needs are there (Optional() leaves empty fields to this)."""
        kind = self.shipping_fee_type.data
        needed = []
        if kind in (ShippingFeeType.PAID, ShippingFeeType.CONDITIONAL, ShippingFeeType.PER_QUANTITY):
            needed.append((self.shipping_fee, _l("Enter the shipping fee.")))
        if kind == ShippingFeeType.CONDITIONAL:
            needed.append((self.shipping_free_from, _l("Enter the amount from which shipping is free.")))
        if kind == ShippingFeeType.PER_QUANTITY:
            needed.append((self.shipping_quantity_unit, _l("Enter how many pieces one fee covers.")))
        valid = True
        for field, message in needed:
            if not field.data and not field.errors:
                field.errors.append(message)
                valid = False
        return valid

    def shipping_rule(self) -> Rule:
        return Rule(
            ShippingFeeType(self.shipping_fee_type.data),
            self.shipping_fee.data or 0,
            self.shipping_free_from.data or 0,
            self.shipping_quantity_unit.data or 1,
        )

    def fill_shipping_rule(self, rule: Rule) -> None:
        self.shipping_fee_type.data = rule.fee_type.value
        self.shipping_fee.data = rule.fee
        self.shipping_free_from.data = rule.free_from
        self.shipping_quantity_unit.data = rule.quantity_unit


def mode_field(label, default: ShippingMode = ShippingMode.DEFAULT) -> RadioField:
    return RadioField(label, choices=MODE_CHOICES, default=default.value)


class ShippingRegionForm(FlaskForm):
    """추가 배송비 지역: one range of 우편번호 that pays the 제주 or the 도서산간 extra."""

    kind = RadioField(
        _l("Region"), choices=options(*((kind, label) for kind, label in REGION_LABELS.items())), default="remote"
    )
    name = line_field(_l("Region name"), 50)
    postcode_from = StringField(_l("Postcode from"), filters=[lambda s: (s or "").strip()])
    postcode_to = StringField(_l("Postcode to"), filters=[lambda s: (s or "").strip()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.postcode_from, self.postcode_to):
            if not re.fullmatch(r"\d{5}", field.data or ""):
                field.errors.append(_l("Enter a 5-digit postcode."))
                valid = False
        if valid and self.postcode_from.data > self.postcode_to.data:
            self.postcode_to.errors.append(_l("The range must end at or after its start."))
            valid = False
        return valid
