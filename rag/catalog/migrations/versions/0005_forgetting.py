"""Forget checks: what a removed document or replaced version said, as questions and fingerprints (rag/ingest/forgetting.py)."""

from rag.catalog import m022_forgetting
from rag.catalog.migrations import run_function

revision = "0005_forgetting"
down_revision = "0004_knowledge_gaps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_function(m022_forgetting)


def downgrade() -> None:
    raise NotImplementedError("The catalog is never migrated down: restore a backup instead (docs/team.md).")
