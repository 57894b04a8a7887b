"""The review engine: pure Python, no Flask, no SQLAlchemy, no I/O beyond content files.

Public API (the web app, the CLI and the report depend on these names):

- load_content(content_dir) -> Content               raises ContentError
- load_answers(path, content) -> Answers             raises AnswersError
- parse_answers(data, content, source) -> Answers    raises AnswersError
- parse_answers_text(text, content, source) -> Answers   raises AnswersError
- answers_to_dict(answers) -> dict                   the answers-file data (for yaml.safe_dump)
- validate_answers(index, answers) -> list[Problem]
- evaluate(content, answers, questionnaire_id=None) -> ReviewResult
- hidden_questions(content, answers, questionnaire_id=None) -> {position: {question: reason}}
                                                     what `evaluate` reports not asked, cheaply
- screen_inputs(compiled) -> frozenset[str]          the only answers hidden_questions reads
- build_result(review, workflow_ids=None) -> Result   the typed, versioned result (result.py)
- evaluate_result(content, answers, ...) -> Result    both steps at once
- result_to_dict(result) / result_to_json(result) / result_from_dict(data)   its JSON
"""

from .answer_checks import load_answers, parse_answers, parse_answers_text, validate_answers
from .answers import Answer, Answers, SystemInfo, WorkflowAnswers, answers_to_dict
from .content import Content
from .errors import AnswersError, ContentError, Problem
from .evaluate import ReviewResult, evaluate, hidden_questions, screen_inputs
from .loader import load_content
from .result import Result
from .result_build import build_result, evaluate_result
from .result_json import result_from_dict, result_to_dict, result_to_json

__all__ = [
    "Answer",
    "Answers",
    "AnswersError",
    "Content",
    "ContentError",
    "Problem",
    "Result",
    "ReviewResult",
    "SystemInfo",
    "WorkflowAnswers",
    "build_result",
    "evaluate",
    "evaluate_result",
    "hidden_questions",
    "load_answers",
    "load_content",
    "parse_answers",
    "answers_to_dict",
    "parse_answers_text",
    "result_from_dict",
    "result_to_dict",
    "result_to_json",
    "screen_inputs",
    "validate_answers",
]
