"""Forms fuzzed with Hypothesis: no input makes a 5xx, and the database's invariants always hold."""

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storefront.extensions import db
from storefront.models import Order, OrderItem, Product

from ..builders import SEED_FORM
from ..conftest import BUYER_FORM, open_checkout

FUZZ = settings(
    max_examples=350,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# What people (and attackers) type: any unicode, control characters, very long text, numbers of any size.
any_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(1000, 30000)),
)
any_number = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", "0", "-1", "1e9", "１２", "12,000", "0x10", "NaN", "∞", " 3 "]),
    any_text,
)
fields = lambda names, values: st.fixed_dictionaries({}, optional={n: values for n in names})  # noqa: E731


def invariants_hold(app):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Product.stock_quantity < 0)) == 0
        mismatched = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Order)
            .where(
                Order.total_amount
                != sa.select(sa.func.coalesce(sa.func.sum(OrderItem.line_total), 0))
                .where(OrderItem.order_id == Order.id)
                .scalar_subquery()
            )
        )
        assert mismatched == 0
        db.session.remove()


def test_checkout_form_survives_anything(app, bank_ready, make_product):
    _, token = make_product(stock_managed=True, stock_quantity=1_000_000, max_per_order=50)
    client = app.test_client()
    csrf = open_checkout(client, token)["csrf_token"]
    text_fields = [
        "buyer_name", "buyer_phone", "buyer_email", "recipient_name", "recipient_phone", "postcode",
        "address", "address_detail", "delivery_note", "depositor_name", "payment_method", "nonce",
        "agree_collection", "agree_terms",
        "cash_receipt_type", "cash_receipt_phone", "cash_receipt_business_no",
    ]  # fmt: skip

    @FUZZ
    @given(fields(text_fields, any_text), fields(["quantity"], any_number), st.booleans())
    def submit(texts, numbers, start_valid):
        data = {**(BUYER_FORM if start_valid else {}), **texts, **numbers, "csrf_token": csrf}
        response = client.post(f"/products/{token}/buy", data=data)
        assert response.status_code < 500, (response.status_code, data)
        invariants_hold(app)

    submit()


def test_product_form_survives_anything(app, client, admin):
    text_fields = ["name", "description", "display_status", "listed", "stock_managed", "requires_shipping",
                   "category_id", "preview_title", "preview_description", "sale_ends_at", "action",
                   "image_hashes-0", "show_on_desktop"]  # fmt: skip
    number_fields = ["price", "stock_quantity", "max_per_order", "purchase_limit"]

    @FUZZ
    @given(fields(text_fields, any_text), fields(number_fields, any_number), st.booleans())
    def submit(texts, numbers, start_valid):
        data = {**(SEED_FORM if start_valid else {}), **texts, **numbers}
        response = admin.post("/admin/products/new", data=data)
        assert response.status_code < 500, (response.status_code, data)
        invariants_hold(app)

    submit()


def test_category_form_survives_anything(app, client, admin):
    row_fields = [f"rows-{i}-{part}" for i in range(3) for part in ("id", "name", "delete")]

    @FUZZ
    @given(fields(row_fields + ["action"], any_text), fields(["rows-0-id", "rows-1-id"], any_number))
    def submit(texts, numbers):
        response = admin.post("/admin/categories", data={**texts, **numbers})
        assert response.status_code < 500, (response.status_code, texts, numbers)

    submit()
