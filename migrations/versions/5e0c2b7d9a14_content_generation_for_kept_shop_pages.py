"""Kept shop pages: the content generation every shop-visible change raises; 판매 종료일 indexed

Revision ID: 5e0c2b7d9a14
Revises: d81c5e0b3a27
Create Date: 2026-12-02 05:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e0c2b7d9a14'
down_revision = 'd81c5e0b3a27'
branch_labels = None
depends_on = None


def upgrade():
    generation = op.create_table('content_generation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_generation'))
    )
    op.bulk_insert(generation, [{'id': 1, 'n': 0}])
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_sale_ends_at'), ['sale_ends_at'], unique=False)


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_sale_ends_at'))

    op.drop_table('content_generation')
