"""postcode keys from the address text, 通称 on CR entries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kiosk.core.address import registry_postcode_key

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table('cr_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_of_other', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('name_of_other_kana', sa.String(length=200), nullable=True))
    # Existing patients: a postcode written as 〒217-5955 or only inside the address becomes their postcode key,
    # so the kana + postcode lookup finds them without a re-import.
    connection = op.get_bind()
    patients = sa.table('patients', sa.column('patient_id', sa.String), sa.column('postcode', sa.String),
                        sa.column('postcode_key', sa.String), sa.column('address', sa.Text))
    last = ''
    while True:
        rows = connection.execute(
            sa.select(patients.c.patient_id, patients.c.postcode, patients.c.address, patients.c.postcode_key)
            .where(patients.c.patient_id > last).order_by(patients.c.patient_id).limit(BATCH)
        ).all()
        if not rows:
            break
        updates = [{'pid': pid, 'pk': key} for pid, postcode, address, old in rows
                   if (key := registry_postcode_key(postcode, address)) != old]
        if updates:
            connection.execute(
                patients.update().where(patients.c.patient_id == sa.bindparam('pid'))
                .values(postcode_key=sa.bindparam('pk')),
                updates,
            )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('cr_entries', schema=None) as batch_op:
        batch_op.drop_column('name_of_other_kana')
        batch_op.drop_column('name_of_other')
