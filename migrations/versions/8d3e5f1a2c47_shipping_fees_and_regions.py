"""배송비: the shop's and each product's fee, 반품/교환 배송비, 제주/도서산간 extras and their postcode ranges

Revision ID: 8d3e5f1a2c47
Revises: 6b2f4c8e1d35
Create Date: 2026-12-06 22:10:00.000000

Orders made before this revision keep 배송비 0 (their totals were goods only), and personal payment
windows made before it (not listed) ship free: their prices were quoted without a fee. The 추가 배송비 지역
are seeded with the ranges commonly used (imweb's list, second-hand; see the README): data the
merchant corrects in 상점 설정, not code.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d3e5f1a2c47'
down_revision = '6b2f4c8e1d35'
branch_labels = None
depends_on = None

FEE_TYPES = ('free', 'paid', 'conditional', 'per_quantity')
MODES = ('default', 'free', 'own')

REGIONS = [
    ('jeju', '제주특별자치도', '63000', '63644'),
    ('remote', '인천 중구 섬', '22386', '22388'),
    ('remote', '인천 강화군 섬', '23004', '23010'),
    ('remote', '인천 옹진군 섬', '23100', '23116'),
    ('remote', '인천 옹진군 섬', '23124', '23136'),
    ('remote', '충남 당진 섬', '31708', '31708'),
    ('remote', '충남 태안 섬', '32133', '32133'),
    ('remote', '충남 보령 섬', '33411', '33411'),
    ('remote', '경북 울릉군', '40200', '40240'),
    ('remote', '부산 강서구 섬', '46768', '46771'),
    ('remote', '경남 사천 섬', '52570', '52571'),
    ('remote', '경남 통영 섬', '53031', '53033'),
    ('remote', '경남 통영 섬', '53089', '53104'),
    ('remote', '전북 부안 섬', '56347', '56349'),
    ('remote', '전남 영광 섬', '57068', '57069'),
    ('remote', '전남 목포 섬', '58760', '58762'),
    ('remote', '전남 신안 섬', '58800', '58810'),
    ('remote', '전남 신안 섬', '58816', '58818'),
    ('remote', '전남 신안 섬', '58826', '58826'),
    ('remote', '전남 신안 섬', '58828', '58866'),
    ('remote', '전남 진도 섬', '58953', '58958'),
    ('remote', '전남 완도 섬', '59102', '59103'),
    ('remote', '전남 완도 섬', '59106', '59106'),
    ('remote', '전남 완도 섬', '59127', '59127'),
    ('remote', '전남 완도 섬', '59129', '59129'),
    ('remote', '전남 완도 섬', '59137', '59166'),
    ('remote', '전남 여수 섬', '59650', '59650'),
    ('remote', '전남 여수 섬', '59766', '59766'),
    ('remote', '전남 여수 섬', '59781', '59790'),
]


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, length=16, create_constraint=True)


def upgrade():
    region = op.create_table('shipping_region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('postcode_from', sa.String(length=5), nullable=False),
    sa.Column('postcode_to', sa.String(length=5), nullable=False),
    sa.CheckConstraint("kind IN ('jeju', 'remote')", name=op.f('ck_shipping_region_kind_known')),
    sa.CheckConstraint('postcode_from <= postcode_to', name=op.f('ck_shipping_region_range_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipping_region'))
    )
    with op.batch_alter_table('shipping_region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipping_region_postcode_from'), ['postcode_from'], unique=False)
    op.bulk_insert(region, [
        {'kind': kind, 'name': name, 'postcode_from': start, 'postcode_to': end} for kind, name, start, end in REGIONS
    ])

    with op.batch_alter_table('shop_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_fee_type', _enum('shipping_fee_type', FEE_TYPES), server_default='free', nullable=False))
        batch_op.add_column(sa.Column('shipping_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shipping_free_from', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shipping_quantity_unit', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('return_shipping_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('exchange_shipping_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('jeju_extra_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('remote_extra_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('window_shipping_mode', _enum('window_shipping_mode', MODES), server_default='free', nullable=False))
        batch_op.create_check_constraint(op.f('ck_shop_settings_shipping_quantity_unit_positive'), 'shipping_quantity_unit >= 1')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_mode', _enum('shipping_mode', MODES), server_default='default', nullable=False))
        batch_op.add_column(sa.Column('shipping_fee_type', _enum('product_shipping_fee_type', FEE_TYPES), server_default='paid', nullable=False))
        batch_op.add_column(sa.Column('shipping_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shipping_free_from', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shipping_quantity_unit', sa.Integer(), server_default='1', nullable=False))
        batch_op.create_check_constraint(op.f('ck_product_shipping_quantity_unit_positive'), 'shipping_quantity_unit >= 1')
    # Windows already sent were quoted with no 배송비: they stay free whatever the shop's fee becomes.
    product = sa.table('product', sa.column('listed', sa.Boolean()), sa.column('shipping_mode', sa.String()))
    op.execute(product.update().where(product.c.listed.is_(False)).values(shipping_mode='free'))

    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipping_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('extra_shipping_fee', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('extra_shipping_region', sa.String(length=10), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_column('extra_shipping_region')
        batch_op.drop_column('extra_shipping_fee')
        batch_op.drop_column('shipping_fee')

    with op.batch_alter_table('product', schema=None) as batch_op:
        for name in ('shipping_quantity_unit_positive', 'product_shipping_fee_type', 'shipping_mode'):
            batch_op.drop_constraint(op.f(f'ck_product_{name}'), type_='check')
        for column in ('shipping_quantity_unit', 'shipping_free_from', 'shipping_fee', 'shipping_fee_type', 'shipping_mode'):
            batch_op.drop_column(column)

    with op.batch_alter_table('shop_settings', schema=None) as batch_op:
        for name in ('shipping_quantity_unit_positive', 'shipping_fee_type', 'window_shipping_mode'):
            batch_op.drop_constraint(op.f(f'ck_shop_settings_{name}'), type_='check')
        for column in ('window_shipping_mode', 'remote_extra_fee', 'jeju_extra_fee', 'exchange_shipping_fee',
                       'return_shipping_fee', 'shipping_quantity_unit', 'shipping_free_from', 'shipping_fee',
                       'shipping_fee_type'):
            batch_op.drop_column(column)

    with op.batch_alter_table('shipping_region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipping_region_postcode_from'))
    op.drop_table('shipping_region')
