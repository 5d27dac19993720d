"""What grading produces: one result per check, gathered into a report."""
from __future__ import annotations

from dataclasses import dataclass, field

from .worker.statuses import Status  # noqa: F401 (the one list of statuses)


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
    hidden: bool = False  # a check of official grading only (Gradescope shows it once published)


@dataclass
class HiddenCheck:
    """A hidden check a student's own run did not run: it runs only in official grading."""

    name: str
    part: str
    max_score: float


@dataclass
class Report:
    assignment: str
    submission: str
    dataset: str
    results: list[CheckResult] = field(default_factory=list)
    execution_time: float = 0.0
    grader_version: str = ""
    notes: list[str] = field(default_factory=list)  # facts about the run: data used, isolation
    hidden: list[HiddenCheck] = field(default_factory=list)  # not run: official grading only

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
