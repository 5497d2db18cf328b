"""Cash receipts: their status at the tax office and the amount they stand for

Revision ID: 6b2f4c8e1d35
Revises: 5e0c2b7d9a14
Create Date: 2026-12-06 21:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b2f4c8e1d35'
down_revision = '5e0c2b7d9a14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cash_receipt_status', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('cash_receipt_amount', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('cash_receipt_error', sa.String(length=300), server_default='', nullable=False))
    # Receipts issued before this revision were issued for the whole order.
    order = sa.table(
        'shop_order',
        sa.column('cash_receipt_issued_at', sa.DateTime(timezone=True)),
        sa.column('cash_receipt_status', sa.String()),
        sa.column('cash_receipt_amount', sa.BigInteger()),
        sa.column('total_amount', sa.BigInteger()),
    )
    op.execute(
        order.update()
        .where(order.c.cash_receipt_issued_at.is_not(None))
        .values(cash_receipt_status='issued', cash_receipt_amount=order.c.total_amount)
    )


def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_column('cash_receipt_error')
        batch_op.drop_column('cash_receipt_amount')
        batch_op.drop_column('cash_receipt_status')
