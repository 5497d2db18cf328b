"""The checkout form (주문자 정보, 배송지, 수량, 결제수단)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Regexp, ValidationError

from .. import business
from ..cash_receipts import CASH_RECEIPT_CHOICES
from ..fields import LenientIntegerField, PhoneField, email_field, line_field, mobile_number
from ..formatting import METHOD_LABELS
from ..guest_lookup import normalise_order_no
from ..models import CashReceiptType, PaymentMethod
from ..numbers import parse_won
from ..orders import SHIPPING_FIELDS, CheckoutData
from ..text import is_mobile_number, is_phone_number, phone_digits


def _phone(form, field):
    if field.data and not is_phone_number(field.data):
        raise ValidationError(_l("Enter a phone number such as 010-1234-5678."))


def _postcode(form, field):
    if field.data and not re.fullmatch(r"\d{5}", field.data):
        raise ValidationError(_l("Enter the 5-digit postcode."))


class CheckoutForm(FlaskForm):
    # A label, though never shown: without one WTForms loads its own catalogue on every request to name it.
    nonce = HiddenField("")
    # The 합계 the buyer saw (the page's, kept in step by its script): an order is placed only for it.
    expected_total = HiddenField("")
    buyer_name = line_field(_l("Name"), 50, required=_l("Enter your name."))
    buyer_phone = PhoneField(
        _l("Mobile number"),
        validators=[DataRequired(_l("Enter your mobile number.")), mobile_number],
    )
    buyer_email = email_field(_l("E-mail"))
    recipient_name = line_field(_l("Recipient"), 50)
    recipient_phone = PhoneField(_l("Recipient phone"), validators=[_phone])
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
    # 현금영수증 (bank transfers only) and the two consents, each asked separately, never pre-ticked.
    cash_receipt_type = RadioField(
        _l("Cash receipt"), choices=CASH_RECEIPT_CHOICES, default=CashReceiptType.NONE.value, validate_choice=False
    )
    cash_receipt_phone = StringField(_l("Mobile number for the receipt"), filters=[phone_digits])
    cash_receipt_business_no = StringField(_l("Business registration number"), filters=[business.brn_digits])
    agree_collection = BooleanField(
        _l("I agree to the collection and use of my personal data. (required)"),
        validators=[DataRequired(_l("Please agree to the collection and use of your personal data to order."))],
    )
    agree_terms = BooleanField(
        _l("I have checked the purchase terms and agree to pay. (required)"),
        validators=[DataRequired(_l("Please agree to the purchase terms to pay."))],
    )
    same_as_buyer = BooleanField(_l("Same as buyer details"))

    def __init__(
        self,
        *args,
        requires_shipping: bool,
        max_quantity: int,
        methods: list[PaymentMethod],
        cart: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.requires_shipping = requires_shipping
        self.max_quantity = max_quantity
        self.payment_method.choices = [SelectChoice(m.value, METHOD_LABELS[m]) for m in methods]
        if self.payment_method.data is None and methods:
            self.payment_method.data = methods[0].value
        if cart:  # 장바구니: each line has its own quantity
            del self.quantity

    def validate_quantity(self, field):
        if field.data is None:
            return
        if field.data < 1:
            raise ValidationError(_l("Order at least 1."))
        if field.data > self.max_quantity:
            raise ValidationError(_l("You can order up to %(n)d.", n=self.max_quantity))

    def validate(self, extra_validators=None) -> bool:
        if self.requires_shipping and self.same_as_buyer.data:
            self._copy_buyer_to_recipient()
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
        return self._validate_cash_receipt() and valid

    def _validate_cash_receipt(self) -> bool:
        if self.payment_method.data != PaymentMethod.BANK_TRANSFER.value:
            return True
        kind = self.cash_receipt_type.data
        if kind not in {t.value for t in CashReceiptType}:
            self.cash_receipt_type.errors.append(_l("Choose whether you need a cash receipt."))
            return False
        if kind == CashReceiptType.INCOME_DEDUCTION.value:
            number = self.cash_receipt_phone.data or self.buyer_phone.data
            if number and not is_mobile_number(number):
                self.cash_receipt_phone.errors.append(_l("Enter a mobile number such as 010-1234-5678."))
                return False
        if kind == CashReceiptType.EXPENSE_PROOF.value and not business.is_valid_brn(
            self.cash_receipt_business_no.data
        ):
            self.cash_receipt_business_no.errors.append(
                _l("Enter a valid 10-digit business registration number such as 123-45-67890.")
            )
            return False
        return True

    def cash_receipt(self) -> tuple[CashReceiptType, str]:
        """What to issue the receipt to: the buyer's phone unless another one was typed."""
        if self.payment_method.data != PaymentMethod.BANK_TRANSFER.value:
            return CashReceiptType.NONE, ""
        kind = CashReceiptType(self.cash_receipt_type.data)
        if kind is CashReceiptType.INCOME_DEDUCTION:
            return kind, self.cash_receipt_phone.data or self.buyer_phone.data
        if kind is CashReceiptType.EXPENSE_PROOF:
            return kind, self.cash_receipt_business_no.data
        return kind, ""

    def _copy_buyer_to_recipient(self) -> None:
        """주문자 정보와 동일: the buyer's name and phone win over whatever the recipient fields hold."""
        for buyer, recipient in ((self.buyer_name, self.recipient_name), (self.buyer_phone, self.recipient_phone)):
            recipient.data, recipient.raw_data = buyer.data, buyer.raw_data

    def checkout_data(self) -> CheckoutData:
        data = CheckoutData(
            quantity=self.quantity.data if "quantity" in self else 0,
            buyer_name=self.buyer_name.data,
            buyer_phone=self.buyer_phone.data,
            buyer_email=self.buyer_email.data or "",
            payment_method=PaymentMethod(self.payment_method.data),
            depositor_name=self.depositor_name.data or "",
            expected_total=parse_won(self.expected_total.data),
        )
        if self.requires_shipping:
            for name in SHIPPING_FIELDS:
                setattr(data, name, getattr(self, name).data or "")
        data.cash_receipt_type, data.cash_receipt_number = self.cash_receipt()
        return data


class GateForm(FlaskForm):
    """휴대폰 번호 뒤 4자리: what a link bound to one buyer asks before it shows anything."""

    digits = StringField(
        _l("Last 4 digits of your mobile number"),
        filters=[lambda s: re.sub(r"\D", "", s or "")],
        validators=[DataRequired(_l("Enter 4 digits.")), Regexp(r"^\d{4}$", message=_l("Enter 4 digits."))],
    )


class GuestLookupForm(FlaskForm):
    """비회원 주문조회: 주문번호 and 휴대폰 번호."""

    order_no = StringField(
        _l("Order number"),
        filters=[normalise_order_no],
        validators=[DataRequired(_l("Enter the order number."))],
    )
    phone = PhoneField(
        _l("Mobile number"),
        validators=[DataRequired(_l("Enter your mobile number.")), mobile_number],
    )
