"""assessment summaries (the portfolio's figures per revision); a milestone's overall score
beside its result; audit events of API uses that concern no single assessment

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_summaries",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("revision_key", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("overall", sa.Double(), nullable=True),
        sa.Column("coverage", sa.Double(), nullable=True),
        sa.Column("fit", sa.String(length=20), nullable=True),
        sa.Column("fit_title", sa.String(length=200), nullable=False),
        sa.Column("layers", sa.JSON(), nullable=False),
        sa.Column("critical", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.Column("now", sa.JSON(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_assessment_summaries_assessment_id_assessments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_assessment_summaries")),
    )
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("assessment_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("milestones") as batch:
        batch.add_column(sa.Column("overall", sa.Double(), nullable=True))
    op.create_index("ix_milestones_trend", "milestones",
                    ["assessment_id", "created_at", "id", "name", "overall"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE milestones SET overall = CASE WHEN json_typeof(result -> 'overall')"
                   " = 'number' THEN (result ->> 'overall')::double precision END")
    else:
        op.execute("UPDATE milestones SET overall = CASE WHEN json_type(result, '$.overall')"
                   " IN ('integer', 'real') THEN json_extract(result, '$.overall') END")


def downgrade() -> None:
    op.drop_index("ix_milestones_trend", table_name="milestones")
    with op.batch_alter_table("milestones") as batch:
        batch.drop_column("overall")
    op.execute("DELETE FROM audit_events WHERE assessment_id IS NULL")
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("assessment_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("assessment_summaries")
