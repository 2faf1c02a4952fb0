"""action plan (one per diagnostic, up to five items) and pitch-sheet settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:37:11.170952
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('diagnostic_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['diagnostic_id'], ['diagnostic.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('diagnostic_id'),
    sqlite_autoincrement=True
    )
    op.create_table('pitch_setting',
    sa.Column('diagnostic_id', sa.Integer(), nullable=False),
    sa.Column('hidden_blocks_json', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['diagnostic_id'], ['diagnostic.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('diagnostic_id')
    )
    op.create_table('action_plan_item',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('first_step', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('help', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'position')
    )


def downgrade() -> None:
    op.drop_table('action_plan_item')
    op.drop_table('pitch_setting')
    op.drop_table('action_plan')
