"""Links that know their customer: buyer-bound windows, 열람 counts, batches of windows

Revision ID: c3d7a9e51f20
Revises: 0abd51baaa92
Create Date: 2026-12-02 02:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d7a9e51f20'
down_revision = '0abd51baaa92'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('product_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_batch')),
    sa.UniqueConstraint('content_key', name=op.f('uq_product_batch_content_key'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_name', sa.String(length=50), server_default='', nullable=False))
        batch_op.add_column(sa.Column('customer_phone', sa.String(length=11), server_default='', nullable=False))
        batch_op.add_column(sa.Column('phone_check', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('gate_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('gate_locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('view_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('first_viewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_viewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_product_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_product_batch_id_product_batch'), 'product_batch', ['batch_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_product_batch_id_product_batch'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_product_batch_id'))
        batch_op.drop_column('batch_id')
        batch_op.drop_column('last_viewed_at')
        batch_op.drop_column('first_viewed_at')
        batch_op.drop_column('view_count')
        batch_op.drop_column('gate_locked_until')
        batch_op.drop_column('gate_failures')
        batch_op.drop_column('phone_check')
        batch_op.drop_column('customer_phone')
        batch_op.drop_column('customer_name')

    op.drop_table('product_batch')
