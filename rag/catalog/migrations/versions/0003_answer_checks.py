"""Answer checks: questions with the facts a right answer states, their runs and results (rag/catalog/checks.py)."""

from rag.catalog import m020_answer_checks
from rag.catalog.migrations import run_function

revision = "0003_answer_checks"
down_revision = "0002_job_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_function(m020_answer_checks)


def downgrade() -> None:
    raise NotImplementedError("The catalog is never migrated down: restore a backup instead (docs/team.md).")
