"""Each document's language, detected when it is read: keyword terms are stemmed in it (rag/languages.py)."""

from rag.catalog import m023_assistant_language
from rag.catalog.migrations import run_function

revision = "0006_assistant_language"
down_revision = "0005_forgetting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_function(m023_assistant_language)


def downgrade() -> None:
    raise NotImplementedError("The catalog is never migrated down: restore a backup instead (docs/team.md).")
