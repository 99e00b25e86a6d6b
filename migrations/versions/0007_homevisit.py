"""home visit: answers set aside, last section, device key

Revision ID: m2_0007_homevisit
Revises: m2_0010_sso
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm2_0007_homevisit'
down_revision = 'm2_0010_sso'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_aside', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('last_section', sa.String(length=80), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('device_key')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('last_section')
        batch_op.drop_column('set_aside')
