"""The base: every table made before Alembic (rag.catalog.BASE, m001..m019), each once per catalog."""

from rag.catalog import BASE
from rag.catalog.migrations import run_function

revision = "0001_base"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for migration in BASE:
        run_function(migration)


def downgrade() -> None:
    raise NotImplementedError("The catalog is never migrated down: restore a backup instead (docs/team.md).")
