"""Toss Payments: the method the buyer paid with, a virtual account's payment secret

Revision ID: d81c5e0b3a27
Revises: 3c5e1d7a9b20
Create Date: 2026-12-02 02:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd81c5e0b3a27'
down_revision = '3c5e1d7a9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_method', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('payment_secret', sa.String(length=100), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_column('payment_secret')
        batch_op.drop_column('provider_method')
