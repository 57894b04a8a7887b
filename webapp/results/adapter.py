"""The one place the API, the CI gate and the portfolio read the engine's result as JSON.

It is the typed result's JSON (`domain.result_to_json`, the `faultline report --format json`
shape), so a change of that shape is a change here alone.
"""

from __future__ import annotations

import json
from typing import Any


def result_json(result: Any) -> dict[str, Any]:
    """The result as `faultline report --format json` prints it."""
    from webapp.domain import result_to_json

    return json.loads(result_to_json(result))
