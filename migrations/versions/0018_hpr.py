"""hpr: the user's HPR-nummer (Helsepersonellregisteret), set by an admin or the SSO claim

Revision ID: m3_0018_hpr
Revises: m3_0017_reminders
Create Date: 2026-12-07 22:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3_0018_hpr'
down_revision = 'm3_0017_reminders'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hpr_nummer', sa.String(length=9), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('hpr_nummer')
