"""rating language: the language the person chose for a self-rating on the tablet (NULL:
bokmål, the form's own), so the journal and the person's copy can name it

Revision ID: m3_0020_rating_language
Revises: m3_0016_recompute_orders
Create Date: 2026-12-07 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3_0020_rating_language'
down_revision = 'm3_0016_recompute_orders'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('language')
