"""imported AWS custom lenses and the answers of assessments on a lens

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NA_REASONS = ("OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER")


def _timestamp(name: str) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        server_default=sa.func.now(),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "lens_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lens_key", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        _timestamp("imported_at"),
        sa.CheckConstraint("version >= 1", name=op.f("ck_lens_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["users.id"],
            name=op.f("fk_lens_versions_imported_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lens_versions")),
        sa.UniqueConstraint("lens_key", "version", name=op.f("uq_lens_versions_lens_key")),
    )
    op.create_index(op.f("ix_lens_versions_lens_key"), "lens_versions", ["lens_key"])
    op.create_table(
        "lens_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=128), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("na_reason", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            f"na_reason IS NULL OR na_reason IN {NA_REASONS!r}",
            name=op.f("ck_lens_answers_na_known"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_lens_answers_version_positive")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_lens_answers_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_lens_answers_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lens_answers")),
        sa.UniqueConstraint(
            "assessment_id", "question_id", name=op.f("uq_lens_answers_assessment_id")
        ),
    )
    op.create_index(op.f("ix_lens_answers_assessment_id"), "lens_answers", ["assessment_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_lens_answers_assessment_id"), table_name="lens_answers")
    op.drop_table("lens_answers")
    op.drop_index(op.f("ix_lens_versions_lens_key"), table_name="lens_versions")
    op.drop_table("lens_versions")
