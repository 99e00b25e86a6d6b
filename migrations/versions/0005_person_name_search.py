"""person name search: word tokens

Revision ID: m2_0008_search
Revises: m2_0003_lead
Create Date: 2026-11-25 19:20:00

"""
from alembic import op
import sqlalchemy as sa

from kartlegging.domain.name_search import tokens

revision = 'm2_0008_search'
down_revision = 'm2_0003_lead'
branch_labels = None
depends_on = None


def upgrade():
    token = op.create_table('person_name_token',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=100), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_name_token_person_id_person')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_person_name_token_team_id_team')),
    sa.PrimaryKeyConstraint('person_id', 'token', name=op.f('pk_person_name_token'))
    )
    op.create_index('ix_person_name_token_team_token', 'person_name_token', ['team_id', 'token'], unique=False)
    persons = op.get_bind().execute(sa.text('SELECT id, team_id, name FROM person')).all()
    rows = [{'person_id': p.id, 'team_id': p.team_id, 'token': t} for p in persons for t in tokens(p.name)]
    if rows:
        op.bulk_insert(token, rows)


def downgrade():
    op.drop_index('ix_person_name_token_team_token', table_name='person_name_token')
    op.drop_table('person_name_token')
