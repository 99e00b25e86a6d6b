"""scale: each person's newest livskvalitet mean as the overview's livskvalitet sort key; the
name beside each name word, for name search in name order

Revision ID: m2_0014_scale
Revises: m2_0013_perf
Create Date: 2026-11-25 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm2_0014_scale'
down_revision = 'm2_0013_perf'
branch_labels = None
depends_on = None

NO_RATING = 99.0  # models.NO_RATING


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quality_order', sa.Float(), nullable=False,
                                      server_default=str(NO_RATING)))
    # Every person's newest completed livskvalitet mean (instrument_facts.LIVSKVALITET), else
    # NO_RATING.
    op.get_bind().execute(sa.text(
        "UPDATE person SET quality_order = COALESCE((SELECT a.score FROM assessment a "
        "WHERE a.person_id = person.id AND a.instrument_key = 'livskvalitet' "
        "AND a.completed_at IS NOT NULL AND a.score IS NOT NULL "
        "ORDER BY a.completed_at DESC, a.id DESC LIMIT 1), :none)").bindparams(
            sa.bindparam('none', NO_RATING, type_=sa.Float())))
    op.create_index('ix_person_team_quality', 'person', ['team_id', 'quality_order', 'name', 'id'])
    with op.batch_alter_table('person_name_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=False,
                                      server_default=''))
    op.get_bind().execute(sa.text(
        "UPDATE person_name_token SET name = (SELECT p.name FROM person p "
        "WHERE p.id = person_name_token.person_id)"))
    op.drop_index('ix_person_name_token_team_token', table_name='person_name_token')
    op.create_index('ix_person_name_token_team_token_name', 'person_name_token',
                    ['team_id', 'token', 'name', 'person_id'])


def downgrade():
    op.drop_index('ix_person_name_token_team_token_name', table_name='person_name_token')
    op.create_index('ix_person_name_token_team_token', 'person_name_token', ['team_id', 'token'])
    with op.batch_alter_table('person_name_token', schema=None) as batch_op:
        batch_op.drop_column('name')
    op.drop_index('ix_person_team_quality', table_name='person')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('quality_order')
