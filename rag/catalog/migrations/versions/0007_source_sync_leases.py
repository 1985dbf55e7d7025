"""Site syncs held on a lease in the catalog, so any indexer of a team may sync the sites that are due."""

from rag.catalog import m024_source_sync_leases
from rag.catalog.migrations import run_function

revision = "0007_source_sync_leases"
down_revision = "0006_assistant_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_function(m024_source_sync_leases)


def downgrade() -> None:
    raise NotImplementedError("The catalog is never migrated down: restore a backup instead (docs/team.md).")
