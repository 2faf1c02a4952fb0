"""running the room: co-counsellors of a workshop, the counsellors' private note per participant

Revision ID: 0005_room
Revises: 0004_rounds
Create Date: 2026-12-02 15:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_room'
down_revision = '0004_rounds'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workshop_facilitator',
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workshop_id', 'facilitator_id')
    )
    op.create_index('ix_workshop_facilitator_facilitator_id', 'workshop_facilitator', ['facilitator_id'])
    with op.batch_alter_table('participant') as batch:
        batch.add_column(sa.Column('counsellor_note', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('participant') as batch:
        batch.drop_column('counsellor_note')
    op.drop_index('ix_workshop_facilitator_facilitator_id', table_name='workshop_facilitator')
    op.drop_table('workshop_facilitator')
