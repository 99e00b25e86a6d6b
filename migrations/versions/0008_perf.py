"""speed at scale: each person's next-evaluation sort key, indexes for the overview and Mine
personer

Revision ID: m2_0013_perf
Revises: m2_0007_homevisit
Create Date: 2026-11-25 22:20:00

"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm2_0013_perf'
down_revision = 'm2_0007_homevisit'
branch_labels = None
depends_on = None

NEVER_SIGNED = datetime(1900, 1, 1)  # models.NEVER_SIGNED


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_order', sa.DateTime(), nullable=False,
                                      server_default='1900-01-01 00:00:00.000000'))
    # Every person's newest signed kartlegging (instrument_facts.KARTLEGGING), else NEVER_SIGNED.
    op.get_bind().execute(sa.text(
        "UPDATE person SET due_order = COALESCE((SELECT max(a.signed_at) FROM assessment a "
        "WHERE a.person_id = person.id AND a.instrument_key = 'alna-kartlegging' "
        "AND a.status = 'signed'), :never)").bindparams(
            sa.bindparam('never', NEVER_SIGNED, type_=sa.DateTime())))
    op.create_index('ix_person_team_due', 'person', ['team_id', 'due_order', 'name', 'id'])
    op.create_index('ix_contact_assignment_user_open', 'contact_assignment',
                    ['user_id', 'ended_at', 'person_id'])


def downgrade():
    op.drop_index('ix_contact_assignment_user_open', table_name='contact_assignment')
    op.drop_index('ix_person_team_due', table_name='person')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('due_order')
