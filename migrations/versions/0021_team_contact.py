"""team contact: how persons reach the team (telephone, opening hours), printed in their copy

Revision ID: m3_0021_team_contact
Revises: m3_0018_hpr
Create Date: 2026-12-08 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3_0021_team_contact'
down_revision = 'm3_0018_hpr'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('contact')
