"""indexes for the retention purge's scans: diagnostic.updated_at (untouched diagnostics),
participant.joined_at (recent links keep a diagnostic), workshop.created_at (old workshops) and
facilitator_session.expires_at (expired sessions)

Revision ID: 0008_purge_indexes
Revises: 0007_present_consent
Create Date: 2026-12-02 17:30:00
"""

from alembic import op


revision = "0008_purge_indexes"
down_revision = "0007_present_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_diagnostic_updated_at", "diagnostic", ["updated_at"])
    op.create_index("ix_workshop_created_at", "workshop", ["created_at"])
    op.create_index("ix_participant_joined_at", "participant", ["joined_at"])
    op.create_index("ix_facilitator_session_expires_at", "facilitator_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_facilitator_session_expires_at", table_name="facilitator_session")
    op.drop_index("ix_participant_joined_at", table_name="participant")
    op.drop_index("ix_workshop_created_at", table_name="workshop")
    op.drop_index("ix_diagnostic_updated_at", table_name="diagnostic")
