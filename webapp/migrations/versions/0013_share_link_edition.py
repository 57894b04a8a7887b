"""which PDF edition a share link offers (full review or executive edition)

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("share_links") as batch:
        batch.add_column(sa.Column("edition", sa.String(length=16), nullable=False,
                                   server_default="full"))


def downgrade() -> None:
    with op.batch_alter_table("share_links") as batch:
        batch.drop_column("edition")
