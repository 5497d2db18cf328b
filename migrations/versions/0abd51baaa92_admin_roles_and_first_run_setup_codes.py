"""Admin roles (owner, staff) and one-time codes for creating the first admin

Revision ID: 0abd51baaa92
Revises: 7eb988f0f598
Create Date: 2026-12-02 01:57:51.065133

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0abd51baaa92'
down_revision = '7eb988f0f598'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('setup_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setup_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_setup_code_code_hash'))
    )
    with op.batch_alter_table('setup_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setup_code_expires_at'), ['expires_at'], unique=False)

    # Every existing account is the merchant's own: they become owners.
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), server_default='owner', nullable=False))
        batch_op.create_check_constraint(op.f('ck_admin_user_admin_role'), "role IN ('owner', 'staff')")


def downgrade():
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_admin_user_admin_role'), type_='check')
        batch_op.drop_column('role')

    with op.batch_alter_table('setup_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_setup_code_expires_at'))

    op.drop_table('setup_code')
