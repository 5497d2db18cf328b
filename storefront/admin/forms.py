"""Forms of the back office. Labels are the glossary's words (English msgids, Korean catalogue)."""

from datetime import UTC

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import FileInput

from .. import business
from ..auth import MIN_PASSWORD_LENGTH
from ..catalog import PERSONAL_PAYMENT_PRESET, CategoryRow, ProductData, ordered_categories
from ..clock import KST
from ..fields import LenientIntegerField, PhoneField, email_field, line_field, mobile_number, options
from ..lifecycle import CARRIERS, TRACKING_NO_RE
from ..links import LINK_STATUS_LABELS, LinkStatus
from ..models import DisplayStatus, OrderStatus, PaymentMethod, Product
from ..numbers import parse_id, parse_int
from ..text import clean_line, clean_text

MAX_PRICE = 1_000_000_000
BOUND_LINKS_ARE_NOT_LISTED = _l(
    "A link that asks for the customer's digits is for that customer only: do not display it in product lists."
)
MAX_STOCK = 1_000_000
BUSINESS_FIELDS = (
    "business_name", "representative", "business_no", "mail_order_no", "business_address", "privacy_officer",
    "hosting_provider", "escrow_provider", "escrow_url",
)  # fmt: skip


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        filters=[clean_line],
        validators=[DataRequired(_l("Enter your e-mail.")), Email(_l("Enter a valid e-mail address."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class CategoryRowForm(Form):
    id = HiddenField()
    name = StringField(_l("Category name"), filters=[clean_line])
    delete = BooleanField(_l("Delete"))


class CategoriesForm(FlaskForm):
    rows = FieldList(FormField(CategoryRowForm))

    def validate_rows(self, field):
        seen: dict[str, int] = {}
        ok = True
        for entry in field.entries:
            row = entry.form
            if row.delete.data:
                continue
            name = row.name.data
            if not name:
                row.name.errors.append(_l("Enter a category name."))
                ok = False
            elif len(name) > 50:
                row.name.errors.append(_l("A category name can be at most 50 characters."))
                ok = False
            elif name in seen:
                row.name.errors.append(_l("Another category already has this name."))
                ok = False
            seen.setdefault(name, 1)
        if not ok:
            raise ValidationError(_l("Check the highlighted categories."))

    def category_rows(self) -> list[CategoryRow]:
        rows = []
        for entry in self.rows.entries:
            rows.append(
                CategoryRow(
                    id=parse_id(entry.form.id.data),
                    name=entry.form.name.data or "",
                    delete=bool(entry.form.delete.data),
                )
            )
        return rows


YES_NO = options(("yes", _l("Displayed")), ("no", _l("Not displayed")))


class ProductForm(FlaskForm):
    category_id = SelectField(_l("Category"), coerce=parse_int, validate_choice=True)
    name = StringField(
        _l("Product name"),
        filters=[clean_line],
        validators=[
            DataRequired(_l("Enter the product name.")),
            Length(max=200, message=_l("A product name can be at most 200 characters.")),
        ],
    )
    price = LenientIntegerField(
        _l("Price"),
        invalid_message=_l("Enter the price in whole won, e.g. 12000."),
        validators=[
            InputRequired(_l("Enter the price.")),
            NumberRange(0, MAX_PRICE, _l("The price must be between 0 and 1,000,000,000 won.")),
        ],
    )
    images = MultipleFileField(_l("Product images"))
    image_hashes = FieldList(HiddenField())
    description = TextAreaField(
        _l("Description"),
        filters=[clean_text],
        validators=[Length(max=20000, message=_l("The description can be at most 20,000 characters."))],
    )
    display_status = RadioField(
        _l("Display status"),
        choices=options(
            (DisplayStatus.DISPLAYED.value, _l("Displayed")), (DisplayStatus.HIDDEN.value, _l("Not displayed"))
        ),
        default=DisplayStatus.DISPLAYED.value,
        validators=[InputRequired(_l("Choose the display status."))],
    )
    show_on_desktop = BooleanField(_l("Desktop"), default=True)
    show_on_mobile = BooleanField(_l("Mobile"), default=True)
    listed = RadioField(
        _l("Show in product lists"),
        choices=YES_NO,
        default="yes",
        validators=[InputRequired(_l("Choose whether to show it in product lists."))],
    )
    stock_managed = RadioField(
        _l("Stock management"),
        choices=options(("on", _l("On")), ("off", _l("Off"))),
        default="off",
        validators=[InputRequired(_l("Choose whether to manage stock."))],
    )
    stock_seen = HiddenField()
    stock_quantity = LenientIntegerField(
        _l("Stock quantity"),
        invalid_message=_l("Enter the stock as a whole number, 0 or more."),
        validators=[Optional(), NumberRange(0, MAX_STOCK, _l("Stock must be between 0 and 1,000,000."))],
    )

    customer_name = line_field(_l("Customer name"), 50)
    customer_phone = PhoneField(
        _l("Mobile number"),
        validators=[Optional(), mobile_number],
    )
    phone_check = BooleanField(_l("Ask for the last 4 digits of the mobile number"))

    preview_title = line_field(_l("Preview title"), 100)
    preview_description = line_field(_l("Preview description"), 300)

    requires_shipping = RadioField(
        _l("Shipping"),
        choices=options(("yes", _l("Ships to an address")), ("no", _l("No shipping"))),
        default="yes",
        validators=[InputRequired(_l("Choose whether the product is shipped."))],
    )
    max_per_order = LenientIntegerField(
        _l("Maximum per order"),
        invalid_message=_l("Enter a whole number."),
        validators=[Optional(), NumberRange(1, 999, _l("Enter a number from 1 to 999, or leave it empty."))],
    )
    purchase_limit = LenientIntegerField(
        _l("Purchase limit"),
        invalid_message=_l("Enter a whole number."),
        validators=[
            Optional(),
            NumberRange(1, MAX_STOCK, _l("Enter a number from 1 to 1,000,000, or leave it empty.")),
        ],
    )
    sale_ends_at = DateTimeLocalField(
        _l("Sale end date"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[Optional()],
    )

    def validate_phone_check(self, field):
        if field.data and not self.customer_phone.data:
            raise ValidationError(_l("Enter the customer's mobile number to ask for its last 4 digits."))
        if field.data and self.listed.data == "yes":
            raise ValidationError(BOUND_LINKS_ARE_NOT_LISTED)

    def validate_sale_ends_at(self, field):
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a date between 2000 and 2100."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = options((0, _l("No category")), *((c.id, c.name) for c in ordered_categories()))

    def validate_show_on_desktop(self, field):
        displayed = self.display_status.data == DisplayStatus.DISPLAYED.value
        if displayed and not (field.data or self.show_on_mobile.data):
            raise ValidationError(_l("Choose at least one display environment while the product is displayed."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() ends the field's own chain on empty input, so this rule lives here.
        quantity = self.stock_quantity
        if self.stock_managed.data == "on" and quantity.data is None and not quantity.errors:
            quantity.errors.append(_l("Enter the stock quantity when stock management is on."))
            valid = False
        return valid

    def fill_from(self, product: Product) -> None:
        self.category_id.data = product.category_id or 0
        self.name.data = product.name
        self.price.data = product.price
        self.description.data = product.description
        self.display_status.data = product.display_status.value
        self.show_on_desktop.data = product.show_on_desktop
        self.show_on_mobile.data = product.show_on_mobile
        self.listed.data = "yes" if product.listed else "no"
        self.stock_managed.data = "on" if product.stock_managed else "off"
        self.stock_quantity.data = product.stock_quantity if product.stock_managed else None
        self.stock_seen.data = str(product.stock_quantity)
        self.preview_title.data = product.preview_title
        self.preview_description.data = product.preview_description
        self.requires_shipping.data = "yes" if product.requires_shipping else "no"
        self.max_per_order.data = product.max_per_order
        self.purchase_limit.data = product.purchase_limit
        self.sale_ends_at.data = product.sale_ends_at.astimezone(KST) if product.sale_ends_at else None
        self.customer_name.data = product.customer_name
        self.customer_phone.data = product.customer_phone
        self.phone_check.data = product.phone_check
        self.set_image_hashes([image.content_hash for image in product.images])

    def apply_personal_payment_preset(self, category_id: int | None) -> None:
        """The seed's recommended settings for a personal payment window (개인결제창 설정)."""
        preset = PERSONAL_PAYMENT_PRESET
        self.display_status.data = preset["display_status"].value
        self.show_on_desktop.data = preset["show_on_desktop"]
        self.show_on_mobile.data = preset["show_on_mobile"]
        self.listed.data = "yes" if preset["listed"] else "no"
        self.stock_managed.data = "on" if preset["stock_managed"] else "off"
        self.stock_quantity.data = preset["stock_quantity"]
        self.purchase_limit.data = preset["purchase_limit"]
        for number in (self.stock_quantity, self.purchase_limit):
            number.raw_data = None  # show the preset's numbers, not what the submitted form held
        if category_id:
            self.category_id.data = category_id

    def current_image_hashes(self) -> list[str]:
        return [entry.data for entry in self.image_hashes.entries if entry.data]

    def set_image_hashes(self, hashes: list[str]) -> None:
        while self.image_hashes.entries:
            self.image_hashes.pop_entry()
        for content_hash in hashes:
            self.image_hashes.append_entry(content_hash)

    def product_data(self) -> ProductData:
        return ProductData(
            category_id=self.category_id.data or None,
            name=self.name.data,
            price=self.price.data,
            description=self.description.data or "",
            display_status=DisplayStatus(self.display_status.data),
            show_on_desktop=bool(self.show_on_desktop.data),
            show_on_mobile=bool(self.show_on_mobile.data),
            listed=self.listed.data == "yes",
            stock_managed=self.stock_managed.data == "on",
            stock_quantity=self.stock_quantity.data or 0,
            stock_seen=parse_int(self.stock_seen.data),
            requires_shipping=self.requires_shipping.data != "no",
            max_per_order=self.max_per_order.data,
            purchase_limit=self.purchase_limit.data,
            sale_ends_at=self.sale_ends_at.data.replace(tzinfo=KST).astimezone(UTC) if self.sale_ends_at.data else None,
            preview_title=self.preview_title.data or "",
            preview_description=self.preview_description.data or "",
            image_hashes=self.current_image_hashes(),
            customer_name=self.customer_name.data or "",
            customer_phone=self.customer_phone.data or "",
            phone_check=bool(self.phone_check.data),
        )


class QuickWindowForm(FlaskForm):
    """빠른 개인결제창: name, price and an optional photo; the rest is the 개인결제창 설정 preset.

    The fields and the preset are the product form's own, so both forms save by the same rules.
    """

    name = ProductForm.name
    price = ProductForm.price
    images = MultipleFileField(_l("Photo"), widget=FileInput())  # one picture at a time
    image_hashes = FieldList(HiddenField())

    current_image_hashes = ProductForm.current_image_hashes
    set_image_hashes = ProductForm.set_image_hashes

    def product_data(self, category_id: int | None) -> ProductData:
        full = ProductForm(formdata=None)
        full.apply_personal_payment_preset(category_id)
        full.name.data = self.name.data
        full.price.data = self.price.data
        full.set_image_hashes(self.current_image_hashes())
        return full.product_data()


class ProductFilterForm(Form):
    """The 상품 관리 filters; read from the query string, so no CSRF."""

    q = StringField(_l("Product name"), filters=[lambda s: clean_line(s)[:100]])
    category = SelectField(_l("Category"), coerce=parse_int, default=0, validate_choice=False)
    display_status = SelectField(
        _l("Display status"),
        choices=options(("", _l("All")), ("displayed", _l("Displayed")), ("hidden", _l("Not displayed"))),
        default="",
        validate_choice=False,
    )
    listed = SelectField(
        _l("Show in product lists"),
        choices=options(("", _l("All"))) + YES_NO,
        default="",
        validate_choice=False,
    )
    link_status = SelectField(
        _l("Link state"),
        choices=options(("", _l("All")), *((status.value, LINK_STATUS_LABELS[status]) for status in LinkStatus)),
        default="",
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options((0, _l("All")), *((c.id, c.name) for c in ordered_categories()))


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token for buttons that POST."""


class ShopSettingsForm(FlaskForm):
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

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        bank = [self.bank_name, self.bank_account, self.bank_holder]
        if any(f.data for f in bank):
            for f in bank:
                if not f.data and not f.errors:
                    f.errors.append(_l("Fill in the bank, account number and holder together."))
                    valid = False
        return valid

    def values(self) -> dict:
        names = ["name", "description", "phone", "email", "notify_email", "bank_name", "bank_account", "bank_holder"]
        values = {name: getattr(self, name).data or "" for name in names}
        values["payment_due_days"] = self.payment_due_days.data
        for name in BUSINESS_FIELDS:
            values[name] = getattr(self, name).data or ""
        return values


class OrderFilterForm(Form):
    """주문 관리 filters, from the query string."""

    q = StringField(_l("Order number, name or phone"), filters=[lambda s: clean_line(s)[:50]])
    status = SelectField(
        _l("Status"),
        choices=options(("", _l("All")), *((status.value, status.label) for status in OrderStatus)),
        default="",
        validate_choice=False,
    )


def _new_password(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)),
            Length(max=200, message=_l("Up to %(n)d characters.", n=200)),
        ],
    )


def _repeat(label, of: str) -> PasswordField:
    return PasswordField(label, validators=[EqualTo(of, message=_l("The two passwords are not the same."))])


class AccountForm(FlaskForm):
    """A new account: the owner's at first run, a staff member's on 운영자 계정."""

    email = EmailField(
        _l("E-mail"),
        filters=[clean_line],
        validators=[
            DataRequired(_l("Enter your e-mail.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254, message=_l("Up to %(n)d characters.", n=254)),
        ],
    )
    password = _new_password(_l("Password"))
    password_confirm = _repeat(_l("Password again"), "password")


class SetupForm(AccountForm):
    code = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))])
    new_password = _new_password(_l("New password"))
    new_password_confirm = _repeat(_l("New password again"), "new_password")


class BatchForm(FlaskForm):
    """개인결제창 일괄 생성: a file or pasted rows; the preview carries the rows forward in ``rows``."""

    upload = FileField(_l("File (.xlsx or .csv)"))
    pasted = TextAreaField(_l("Or paste rows"), filters=[lambda s: (s or "")[:500_000]])
    phone_check = BooleanField(_l("Ask for the last 4 digits of the mobile number"))
    rows = HiddenField()
    source_name = HiddenField(filters=[lambda s: clean_line(s)[:200]])


class PolicyForm(FlaskForm):
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Enter the text.")),
            Length(max=50_000, message=_l("Up to %(n)d characters.", n=50_000)),
        ],
    )
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
        field.data = (field.data or "").replace(" ", "")
        if not TRACKING_NO_RE.match(field.data):
            raise ValidationError(_l("A tracking number is 4 to 30 digits, letters or hyphens."))

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
            if len(parts) < 2 or not TRACKING_NO_RE.match("".join(parts[1:])):
                bad.append(number)
                continue
            pairs.append((parts[0][:20], "".join(parts[1:])))
        if bad:
            raise ValidationError(
                _l("Lines %(lines)s are not “order number tracking number”.", lines=", ".join(map(str, bad[:20])))
            )
        if not pairs:
            raise ValidationError(_l("Paste one order number and its tracking number per line."))
        self.pairs = pairs
