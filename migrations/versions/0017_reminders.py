"""reminders: per staff member, the logins that bound «fell due since your last visit» and
the weekly e-mail digest (opt-in, counts and a link only)

Revision ID: m3_0017_reminders
Revises: m3_0019_print_jobs
Create Date: 2026-12-07 22:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3_0017_reminders'
down_revision = 'm3_0019_print_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reminder_setting',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user.id'), primary_key=True),
        sa.Column('last_visit_at', sa.DateTime(), nullable=True),
        sa.Column('previous_visit_at', sa.DateTime(), nullable=True),
        sa.Column('digest_weekly', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('digest_email', sa.String(length=254), nullable=True),
        sa.Column('digest_sent_at', sa.DateTime(), nullable=True),
    )


def downgrade():
    op.drop_table('reminder_setting')
