"""qualification state, terminal notices and lapsed-history links on CR entries; how a file's encoding was decided;
files of a watched folder that cannot be read

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cr_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qualification', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('qualification_validity', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('notice', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('history_of', sa.Integer(), nullable=True))
    with op.batch_alter_table('face_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('encoding_basis', sa.String(length=16), nullable=True))
    op.create_table('folder_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_folder_problems')),
    sa.UniqueConstraint('source', 'name', name='uq_folder_problems_source_name')
    )


def downgrade() -> None:
    op.drop_table('folder_problems')
    with op.batch_alter_table('face_files', schema=None) as batch_op:
        batch_op.drop_column('encoding_basis')
    with op.batch_alter_table('cr_entries', schema=None) as batch_op:
        batch_op.drop_column('history_of')
        batch_op.drop_column('notice')
        batch_op.drop_column('qualification_validity')
        batch_op.drop_column('qualification')
