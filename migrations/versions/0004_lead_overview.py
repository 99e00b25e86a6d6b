"""team lead's overview: frozen livskvalitet mean, indexes for the per-person lookups

Revision ID: m2_0003_lead
Revises: m2_0005_security
Create Date: 2026-11-25 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm2_0003_lead'
down_revision = 'm2_0005_security'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.create_index('ix_assessment_person_kind',
                              ['person_id', 'instrument_key', 'status', 'signed_at'],
                              unique=False)
    with op.batch_alter_table('contact_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_contact_assignment_open', ['person_id', 'ended_at'],
                              unique=False)
    with op.batch_alter_table('coordinator', schema=None) as batch_op:
        batch_op.create_index('ix_coordinator_open', ['person_id', 'ended_at'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_team_name', ['team_id', 'name'], unique=False)
    _backfill_scores()


def _backfill_scores():
    """Freeze the mean of ratings completed before this column existed (same rule as the app:
    kartlegging.livskvalitet.ratings.mean_score, with the instruments the app has loaded)."""
    from flask import current_app, has_app_context
    if not has_app_context():
        return
    from kartlegging.domain.rules import score
    registry = current_app.extensions["instruments"]
    bind = op.get_bind()
    a = sa.table('assessment', sa.column('id', sa.Integer), sa.column('instrument_key'),
                 sa.column('instrument_version', sa.Integer), sa.column('answers', sa.JSON),
                 sa.column('completed_at'), sa.column('score', sa.Float))
    rows = bind.execute(sa.select(a.c.id, a.c.instrument_key, a.c.instrument_version,
                                  a.c.answers).where(a.c.instrument_key == 'livskvalitet',
                                                     a.c.completed_at.is_not(None))).all()
    for row in rows:
        inst = registry.get(row.instrument_key, row.instrument_version)
        if not inst.scores:
            continue
        value = score(inst, row.answers or {}, inst.scores[0]["id"])
        bind.execute(a.update().where(a.c.id == row.id).values(score=value))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_team_name')
    with op.batch_alter_table('coordinator', schema=None) as batch_op:
        batch_op.drop_index('ix_coordinator_open')
    with op.batch_alter_table('contact_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_assignment_open')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_person_kind')
        batch_op.drop_column('score')
