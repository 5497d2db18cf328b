"""Forms of 상점 설정 and 약관 및 정책."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    MultipleFileField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from ... import business
from ...fields import LenientIntegerField, email_field, line_field
from ...models import ShippingFeeType, ShippingMode
from .shipping import ShippingRuleFields, fee_type_field, mode_field, won_field

BUSINESS_FIELDS = (
    "business_name", "representative", "business_no", "mail_order_no", "business_address", "privacy_officer",
    "hosting_provider", "escrow_provider", "escrow_url",
)  # fmt: skip


class ShopSettingsForm(ShippingRuleFields, FlaskForm):
    name = line_field(_l("Shop name"), 100, required=_l("Enter the shop name."))
    description = line_field(_l("Shop description"), 300)
    phone = line_field(_l("Contact phone"), 30)
    email = email_field(_l("Contact e-mail"))
    notify_email = email_field(_l("E-mail for order notifications"))
    bank_name = line_field(_l("Bank"), 50)
    bank_account = line_field(_l("Account number"), 50)
    bank_holder = line_field(_l("Account holder"), 50)
    payment_due_days = LenientIntegerField(
        _l("Payment deadline (days)"),
        default=3,
        validators=[
            InputRequired(_l("Enter the number of days.")),
            NumberRange(1, 30, _l("Enter a number of days from 1 to 30.")),
        ],
    )
    preview_image = MultipleFileField(_l("Default preview image"))
    # 사업자 정보 and 구매안전서비스 (see storefront.business).
    business_name = line_field(_l("Business name"), 100)
    representative = line_field(_l("Representative"), 50)
    business_no = StringField(_l("Business registration number"), filters=[business.brn_digits])
    mail_order_no = line_field(_l("Mail-order business report number"), 50)
    business_address = line_field(_l("Business address"), 200)
    privacy_officer = line_field(_l("Privacy officer"), 100)
    hosting_provider = line_field(_l("Hosting provider"), 100)
    escrow_provider = line_field(_l("Purchase protection service provider"), 100)
    escrow_url = line_field(_l("Enrolment check link"), 500)

    def validate_business_no(self, field):
        if field.data and not business.is_valid_brn(field.data):
            raise ValidationError(_l("Enter a valid 10-digit business registration number such as 123-45-67890."))

    def validate_mail_order_no(self, field):
        if field.data and not business.is_plausible_mail_order_no(field.data):
            raise ValidationError(_l("Enter the number as on the report, such as 제2024-서울강남-01234호."))

    def validate_escrow_url(self, field):
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a link that starts with https://."))

    favicon = MultipleFileField(_l("Favicon"))
    # 배송비: the shop's 기본 배송비 (ShippingRuleFields), free until the merchant sets one.
    shipping_fee_type = fee_type_field(ShippingFeeType.FREE)
    return_shipping_fee = won_field(_l("Return shipping fee"), default=0)
    exchange_shipping_fee = won_field(_l("Exchange shipping fee"), default=0)
    jeju_extra_fee = won_field(_l("Jeju extra shipping fee"), default=0)
    remote_extra_fee = won_field(_l("Remote island extra shipping fee"), default=0)
    window_shipping_mode = mode_field(_l("Shipping fee of new personal payment windows"), ShippingMode.FREE)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        bank = [self.bank_name, self.bank_account, self.bank_holder]
        if any(f.data for f in bank):
            for f in bank:
                if not f.data and not f.errors:
                    f.errors.append(_l("Fill in the bank, account number and holder together."))
                    valid = False
        return self.validate_shipping_rule() and valid

    def values(self) -> dict:
        names = ["name", "description", "phone", "email", "notify_email", "bank_name", "bank_account", "bank_holder"]
        values = {name: getattr(self, name).data or "" for name in names}
        values["payment_due_days"] = self.payment_due_days.data
        for name in BUSINESS_FIELDS:
            values[name] = getattr(self, name).data or ""
        rule = self.shipping_rule()
        values.update(
            shipping_fee_type=rule.fee_type,
            shipping_fee=rule.fee,
            shipping_free_from=rule.free_from,
            shipping_quantity_unit=rule.quantity_unit,
            window_shipping_mode=ShippingMode(self.window_shipping_mode.data),
        )
        for name in ("return_shipping_fee", "exchange_shipping_fee", "jeju_extra_fee", "remote_extra_fee"):
            values[name] = getattr(self, name).data or 0
        return values


class PolicyForm(FlaskForm):
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Enter the text.")),
            Length(max=50_000, message=_l("Up to %(n)d characters.", n=50_000)),
        ],
    )
