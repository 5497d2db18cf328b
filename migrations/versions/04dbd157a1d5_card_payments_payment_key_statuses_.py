"""Card payments: payment key, statuses awaiting_payment and confirming, method card

Revision ID: 04dbd157a1d5
Revises: a4ec8985cb1e
Create Date: 2026-11-30 00:13:14.278261

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '04dbd157a1d5'
down_revision = 'a4ec8985cb1e'
branch_labels = None
depends_on = None


OLD_STATUSES = "'awaiting_deposit', 'paid', 'cancelled', 'refunded'"
NEW_STATUSES = "'awaiting_deposit', 'awaiting_payment', 'confirming', 'paid', 'cancelled', 'refunded'"
OLD_METHODS = "'bank_transfer'"
NEW_METHODS = "'bank_transfer', 'card'"


def _checks(batch_op, statuses, methods):
    # The enums are stored as strings with CHECK constraints, which autogenerate does not compare.
    batch_op.drop_constraint(op.f('ck_shop_order_order_status'), type_='check')
    batch_op.drop_constraint(op.f('ck_shop_order_payment_method'), type_='check')
    batch_op.create_check_constraint(op.f('ck_shop_order_order_status'), f"status IN ({statuses})")
    batch_op.create_check_constraint(op.f('ck_shop_order_payment_method'), f"payment_method IN ({methods})")


def upgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_key', sa.String(length=200), nullable=True))
        _checks(batch_op, NEW_STATUSES, NEW_METHODS)


def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        _checks(batch_op, OLD_STATUSES, OLD_METHODS)
        batch_op.drop_column('payment_key')
