"""The summaries' side of the app: the task queue's job that writes them, and the app's asker
pages hand to `summaries` (which takes it as an argument and knows nothing of Flask)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, current_app

from webapp.assessments.evaluation import revision_key
from webapp.assessments.models import Assessment
from webapp.core.db import session_scope
from webapp.core.views import result_cache
from webapp.portfolio.models import AssessmentSummary
from webapp.portfolio.summaries import Asker, summarize

logger = logging.getLogger(__name__)

TASK_KEY = "faultline.summarize"


def asker(app: Flask | None = None) -> Asker:
    """The app's one `Asker` (registered by `init_app`): what views pass to `summaries`."""
    return (app or current_app).extensions[TASK_KEY]


def summarize_job(app: Flask, assessment_ids: Iterable[int]) -> None:
    """The queue's job: bring the summaries of these assessments up to date, each in its own
    short transaction; an assessment already current, or deleted meanwhile, is skipped."""
    cache = result_cache(app)
    for assessment_id in assessment_ids:
        with session_scope(app) as session:
            assessment = session.get(Assessment, assessment_id)
            if assessment is None:
                continue
            row = session.get(AssessmentSummary, assessment_id)
            if row is not None and row.revision_key == revision_key(assessment,
                                                                    content=cache.content):
                continue
            summarize(session, assessment, cache)
            logger.info("summary of assessment %s at revision %s written", assessment_id,
                        assessment.revision)


def init_app(app: Flask) -> None:
    """Register the job on the app's task queue (web processes and workers) and have every
    committed change to an assessment queue it."""
    from webapp import tasks

    huey = tasks.get_queue(app).huey

    @huey.task(name="summarize_assessments")
    def job(assessment_ids: list[int]) -> None:
        with app.app_context():
            summarize_job(app, assessment_ids)

    app.extensions[TASK_KEY] = Asker(job)

    def changed(assessments: dict[int, int]) -> None:
        # Tests turn this off (their queue runs jobs at once): pages ask for what they show.
        if app.config.get("SUMMARIZE_ON_CHANGE", True):
            asker(app).ask({assessment_id: None for assessment_id in assessments})

    tasks.on_change(app, changed)
