"""print jobs: the merged print held in the database in chunks (any app instance hands it
over), instead of a file under one instance's folder

Revision ID: m3_0019_print_jobs
Revises: m3_0020_rating_language
Create Date: 2026-12-07 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3_0019_print_jobs'
down_revision = 'm3_0020_rating_language'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'print_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('taken_at', sa.DateTime(), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_print_job_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_print_job')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_print_job_token_sha256')))
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_job_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_job_created_at'), ['created_at'],
                              unique=False)
    op.create_table(
        'print_job_chunk',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['print_job.id'],
                                name=op.f('fk_print_job_chunk_job_id_print_job'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('job_id', 'seq', name=op.f('pk_print_job_chunk')))


def downgrade():
    op.drop_table('print_job_chunk')
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_job_created_at'))
        batch_op.drop_index(batch_op.f('ix_print_job_user_id'))
    op.drop_table('print_job')
