"""a workflow's automation file (name and text), read by the automated reviewer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("workflows", sa.Column("automation_name", sa.String(length=200), nullable=True))
    op.add_column("workflows", sa.Column("automation_text", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("workflows", "automation_text")
    op.drop_column("workflows", "automation_name")
