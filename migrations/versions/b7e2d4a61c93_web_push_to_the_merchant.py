"""Web Push to the merchant: the devices that receive it, the push outbox, the shop's VAPID key

Revision ID: b7e2d4a61c93
Revises: 9f4a6b2c8e51
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2d4a61c93'
down_revision = '9f4a6b2c8e51'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vapid_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('private_key', sa.Text(), nullable=False),
    sa.Column('public_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_vapid_key_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vapid_key'))
    )
    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('admin_user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=100), nullable=False),
    sa.Column('auth', sa.String(length=50), nullable=False),
    sa.Column('device', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('order_placed', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('deposit_needed', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('deposit_arrived', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('card_paid', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('link_viewed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['admin_user_id'], ['admin_user.id'], name=op.f('fk_push_subscription_admin_user_id_admin_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_admin_user_id'), ['admin_user_id'], unique=False)

    op.create_table('push_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.Enum('order_placed', 'deposit_needed', 'deposit_arrived', 'card_paid', 'link_viewed', name='push_event', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.CheckConstraint('order_id IS NOT NULL OR product_id IS NOT NULL', name=op.f('ck_push_message_about_order_or_product')),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_push_message_order_id_shop_order'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_push_message_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscription.id'], name=op.f('fk_push_message_subscription_id_push_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_message'))
    )
    with op.batch_alter_table('push_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_message_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_message_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_message_subscription_id'), ['subscription_id'], unique=False)



def downgrade():
    with op.batch_alter_table('push_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_message_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_push_message_product_id'))
        batch_op.drop_index(batch_op.f('ix_push_message_order_id'))
        batch_op.drop_index(batch_op.f('ix_push_message_created_at'))

    op.drop_table('push_message')
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_admin_user_id'))

    op.drop_table('push_subscription')
    op.drop_table('vapid_key')
