"""Login attempts shared by every app process; the shop's own favicon

Revision ID: 3c5e1d7a9b20
Revises: c3f1e2a9b7d4
Create Date: 2026-12-02 02:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c5e1d7a9b20'
down_revision = 'c3f1e2a9b7d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempt_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_login_attempt_email_created_at', ['email', 'created_at'], unique=False)
        batch_op.create_index('ix_login_attempt_address_created_at', ['address', 'created_at'], unique=False)

    with op.batch_alter_table('shop_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('favicon_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('shop_settings', schema=None) as batch_op:
        batch_op.drop_column('favicon_hash')

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_address_created_at')
        batch_op.drop_index('ix_login_attempt_email_created_at')
        batch_op.drop_index(batch_op.f('ix_login_attempt_created_at'))

    op.drop_table('login_attempt')
