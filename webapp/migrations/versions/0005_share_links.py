"""share links and their view log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False, **kwargs: object) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, **kwargs)


def _user_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_share_links_{column}_users"), ondelete="SET NULL"
    )


def upgrade() -> None:
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _when("created_at", server_default=sa.func.now()),
        _when("expires_at"),
        _when("revoked_at", nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        _when("last_viewed_at", nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_share_links_expires_after_creation")
        ),
        sa.CheckConstraint(
            "view_count >= 0", name=op.f("ck_share_links_view_count_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_share_links_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestones.id"],
            name=op.f("fk_share_links_milestone_id_milestones"),
            ondelete="CASCADE",
        ),
        _user_fk("created_by_id"),
        _user_fk("revoked_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_links_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_share_links_milestone_id"), ["milestone_id"], unique=False
        )

    op.create_table(
        "share_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_link_id", sa.Integer(), nullable=False),
        _when("viewed_at", server_default=sa.func.now()),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("client", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_link_id"],
            ["share_links.id"],
            name=op.f("fk_share_views_share_link_id_share_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_views")),
    )
    with op.batch_alter_table("share_views", schema=None) as batch_op:
        batch_op.create_index(
            "ix_share_views_link_time", ["share_link_id", "viewed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("share_views", schema=None) as batch_op:
        batch_op.drop_index("ix_share_views_link_time")
    op.drop_table("share_views")
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_links_milestone_id"))
        batch_op.drop_index(batch_op.f("ix_share_links_assessment_id"))
    op.drop_table("share_links")
