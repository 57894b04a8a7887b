"""Every table of the database, registered on `Base.metadata` by importing each feature's models.

Alembic (`webapp/migrations/env.py`) and the tests import this module to see every table. A
feature's models live in its package's `models.py`; a new one is imported here, together with
an Alembic revision (`tests/web/test_migrations.py` fails when the two drift apart).
"""

from __future__ import annotations

import webapp.accounts.models  # noqa: F401
import webapp.api.models  # noqa: F401
import webapp.assessments.models  # noqa: F401
import webapp.audit.models  # noqa: F401
import webapp.lenses.models  # noqa: F401
import webapp.sharing.models  # noqa: F401
import webapp.teams.models  # noqa: F401
import webapp.tracking.models  # noqa: F401
