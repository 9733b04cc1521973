"""kiosk PCs reach the agent's kiosk API with a per-kiosk token, stored hashed and revocable

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kiosk_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kiosk_name', sa.String(length=64), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_tokens')),
        sa.UniqueConstraint('token_hash', name='uq_kiosk_tokens_token_hash'),
    )
    op.create_index('ix_kiosk_tokens_kiosk_name', 'kiosk_tokens', ['kiosk_name'])


def downgrade() -> None:
    op.drop_index('ix_kiosk_tokens_kiosk_name', table_name='kiosk_tokens')
    op.drop_table('kiosk_tokens')
