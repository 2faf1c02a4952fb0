"""a participant's agreement to present their situation in a co-development round

Revision ID: 0007_present_consent
Revises: 0006_followup
Create Date: 2026-12-02 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_present_consent'
down_revision = '0006_followup'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participant') as batch:
        batch.add_column(
            sa.Column('present_consent', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('participant') as batch:
        batch.drop_column('present_consent')
