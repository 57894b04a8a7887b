"""Building answers in code, the way the web app does."""

from __future__ import annotations

from webapp.domain import Answer, Answers, SystemInfo, WorkflowAnswers


def answers_of(system: dict | None = None, *workflows: dict, **kwargs) -> Answers:
    """Answers built in code, as the web app does: values are choice ids, lists or Answer."""

    def conv(raw: dict) -> dict[str, Answer]:
        return {
            q: v
            if isinstance(v, Answer)
            else Answer.of(v)
            if isinstance(v, list)
            else Answer.choice(v)
            for q, v in raw.items()
        }

    flows = [WorkflowAnswers(f"wf-{i + 1}", conv(w)) for i, w in enumerate(workflows)]
    return Answers("mini-review", 1, SystemInfo("Test"), conv(system or {}), {}, flows, **kwargs)
