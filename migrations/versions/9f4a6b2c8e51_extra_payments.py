"""추가 결제: a window that asks an order's buyer for more money, and the order that pays it; the
배송비 part of each refund on the ledger

Revision ID: 9f4a6b2c8e51
Revises: 8d3e5f1a2c47
Create Date: 2026-12-06 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f4a6b2c8e51'
down_revision = '8d3e5f1a2c47'
branch_labels = None
depends_on = None


KINDS = "'confirm', 'lookup', 'webhook', 'cancel', 'deposit', 'refund'"


def upgrade():
    with op.batch_alter_table('payment_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_amount', sa.BigInteger(), server_default='0', nullable=False))
        # A deposit the provider took back is its own kind: it lowers what was paid, it is no refund.
        batch_op.drop_constraint(op.f('ck_payment_record_payment_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_payment_record_payment_kind'), f"kind IN ({KINDS}, 'reversal')")
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_order_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_shop_order_parent_order_id'), ['parent_order_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_shop_order_parent_order_id_shop_order'), 'shop_order',
                                    ['parent_order_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra_for_order_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_product_extra_for_order_id'), ['extra_for_order_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_product_extra_for_order_id_shop_order'), 'shop_order',
                                    ['extra_for_order_id'], ['id'], ondelete='SET NULL')


def downgrade():
    op.execute("UPDATE payment_record SET kind = 'webhook' WHERE kind = 'reversal'")
    with op.batch_alter_table('payment_record', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payment_record_payment_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_payment_record_payment_kind'), f"kind IN ({KINDS})")
        batch_op.drop_column('shipping_amount')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_product_extra_for_order_id_shop_order'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_product_extra_for_order_id'))
        batch_op.drop_column('extra_for_order_id')
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_shop_order_parent_order_id_shop_order'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_shop_order_parent_order_id'))
        batch_op.drop_column('parent_order_id')
