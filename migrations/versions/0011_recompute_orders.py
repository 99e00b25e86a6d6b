"""recompute every person's due and quality order with the app's one writer: earlier seeds and
imports could move a signing back in time without moving the person's due order

Revision ID: m3_0016_recompute_orders
Revises: m3_0015_handover_unlock
Create Date: 2026-12-07 20:00:00

"""
from alembic import op

# The writer itself, not a copy of its SQL: the value a migration leaves must be the one the
# app and `flask derived check` compute. It reads only the person and assessment columns that
# exist since m2_0014_scale.
from kartlegging.derived import person_orders

# revision identifiers, used by Alembic.
revision = 'm3_0016_recompute_orders'
down_revision = 'm3_0015_handover_unlock'
branch_labels = None
depends_on = None


def upgrade():
    person_orders.refresh(op.get_bind())


def downgrade():
    pass  # a recomputation: the earlier values were drift
