"""Forms of 카테고리 관리, 상품 등록/수정, 상품 관리's filters, 빠른 개인결제창 and 일괄 생성."""

from datetime import UTC

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import FileInput

from ... import options as option_rules
from ... import shipping
from ...catalog import CategoryRow, ProductData, ordered_categories, personal_payment_preset
from ...clock import KST
from ...fields import LenientIntegerField, PhoneField, line_field, mobile_number, options
from ...links import LINK_STATUS_LABELS, LinkStatus
from ...models import DisplayStatus, Product, ShippingMode
from ...numbers import parse_id, parse_int
from ...text import clean_line, clean_text
from .shipping import ShippingRuleFields, mode_field

MAX_PRICE = 1_000_000_000
BOUND_LINKS_ARE_NOT_LISTED = _l(
    "A link that asks for the customer's digits is for that customer only: do not display it in product lists."
)
MAX_STOCK = 1_000_000


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


class ProductForm(ShippingRuleFields, FlaskForm):
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

    # 옵션: up to three 옵션명 with their 옵션값 (commas); each combination's row is read from the request
    # by option_rows (its fields are named after the combination, so they are not declared here).
    use_options = BooleanField(_l("Use options"))
    option_name_1 = StringField(_l("Option name"), filters=[lambda s: clean_line(s)[:30]])
    option_values_1 = StringField(_l("Option values"), filters=[lambda s: (s or "")[:1000]])
    option_name_2 = StringField(_l("Option name"), filters=[lambda s: clean_line(s)[:30]])
    option_values_2 = StringField(_l("Option values"), filters=[lambda s: (s or "")[:1000]])
    option_name_3 = StringField(_l("Option name"), filters=[lambda s: clean_line(s)[:30]])
    option_values_3 = StringField(_l("Option values"), filters=[lambda s: (s or "")[:1000]])

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
    # 배송비: the shop's, none, or the product's own (the ShippingRuleFields, used only for 개별 배송비).
    shipping_mode = mode_field(_l("Shipping fee"))
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
        own_stock = self.stock_managed.data == "on" and not self.use_options.data  # 옵션: each combination's
        if own_stock and quantity.data is None and not quantity.errors:
            quantity.errors.append(_l("Enter the stock quantity when stock management is on."))
            valid = False
        if self.shipping_mode.data == ShippingMode.OWN and not self.validate_shipping_rule():
            valid = False
        if self.use_options.data:
            problem = option_rules.check(self.option_groups()) or self._row_problem()
            if problem:
                self.use_options.errors = [problem]
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
        self.shipping_mode.data = product.shipping_mode.value
        self.fill_shipping_rule(shipping.own_rule(product))
        self.max_per_order.data = product.max_per_order
        self.purchase_limit.data = product.purchase_limit
        self.sale_ends_at.data = product.sale_ends_at.astimezone(KST) if product.sale_ends_at else None
        self.customer_name.data = product.customer_name
        self.customer_phone.data = product.customer_phone
        self.phone_check.data = product.phone_check
        self.set_image_hashes([image.content_hash for image in product.images])
        self.use_options.data = product.options_enabled
        for n, option in enumerate(product.options, start=1):
            getattr(self, f"option_name_{n}").data = option.name
            getattr(self, f"option_values_{n}").data = ", ".join(value.name for value in option.values)

    def apply_personal_payment_preset(self, category_id: int | None) -> None:
        """The seed's recommended settings for a personal payment window (개인결제창 설정)."""
        preset = personal_payment_preset()
        self.display_status.data = preset["display_status"].value
        self.show_on_desktop.data = preset["show_on_desktop"]
        self.show_on_mobile.data = preset["show_on_mobile"]
        self.listed.data = "yes" if preset["listed"] else "no"
        self.stock_managed.data = "on" if preset["stock_managed"] else "off"
        self.stock_quantity.data = preset["stock_quantity"]
        self.purchase_limit.data = preset["purchase_limit"]
        for number in (self.stock_quantity, self.purchase_limit):
            number.raw_data = None  # show the preset's numbers, not what the submitted form held
        self.shipping_mode.data = preset["shipping_mode"].value
        if category_id:
            self.category_id.data = category_id

    def current_image_hashes(self) -> list[str]:
        return [entry.data for entry in self.image_hashes.entries if entry.data]

    def set_image_hashes(self, hashes: list[str]) -> None:
        while self.image_hashes.entries:
            self.image_hashes.pop_entry()
        for content_hash in hashes:
            self.image_hashes.append_entry(content_hash)

    def option_groups(self) -> list[option_rules.Group]:
        groups = []
        for n in (1, 2, 3):
            name, values = getattr(self, f"option_name_{n}").data or "", getattr(self, f"option_values_{n}").data or ""
            if name or values.strip():
                groups.append(option_rules.Group(name, option_rules.split_values(values)))
        return groups

    def option_rows(self) -> dict[str, option_rules.Row]:
        """Each combination's row as sent: ``combo-<key>-extra``, ``-stock``, ``-seen`` and ``-on_sale``."""
        form = request.form
        rows = {}
        for name in form:
            if name.startswith("combo-") and name.endswith("-present"):
                key = name[len("combo-") : -len("-present")]
                rows[key] = option_rules.Row(
                    extra_price=option_rules.parse_extra(form.get(f"combo-{key}-extra", "")) or 0,
                    stock=parse_int(form.get(f"combo-{key}-stock", "").replace(",", "").strip()) or 0,
                    stock_seen=parse_int(form.get(f"combo-{key}-seen", "")),
                    on_sale=bool(form.get(f"combo-{key}-on_sale")),
                )
        return rows

    def _row_problem(self) -> str | None:
        """추가 금액 and 재고 as typed: whole numbers (the price floor is checked when saving)."""
        form = request.form
        for name in form:
            if name.startswith("combo-") and name.endswith(("-extra", "-stock")):
                raw = form.get(name, "").strip()
                if name.endswith("-extra") and raw and option_rules.parse_extra(raw) is None:
                    return str(_l("Enter each extra amount as a whole number of won (it may be negative)."))
                if name.endswith("-stock") and raw and parse_int(raw.replace(",", "")) is None:
                    return str(_l("Enter the stock as a whole number, 0 or more."))
        return None

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
            shipping_mode=ShippingMode(self.shipping_mode.data),
            shipping_rule=self.shipping_rule(),
            max_per_order=self.max_per_order.data,
            purchase_limit=self.purchase_limit.data,
            sale_ends_at=self.sale_ends_at.data.replace(tzinfo=KST).astimezone(UTC) if self.sale_ends_at.data else None,
            preview_title=self.preview_title.data or "",
            preview_description=self.preview_description.data or "",
            image_hashes=self.current_image_hashes(),
            customer_name=self.customer_name.data or "",
            customer_phone=self.customer_phone.data or "",
            phone_check=bool(self.phone_check.data),
            options=option_rules.Options(
                enabled=bool(self.use_options.data), groups=self.option_groups(), rows=self.option_rows()
            ),
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
    # 옵션 (optional): one group, each value one unit (the window's preset stock of 1, per combination).
    option_name_1 = ProductForm.option_name_1
    option_values_1 = ProductForm.option_values_1

    def validate_option_values_1(self, field):
        groups = self.option_groups()
        problem = option_rules.check(groups) if groups else None
        if problem:
            raise ValidationError(problem)

    def option_groups(self) -> list[option_rules.Group]:
        name, values = self.option_name_1.data or "", self.option_values_1.data or ""
        return [option_rules.Group(name, option_rules.split_values(values))] if name or values.strip() else []

    def product_data(self, category_id: int | None) -> ProductData:
        full = ProductForm(formdata=None)
        full.apply_personal_payment_preset(category_id)
        full.name.data = self.name.data
        full.price.data = self.price.data
        full.set_image_hashes(self.current_image_hashes())
        data = full.product_data()
        groups = self.option_groups()
        if groups:
            rows = option_rules.every_combination(groups, data.stock_quantity)
            data.options = option_rules.Options(True, groups, rows)
        return data


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


class BatchForm(FlaskForm):
    """개인결제창 일괄 생성: a file or pasted rows; the preview carries the rows forward in ``rows``."""

    upload = FileField(_l("File (.xlsx or .csv)"))
    pasted = TextAreaField(_l("Or paste rows"), filters=[lambda s: (s or "")[:500_000]])
    phone_check = BooleanField(_l("Ask for the last 4 digits of the mobile number"))
    rows = HiddenField()
    source_name = HiddenField(filters=[lambda s: clean_line(s)[:200]])
