"""Scores against references.

Inputs and pairing (`inputs`), metrics (`metrics`), the run (`score`), reports (`render`).
"""
from mt.evaluate.inputs import EvaluateError
from mt.evaluate.render import render_markdown, render_text
from mt.evaluate.score import EvaluateOptions, Report, evaluate

__all__ = ["EvaluateError", "EvaluateOptions", "Report", "evaluate", "render_markdown", "render_text"]
