"""Messages to buyers: the buyer_message outbox, 알림 설정 and each message's template

Revision ID: 376a38e3f2f8
Revises: 303870c8394f
Create Date: 2026-12-07 00:22:39.820977

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '376a38e3f2f8'
down_revision = '303870c8394f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_template_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template', sa.Enum('order_placed_transfer', 'order_placed_paid', 'order_placed_virtual_account', 'payment_confirmed', 'shipped', 'delivered', 'cancelled', 'refunded', 'extra_payment', 'deposit_reminder', 'link', name='setting_message_template', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('template_id', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_template_setting')),
    sa.UniqueConstraint('template', name=op.f('uq_message_template_setting_template'))
    )
    op.create_table('messaging_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('sender_number', sa.String(length=11), nullable=False),
    sa.Column('kakao_pf_id', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_messaging_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messaging_settings'))
    )
    op.create_table('buyer_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('template', sa.Enum('order_placed_transfer', 'order_placed_paid', 'order_placed_virtual_account', 'payment_confirmed', 'shipped', 'delivered', 'cancelled', 'refunded', 'extra_payment', 'deposit_reminder', 'link', name='message_template', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('held', 'pending', 'sent', 'delivered', 'failed', name='message_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('payment_record_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('to_phone', sa.String(length=11), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('order_token', sa.String(length=43), nullable=True),
    sa.Column('channel', sa.String(length=3), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsure', sa.Boolean(), nullable=False),
    sa.Column('provider_message_id', sa.String(length=60), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('order_id IS NOT NULL OR product_id IS NOT NULL', name=op.f('ck_buyer_message_about_order_or_product')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_buyer_message_order_id_shop_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_record_id'], ['payment_record.id'], name=op.f('fk_buyer_message_payment_record_id_payment_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_buyer_message_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buyer_message')),
    sa.UniqueConstraint('key', name=op.f('uq_buyer_message_key'))
    )
    with op.batch_alter_table('buyer_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buyer_message_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_buyer_message_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_buyer_message_provider_message_id'), ['provider_message_id'], unique=False)
        batch_op.create_index('ix_buyer_message_status_due_at', ['status', 'due_at'], unique=False)



def downgrade():
    with op.batch_alter_table('buyer_message', schema=None) as batch_op:
        batch_op.drop_index('ix_buyer_message_status_due_at')
        batch_op.drop_index(batch_op.f('ix_buyer_message_provider_message_id'))
        batch_op.drop_index(batch_op.f('ix_buyer_message_product_id'))
        batch_op.drop_index(batch_op.f('ix_buyer_message_order_id'))

    op.drop_table('buyer_message')
    op.drop_table('messaging_settings')
    op.drop_table('message_template_setting')
