"""Order lifecycle: shipping and refund statuses, 택배사 and 송장번호, reservations on order lines,
the payment ledger, money as 64-bit integers

Revision ID: c3f1e2a9b7d4
Revises: 78a1cde163ff
Create Date: 2026-12-02 02:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1e2a9b7d4'
down_revision = '78a1cde163ff'
branch_labels = None
depends_on = None


OLD_STATUSES = "'awaiting_deposit', 'awaiting_payment', 'confirming', 'paid', 'cancelled', 'refunded'"
NEW_STATUSES = (
    "'awaiting_deposit', 'awaiting_payment', 'confirming', 'paid', 'preparing', 'shipped', 'delivered', "
    "'purchase_confirmed', 'cancelled', 'refunded', 'partially_refunded'"
)
# (table, column) holding won: price × quantity passes 2,147,483,647 (PostgreSQL's integer) easily.
MONEY = [('product', 'price'), ('shop_order', 'total_amount'), ('order_item', 'unit_price'), ('order_item', 'line_total')]


def _status_check(batch_op, statuses):
    # The enum is stored as a string with a CHECK constraint, which autogenerate does not compare.
    batch_op.drop_constraint(op.f('ck_shop_order_order_status'), type_='check')
    batch_op.create_check_constraint(op.f('ck_shop_order_order_status'), f"status IN ({statuses})")


def upgrade():
    op.create_table('payment_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('confirm', 'lookup', 'webhook', 'cancel', 'deposit', 'refund', name='payment_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('provider_code', sa.String(length=100), nullable=False),
    sa.Column('payment_key', sa.String(length=200), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('refund_bank', sa.String(length=50), nullable=False),
    sa.Column('refund_account', sa.String(length=50), nullable=False),
    sa.Column('refund_holder', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_payment_record_order_id_shop_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_record'))
    )
    with op.batch_alter_table('payment_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_record_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carrier', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('tracking_no', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        _status_check(batch_op, NEW_STATUSES)

    with op.batch_alter_table('order_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('stock_taken', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Lines of live orders hold their reservation; whether they took units was not recorded before, so it is
    # read from the product as it is now (the best guess there is). Cancelled and refunded orders gave theirs back.
    op.execute(
        "UPDATE order_item SET reserved = (SELECT shop_order.status NOT IN ('cancelled', 'refunded') "
        "FROM shop_order WHERE shop_order.id = order_item.order_id)"
    )
    op.execute(
        "UPDATE order_item SET stock_taken = reserved AND COALESCE((SELECT product.stock_managed FROM product "
        "WHERE product.id = order_item.product_id), false)"
    )

    for table, column in MONEY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade():
    for table, column in MONEY:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)

    with op.batch_alter_table('order_item', schema=None) as batch_op:
        batch_op.drop_column('stock_taken')
        batch_op.drop_column('reserved')

    op.execute(
        "UPDATE shop_order SET status = CASE WHEN status = 'partially_refunded' THEN 'refunded' "
        "WHEN status IN ('preparing', 'shipped', 'delivered', 'purchase_confirmed') THEN 'paid' ELSE status END"
    )
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        _status_check(batch_op, OLD_STATUSES)
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('shipped_at')
        batch_op.drop_column('tracking_no')
        batch_op.drop_column('carrier')

    with op.batch_alter_table('payment_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_record_order_id'))

    op.drop_table('payment_record')
