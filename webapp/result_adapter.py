"""The one place the API, the CI gate and the portfolio read the engine's result as JSON.

Today that is `domain.result_to_json`; when the typed result lands it becomes its JSON method,
a change to this function alone.
"""

from __future__ import annotations

import json
from typing import Any


def result_json(result: Any) -> dict[str, Any]:
    """The result as `faultline report --format json` prints it."""
    from webapp.domain import result_to_json

    return json.loads(result_to_json(result))
