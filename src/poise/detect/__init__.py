"""Detection: turning matches into Findings (speaker scope, negation, context, required, metrics)."""

from .engine import CallAnalysis, Detector
from .finding import Candidate, Finding

__all__ = ["CallAnalysis", "Candidate", "Detector", "Finding"]
