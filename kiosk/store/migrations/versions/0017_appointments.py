"""予約: the embedded registry's appointments, and the appointment a CR list entry was received against

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'appointments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.String(length=64), nullable=False),
        sa.Column('patient_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('at', sa.Time(), nullable=False),
        sa.Column('department_code', sa.String(length=16), nullable=True),
        sa.Column('physician_code', sa.String(length=16), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reception_id', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
        sa.UniqueConstraint('appointment_id', name='uq_appointments_appointment_id'),
    )
    op.create_index('ix_appointments_patient_id', 'appointments', ['patient_id'])
    op.create_index('ix_appointments_day', 'appointments', ['day'])
    with op.batch_alter_table('cr_entries') as batch:
        batch.add_column(sa.Column('appointment_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cr_entries') as batch:
        batch.drop_column('appointment_id')
    op.drop_index('ix_appointments_day', table_name='appointments')
    op.drop_index('ix_appointments_patient_id', table_name='appointments')
    op.drop_table('appointments')
