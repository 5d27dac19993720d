"""What grading produces: one result per check, gathered into a report."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(str, Enum):
    """Why a check got the score it got."""

    PASSED = "passed"
    FAILED = "failed"  # ran, but the answer is wrong
    NOT_IMPLEMENTED = "not_implemented"  # raised NotImplementedError or returned None
    MISSING = "missing"  # the function, class or module is not there
    IMPORT_ERROR = "import_error"  # the module failed to import
    CRASH = "crash"  # the code raised, or the worker died
    TIMEOUT = "timeout"
    MEMORY = "memory"
    NUMPY2 = "numpy2"  # uses an API that NumPy 2 removed
    SKIPPED = "skipped"  # a check it builds on did not pass
    INVALID_SUBMISSION = "invalid_submission"  # nothing gradable was handed in
    GRADER_ERROR = "grader_error"  # our fault, never the student's


@dataclass
class CheckResult:
    name: str
    part: str
    max_score: float
    score: float
    status: Status
    feedback: str = ""
    output: str = ""  # what the student's code printed during the check
    seconds: float = 0.0  # time spent in the student's code

    def to_json(self) -> dict:
        text = self.feedback
        if self.output.strip():
            text += "\n\n--- output printed by your code ---\n" + self.output
        return {"name": self.name, "score": round(self.score, 4), "max_score": self.max_score,
                "status": self.status.value, "output": text}


@dataclass
class Report:
    assignment: str
    submission: str
    dataset: str
    results: list[CheckResult] = field(default_factory=list)
    execution_time: float = 0.0
    grader_version: str = ""
    notes: list[str] = field(default_factory=list)  # facts about the run: data used, isolation

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.results), 4)

    @property
    def max_score(self) -> float:
        return round(sum(r.max_score for r in self.results), 4)

    def part_scores(self) -> dict[str, tuple[float, float]]:
        parts: dict[str, tuple[float, float]] = {}
        for r in self.results:
            got, top = parts.get(r.part, (0.0, 0.0))
            parts[r.part] = (round(got + r.score, 4), round(top + r.max_score, 4))
        return parts

    def to_json(self) -> dict:
        """Gradescope's results.json field names, with our own details beside them."""
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 2),
            "tests": [r.to_json() for r in self.results],
            "extra_data": {"submission": self.submission, "dataset": self.dataset,
                           "grader_version": self.grader_version, "notes": self.notes,
                           "parts": {k: {"score": s, "max_score": m} for k, (s, m) in self.part_scores().items()},
                           "seconds": {r.name: round(r.seconds, 3) for r in self.results}},
        }
