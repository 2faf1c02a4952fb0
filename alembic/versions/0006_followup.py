"""frozen results and follow-up sessions: workshop.frozen_at and follows_id, each participant's
frozen diagnostic, and a status per action-plan piste

Revision ID: 0006_followup
Revises: 0005_room
Create Date: 2026-12-02 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_followup'
down_revision = '0005_room'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('follows_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_workshop_follows_id_workshop', 'workshop', ['follows_id'], ['id'], ondelete='SET NULL'
        )
        batch.create_index('ix_workshop_follows_id', ['follows_id'])
    with op.batch_alter_table('action_plan_item') as batch:
        batch.add_column(
            sa.Column('status', sa.String(length=16), nullable=False, server_default='todo')
        )
    op.create_table('participant_freeze',
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('diagnostic_updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('partner_request', sa.Text(), nullable=False),
    sa.Column('answers_json', sa.Text(), nullable=False),
    sa.Column('plan_json', sa.Text(), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['snapshot_id'], ['questionnaire_snapshot.id'], ),
    sa.PrimaryKeyConstraint('participant_id')
    )
    op.create_index('ix_participant_freeze_workshop_id', 'participant_freeze', ['workshop_id'])


def downgrade() -> None:
    op.drop_index('ix_participant_freeze_workshop_id', table_name='participant_freeze')
    op.drop_table('participant_freeze')
    with op.batch_alter_table('action_plan_item') as batch:
        batch.drop_column('status')
    with op.batch_alter_table('workshop') as batch:
        batch.drop_index('ix_workshop_follows_id')
        batch.drop_constraint('fk_workshop_follows_id_workshop', type_='foreignkey')
        batch.drop_column('follows_id')
        batch.drop_column('frozen_at')
