"""Knowledge gaps: topics marked out of scope and the questions' cached vectors (rag/workspace/gaps.py)."""

from rag.catalog import m021_knowledge_gaps
from rag.catalog.migrations import run_function

revision = "0004_knowledge_gaps"
down_revision = "0003_answer_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_function(m021_knowledge_gaps)


def downgrade() -> None:
    raise NotImplementedError("The catalog is never migrated down: restore a backup instead (docs/team.md).")
