"""single sign-on and user administration: forced password change, per-user two-factor,
last login, SSO issuer and subject

Revision ID: m2_0010_sso
Revises: m2_0008_search
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm2_0010_sso'
down_revision = 'm2_0008_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('totp_required', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('sso_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_sso_subject'), ['sso_subject'], unique=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sso_subject'))
        batch_op.drop_column('sso_subject')
        batch_op.drop_column('sso_issuer')
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('totp_required')
        batch_op.drop_column('must_change_password')
