"""handover unlock: a counter of wrong tries at ending a hand-over, on the login session,
separate from the account's login lockout

Revision ID: m3_0015_handover_unlock
Revises: m2_0014_scale
Create Date: 2026-11-27 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3_0015_handover_unlock'
down_revision = 'm2_0014_scale'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handover_failures', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('handover_wait_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('handover_wait_until')
        batch_op.drop_column('handover_failures')
