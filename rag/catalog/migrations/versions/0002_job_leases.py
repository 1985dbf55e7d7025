"""Jobs held on a lease: which indexer has a job (``worker``) and until when (``lease_until``, renewed by its
heartbeat); a job whose lease ran out is taken by another indexer (rag/ingest/queue.py)."""

import sqlalchemy as sa
from alembic import op

revision = "0002_job_leases"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("worker", sa.Text(), nullable=True))
    op.add_column("jobs", sa.Column("lease_until", sa.Float(precision=53), nullable=True))
    op.create_index("jobs_lease", "jobs", ["status", "lease_until"])


def downgrade() -> None:
    raise NotImplementedError("The catalog is never migrated down: restore a backup instead (docs/team.md).")
