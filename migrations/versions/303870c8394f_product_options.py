"""옵션: option groups, their values and combinations with their own 추가 금액, 재고 and 판매 여부;
the combination an order line bought

Revision ID: 303870c8394f
Revises: b7e2d4a61c93
Create Date: 2026-12-07 00:19:34.461910

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '303870c8394f'
down_revision = 'b7e2d4a61c93'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('product_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_option_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_option'))
    )
    with op.batch_alter_table('product_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_option_product_id'), ['product_id'], unique=False)

    op.create_table('product_variant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value_key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('extra_price', sa.BigInteger(), nullable=False),
    sa.Column('stock_quantity', sa.Integer(), nullable=False),
    sa.Column('on_sale', sa.Boolean(), nullable=False),
    sa.CheckConstraint('stock_quantity >= 0', name=op.f('ck_product_variant_variant_stock_not_negative')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_variant_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_variant')),
    sa.UniqueConstraint('product_id', 'value_key', name='uq_product_variant_values')
    )
    with op.batch_alter_table('product_variant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_variant_product_id'), ['product_id'], unique=False)

    op.create_table('product_option_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['product_option.id'], name=op.f('fk_product_option_value_option_id_product_option'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_option_value'))
    )
    with op.batch_alter_table('product_option_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_option_value_option_id'), ['option_id'], unique=False)

    with op.batch_alter_table('order_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('option_text', sa.String(length=100), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_order_item_variant_id'), ['variant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_order_item_variant_id_product_variant'), 'product_variant', ['variant_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('options_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('options_enabled')

    with op.batch_alter_table('order_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_order_item_variant_id_product_variant'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_order_item_variant_id'))
        batch_op.drop_column('option_text')
        batch_op.drop_column('variant_id')

    with op.batch_alter_table('product_option_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_option_value_option_id'))

    op.drop_table('product_option_value')
    with op.batch_alter_table('product_variant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_variant_product_id'))

    op.drop_table('product_variant')
    with op.batch_alter_table('product_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_option_product_id'))

    op.drop_table('product_option')
