"""The database model: typed SQLAlchemy 2 declarative classes.

Later issues add their tables here (or in a `models_<feature>.py` imported below) together
with an Alembic revision; `tests/web/test_migrations.py` fails when the two drift apart.
"""

from __future__ import annotations

# Issue 4's tables live in their own module; importing it registers them on Base.metadata.
import webapp.accounts.models  # noqa: E402, F401
import webapp.api.models  # noqa: E402, F401
import webapp.assessments.models  # noqa: E402, F401
import webapp.lenses.models  # noqa: E402, F401
import webapp.sharing.models  # noqa: E402, F401
import webapp.tracking.models  # noqa: E402, F401
