"""The checkout form (주문자 정보, 배송지, 수량, 결제수단)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, ValidationError

from ..fields import LenientIntegerField, email_field, line_field
from ..formatting import METHOD_LABELS
from ..models import PaymentMethod
from ..orders import SHIPPING_FIELDS, CheckoutData
from ..text import is_mobile_number, is_phone_number, phone_digits


def _mobile(form, field):
    if field.data and not is_mobile_number(field.data):
        raise ValidationError(_l("Enter a mobile number such as 010-1234-5678."))


def _phone(form, field):
    if field.data and not is_phone_number(field.data):
        raise ValidationError(_l("Enter a phone number such as 010-1234-5678."))


def _postcode(form, field):
    if field.data and not re.fullmatch(r"\d{5}", field.data):
        raise ValidationError(_l("Enter the 5-digit postcode."))


class CheckoutForm(FlaskForm):
    # A label, though never shown: without one WTForms loads its own catalogue on every request to name it.
    nonce = HiddenField("")
    buyer_name = line_field(_l("Name"), 50, required=_l("Enter your name."))
    buyer_phone = StringField(
        _l("Mobile number"),
        filters=[phone_digits],
        validators=[DataRequired(_l("Enter your mobile number.")), _mobile],
    )
    buyer_email = email_field(_l("E-mail"))
    recipient_name = line_field(_l("Recipient"), 50)
    recipient_phone = StringField(_l("Recipient phone"), filters=[phone_digits], validators=[_phone])
    postcode = StringField(_l("Postcode"), filters=[lambda s: re.sub(r"\D", "", s or "")], validators=[_postcode])
    address = line_field(_l("Address"), 200)
    address_detail = line_field(_l("Address line 2"), 200)
    delivery_note = line_field(_l("Delivery note"), 200)
    quantity = LenientIntegerField(
        _l("Quantity"),
        default=1,
        invalid_message=_l("Enter the quantity as a number."),
        validators=[InputRequired(_l("Enter the quantity."))],
    )
    payment_method = RadioField(_l("Payment method"), validators=[InputRequired(_l("Choose a payment method."))])
    depositor_name = line_field(_l("Depositor name"), 50)
    agree = BooleanField(
        _l("I have checked the order and agree to pay."),
        validators=[DataRequired(_l("Please confirm the order to continue."))],
    )

    def __init__(self, *args, requires_shipping: bool, max_quantity: int, methods: list[PaymentMethod], **kwargs):
        super().__init__(*args, **kwargs)
        self.requires_shipping = requires_shipping
        self.max_quantity = max_quantity
        self.payment_method.choices = [SelectChoice(m.value, METHOD_LABELS[m]) for m in methods]
        if self.payment_method.data is None and methods:
            self.payment_method.data = methods[0].value

    def validate_quantity(self, field):
        if field.data is None:
            return
        if field.data < 1:
            raise ValidationError(_l("Order at least 1."))
        if field.data > self.max_quantity:
            raise ValidationError(_l("You can order up to %(n)d.", n=self.max_quantity))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.requires_shipping:
            required = {
                self.recipient_name: _l("Enter the recipient's name."),
                self.recipient_phone: _l("Enter the recipient's phone number."),
                self.postcode: _l("Enter the 5-digit postcode."),
                self.address: _l("Enter the address."),
            }
            for field, message in required.items():
                if not field.data and not field.errors:
                    field.errors.append(message)
                    valid = False
        return valid

    def checkout_data(self) -> CheckoutData:
        data = CheckoutData(
            quantity=self.quantity.data,
            buyer_name=self.buyer_name.data,
            buyer_phone=self.buyer_phone.data,
            buyer_email=self.buyer_email.data or "",
            payment_method=PaymentMethod(self.payment_method.data),
            depositor_name=self.depositor_name.data or "",
        )
        if self.requires_shipping:
            for name in SHIPPING_FIELDS:
                setattr(data, name, getattr(self, name).data or "")
        return data
