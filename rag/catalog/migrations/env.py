"""Alembic's environment: migrations run on the connection rag.catalog.migrations.upgrade hands over (never from a URL here)."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run the catalog's migrations through rag.catalog.migrations.upgrade (Catalog does it when opened).")
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
