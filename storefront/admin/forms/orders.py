"""Forms of 주문 관리 and an order's steps."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FileField,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    NumberRange,
    ValidationError,
)

from ... import exports, extra_payments
from ...fields import LenientIntegerField, line_field, options
from ...lifecycle import CARRIERS, tracking_number, tracking_problem
from ...models import OrderStatus, PaymentMethod
from ...orders import TO_SHIP
from ...text import clean_line


class OrderFilterForm(Form):
    """주문 관리 filters, from the query string."""

    q = StringField(_l("Order number, name or phone"), filters=[lambda s: clean_line(s)[:50]])
    status = SelectField(
        _l("Status"),
        choices=options(
            ("", _l("All")), (TO_SHIP, _l("Orders to ship")), *((status.value, status.label) for status in OrderStatus)
        ),
        default="",
        validate_choice=False,
    )


class ExportForm(FlaskForm):
    """다운로드 사유: asked before 주문 관리's list leaves the shop as a file."""

    purpose = RadioField(
        _l("Download reason"),
        choices=options(*((purpose.value, label) for purpose, label in exports.PURPOSE_LABELS.items())),
        validators=[InputRequired(_l("Choose what the file is for."))],
    )
    reason = line_field(_l("Reason in detail"), 200)

    def validate_reason(self, field):
        if self.purpose.data == exports.Purpose.OTHER and not field.data:
            raise ValidationError(_("Say what the file is for: it holds every column."))

    @property
    def chosen(self) -> "exports.Purpose":
        return exports.Purpose(self.purpose.data)


class ShipForm(FlaskForm):
    """배송 시작: 택배사 and 송장번호."""

    carrier = SelectField(
        _l("Carrier"),
        choices=options(("", _l("Choose")), *((code, carrier.name) for code, carrier in CARRIERS.items())),
        validators=[InputRequired(_l("Choose the carrier."))],
        validate_choice=False,  # validate_carrier says it in the shop's words
    )
    tracking_no = line_field(_l("Tracking number"), 30, _l("Enter the tracking number."))

    def validate_tracking_no(self, field):
        field.data = tracking_number(field.data)
        problem = self.carrier.data in CARRIERS and tracking_problem(self.carrier.data, field.data)
        if problem:
            raise ValidationError(problem)

    def validate_carrier(self, field):
        if field.data not in CARRIERS:
            raise ValidationError(_l("Choose the carrier."))


DEADLINE_DAYS = (1, 2, 3, 5, 7)


class ExtendDeadlineForm(FlaskForm):
    """입금 기한 연장."""

    days = SelectField(
        _l("Extend by"),
        choices=options(*((str(n), _l("%(n)d days", n=n)) for n in DEADLINE_DAYS)),
        default="3",
        validate_choice=True,
    )


class RefundForm(FlaskForm):
    """환불하기: 환불 금액 and, for bank transfers, 환불 계좌 (은행, 계좌번호, 예금주)."""

    amount = LenientIntegerField(
        _l("Refund amount"),
        invalid_message=_l("Enter the amount in whole won, e.g. 5000."),
        validators=[InputRequired(_l("Enter the refund amount.")), NumberRange(1, None, _l("Enter at least 1 won."))],
    )
    restock = BooleanField(_l("The goods came back: return them to stock"))
    include_shipping = BooleanField(_l("Give back the shipping fee too"))
    refunded_seen = HiddenField()  # the amount refunded when the form was opened
    refund_bank = line_field(_l("Bank"), 50)
    refund_account = line_field(_l("Account number"), 50)
    refund_holder = line_field(_l("Account holder"), 50)

    def __init__(self, *args, method: PaymentMethod | None = None, needs_account: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        self.needs_account = method is PaymentMethod.BANK_TRANSFER if needs_account is None else needs_account

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.needs_account:
            for field in (self.refund_bank, self.refund_account, self.refund_holder):
                if not field.data:
                    field.errors = [*field.errors, _l("Enter the account the money was sent to.")]
                    valid = False
        return valid

    def account(self) -> dict[str, str]:
        if not self.needs_account:
            return {}
        return {
            "refund_bank": self.refund_bank.data,
            "refund_account": self.refund_account.data,
            "refund_holder": self.refund_holder.data,
        }


class BulkShipForm(FlaskForm):
    """주문 관리 › 일괄 배송 시작: one 택배사, and lines of "주문번호 송장번호" pasted from a spreadsheet
    or uploaded as a CSV or text file (a header line is skipped)."""

    carrier = ShipForm.carrier
    validate_carrier = ShipForm.validate_carrier
    lines = TextAreaField(_l("Order numbers and tracking numbers"))
    upload = FileField(_l("Or upload a file (CSV or text)"))

    def _uploaded_text(self) -> str:
        upload = self.upload.data
        if not upload or not getattr(upload, "filename", ""):
            return ""
        raw = upload.stream.read(200_000)
        for encoding in ("utf-8-sig", "cp949"):  # Excel in Korea saves CSV as cp949
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_l("The file could not be read: save it as CSV (UTF-8) and try again."))

    def validate_lines(self, field):
        text = "\n".join(part for part in ((field.data or ""), self._uploaded_text()) if part)
        pairs, bad = [], []
        for number, line in enumerate(text.splitlines()[:500], start=1):
            parts = line.replace(",", " ").replace("\t", " ").split()
            if not parts or (number == 1 and not any(ch.isdigit() for ch in line)):
                continue  # blank, or a header such as "주문번호,송장번호"
            tracking_no = tracking_number("".join(parts[1:]))
            if len(parts) < 2 or (self.carrier.data in CARRIERS and tracking_problem(self.carrier.data, tracking_no)):
                bad.append(number)
                continue
            pairs.append((parts[0][:20], tracking_no))
        if bad:
            message = _("Lines %(lines)s are not “order number tracking number”.", lines=", ".join(map(str, bad[:20])))
            if self.carrier.data in CARRIERS:
                message += " " + tracking_problem(self.carrier.data, "")
            raise ValidationError(message)
        if not pairs:
            raise ValidationError(_l("Paste one order number and its tracking number per line."))
        self.pairs = pairs


class ExtraPaymentForm(FlaskForm):
    """추가 결제 요청: 금액, 사유 and a note for the buyer."""

    amount = LenientIntegerField(
        _l("Amount"),
        invalid_message=_l("Enter the amount in whole won, e.g. 3000."),
        validators=[
            InputRequired(_l("Enter the amount.")),
            NumberRange(1, extra_payments.MAX_AMOUNT, _l("Enter an amount from 1 to 10,000,000 won.")),
        ],
    )
    reason = RadioField(
        _l("Reason"),
        choices=options(*extra_payments.REASONS.items()),
        default="jeju_shipping",
        validators=[InputRequired(_l("Choose a reason."))],
    )
    note = line_field(_l("Note for the buyer"), 300)
    phone_check = BooleanField(_l("Ask for the last 4 digits of the mobile number"), default=True)
