"""Assessments: answers, workflows, automation evidence, and their evaluation."""
