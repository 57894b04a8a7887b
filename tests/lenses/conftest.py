"""Fixtures for lens tests: the shipped sample lenses beside the repository, and a small
lens of our own that each test bends to hit one limit or one error."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import CORPUS, require
from webapp.assessments.services import start_assessment
from webapp.core.startup import get_content
from webapp.lenses import services as service

REPO = Path(__file__).resolve().parents[2]
CORPUS_LENSES = CORPUS / "lenses"
ORR = "aws-samples__ORR-Whitepaper-Sample-PUBLISHED.json"
ECS = "aws-samples__Amazon_ECS_Lens.json"
COGNITO = "aws-samples__custom-lens-cognito-v1.0.json"

SMALL_LENS: dict[str, Any] = {
    "schemaVersion": "2021-11-01",
    "name": "Backup readiness",
    "description": "Whether backups exist and restores are practised.",
    "pillars": [
        {
            "id": "backup",
            "name": "Backups",
            "questions": [
                {
                    "id": "bk_restore",
                    "title": "How do you know a restore works?",
                    "description": "Backups nobody restored are a hope, not a plan.",
                    "helpfulResource": {
                        "displayText": "Restore drills",
                        "url": "https://example.com/drills",
                    },
                    "choices": [
                        {
                            "id": "bk_tested",
                            "title": "Restores are tested monthly",
                            "improvementPlan": {
                                "displayText": "Schedule a monthly restore drill.",
                                "url": "https://example.com/plan",
                            },
                        },
                        {
                            "id": "bk_documented",
                            "title": "The restore steps are written down",
                            "improvementPlan": {"displayText": "Write the restore runbook."},
                        },
                        {"id": "bk_no", "title": "None of these"},
                    ],
                    "riskRules": [
                        {"condition": "bk_tested && bk_documented", "risk": "NO_RISK"},
                        {"condition": "bk_tested || bk_documented", "risk": "MEDIUM_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                },
                {
                    "id": "bk_offsite",
                    "title": "Is a copy kept in another region?",
                    "choices": [
                        {
                            "id": "off_yes",
                            "title": "Yes",
                            "improvementPlan": {"displayText": "Copy backups to a second region."},
                        },
                    ],
                    "riskRules": [
                        {"condition": "off_yes", "risk": "NO_RISK"},
                        {"condition": "default", "risk": "MEDIUM_RISK"},
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture(scope="session")
def corpus_lenses() -> Path:
    """The sample lens files beside the repository (a failure under CI when absent)."""
    return corpus_lenses_dir()


def corpus_lenses_dir() -> Path:
    return require(CORPUS_LENSES)


@pytest.fixture
def small_lens() -> dict[str, Any]:
    """A fresh copy of a valid two-question lens to change."""
    return copy.deepcopy(SMALL_LENS)


def as_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


@pytest.fixture
def admin(make_user):
    return make_user(name="Ada Admin", is_admin=True)


@pytest.fixture
def backup_lens(app, db_session, small_lens):
    with app.app_context():
        return service.import_lens(db_session, as_bytes(small_lens)).row


@pytest.fixture
def review(app, db_session, people, backup_lens):
    """An assessment on the backup lens, started by the team's owner."""
    with app.app_context():
        return start_assessment(
            db_session,
            people["team"],
            people["owner"],
            name="Billing DB",
            description="",
            questionnaire_id=backup_lens.questionnaire_id, content=get_content(),
        )
