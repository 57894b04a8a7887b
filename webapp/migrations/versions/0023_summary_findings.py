"""assessment summaries count every finding (the assessments dashboard's column)

The rows written before have no such count: they are removed, and the task queue writes them
again when a page asks (a page shows "being updated" meanwhile, never a missing figure).

Revision ID: 0023
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM assessment_summaries")
    with op.batch_alter_table("assessment_summaries") as batch:
        batch.add_column(sa.Column("findings", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("assessment_summaries") as batch:
        batch.drop_column("findings")
