"""Who may see what, through the door: users, passwords and the checks (kept in rag/access/users.py, the stage
below answering, writing and quality checks, which check the acting user themselves)."""

from __future__ import annotations

from ..access.users import (  # noqa: F401 - offered to pages and the command line as they are
    EVERYONE,
    ITERATIONS,
    LOCAL_USER,
    User,
    authenticate,
    can_manage,
    can_use,
    hash_password,
    require,
    signed_in,
    verify_password,
)
