"""What a suite is: one assignment (one course edition of it) as a list of parts.

A ``Part`` is the unit of rubric: its checks (with their names, points and the
checks they build on, named within the part), the workspace hook it needs, and
whether it can be graded without the ``cs231n`` package. Part modules
(``grader/parts/``) build parts; a suite (``grader/suites/``) lists them, under its
own names and points where they differ (``Part.named``, ``Part.scored``,
``Part.without``), so that a part is written once and used by every edition.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .checks import Check

Hook = Callable[[Path], list[str]]  # prepares a workspace before any worker starts; returns notes


@dataclass(frozen=True)
class Part:
    name: str
    checks: tuple[Check, ...]
    prepare: Hook | None = None  # e.g. a notebook turned into a module, provided code put in place
    needs_package: bool = True  # False: graded from a notebook alone too
    hidden: bool = False  # every check of the part runs only in official grading

    def hide(self, *names: str) -> "Part":
        """The same part with some checks hidden (run only in official grading), by check name."""
        unknown = set(names) - {c.name for c in self.checks}
        if unknown:
            raise ValueError(f"part {self.name}: no check named {', '.join(sorted(unknown))}")
        return replace(self, checks=tuple(replace(c, hidden=c.hidden or c.name in names) for c in self.checks))

    def named(self, name: str) -> "Part":
        return replace(self, name=name)

    def scored(self, points: dict[str, float]) -> "Part":
        """The same part with some checks' points changed, by check name."""
        unknown = set(points) - {c.name for c in self.checks}
        if unknown:
            raise ValueError(f"part {self.name}: no check named {', '.join(sorted(unknown))}")
        return replace(self, checks=tuple(replace(c, points=points.get(c.name, c.points)) for c in self.checks))

    def without(self, *names: str) -> "Part":
        """The same part minus some checks (and the checks that build on them)."""
        unknown = set(names) - {c.name for c in self.checks}
        if unknown:
            raise ValueError(f"part {self.name}: no check named {', '.join(sorted(unknown))}")
        dropped, kept = set(names), []
        for check in self.checks:
            if check.name in dropped or dropped & set(check.requires):
                dropped.add(check.name)
            else:
                kept.append(check)
        return replace(self, checks=tuple(kept))

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)


def among(titles: tuple[str, ...], parts: list[Part]) -> tuple[str, ...]:
    """Those of ``titles`` (an assignment's hidden checks) that ``parts`` (one edition's) have."""
    have = {f"{part.name}: {check.name}" for part in parts for check in part.checks}
    return tuple(title for title in titles if title in have)


@dataclass
class Suite:
    """One assignment: parts in order, the reference folder (``reference/NAME``) its
    answers come from and the starter folder (``assignments/NAME``) students begin with."""

    name: str
    reference: str
    parts: list[Part]
    starter: str = ""  # default: the same name as the reference
    about: str = ""  # one line for ``grade list``
    # Arguments the student's code of this edition names otherwise than the reference,
    # e.g. {"dropout_keep_ratio": "dropout"}: renamed in every request to the student's worker.
    student_args: dict[str, str] = field(default_factory=dict)
    # Titles of checks run only in official grading (with the reference, on the secret seed);
    # a check is also hidden when it or its part says so, or when it builds on a hidden one.
    hidden: tuple[str, ...] = ()
    checks: list[Check] = field(init=False)

    def __post_init__(self):
        self.starter = self.starter or self.reference
        self.checks = []
        hidden = set()
        for part in self.parts:
            for check in part.checks:
                title = f"{part.name}: {check.name}"
                requires = tuple(f"{part.name}: {name}" for name in check.requires)
                if check.hidden or part.hidden or title in self.hidden or hidden & set(requires):
                    hidden.add(title)
                self.checks.append(replace(check, part=part.name, requires=requires, hidden=title in hidden))
        titles = [c.title for c in self.checks]
        duplicated = {t for t in titles if titles.count(t) > 1}
        unknown = {r for c in self.checks for r in c.requires if r not in titles} | (set(self.hidden) - set(titles))
        names = [p.name for p in self.parts]
        if duplicated or unknown or len(set(names)) != len(names):
            raise ValueError(f"suite {self.name}: duplicated {duplicated or '-'}, unknown requirements or hidden "
                             f"checks {unknown or '-'}, parts {names}")

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)

    @property
    def package_free_parts(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts if not p.needs_package)

    @property
    def needs_package(self) -> bool:
        """Whether a submission without a ``cs231n`` package is invalid as a whole."""
        return all(p.needs_package for p in self.parts)

    def prepare_workspace(self, root: Path) -> list[str]:
        """Run every part's workspace hook (each once) on a workspace; returns their notes."""
        notes, done = [], []
        for part in self.parts:
            if part.prepare and part.prepare not in done:
                done.append(part.prepare)
                notes += part.prepare(root)
        return notes

    def only(self, *titles: str, name: str | None = None) -> "Suite":
        """The suite cut down to ``titles`` and the checks they build on, in its order."""
        wanted = set(titles)
        unknown = wanted - {c.title for c in self.checks}
        if unknown:
            raise ValueError(f"suite {self.name}: no check {', '.join(sorted(unknown))}")
        for check in reversed(self.checks):
            if check.title in wanted:
                wanted |= set(check.requires)
        parts = [replace(p, checks=tuple(c for c in p.checks if f"{p.name}: {c.name}" in wanted)) for p in self.parts]
        return replace(self, name=name or self.name, parts=[p for p in parts if p.checks],
                       hidden=tuple(t for t in self.hidden if t in wanted))

    def without(self, *parts: str, name: str) -> "Suite":
        """The same suite minus some parts, under another name."""
        kept = [p for p in self.parts if p.name not in parts]
        return replace(self, name=name, parts=kept, hidden=tuple(t for t in self.hidden if t.split(": ")[0] in
                                                                 {p.name for p in kept}))

    @property
    def public_checks(self) -> list[Check]:
        """The checks a student's own run scores (the others run only in official grading)."""
        return [c for c in self.checks if not c.hidden]
