"""The kinds of check a suite is made of.

Each kind says how to judge: what to ask the student's worker, what to compare it
with, and what to say when it is wrong. A suite lists instances of these with its
own inputs, tolerances and points; none of them knows any assignment.

A check's ``judge(ctx)`` gets a context (``grading.Context``) that runs probes on the
student's worker and the reference, holds the dataset and a random generator seeded
for this check, and returns a ``Verdict``.
"""
from __future__ import annotations

import ast
from dataclasses import KW_ONLY, dataclass, field, replace
from typing import Callable

import numpy as np

from . import hints as generic_hints
from .compare import changed_inputs, diff, relative_error
from .probe import Probe
from .results import Status
from .worker import numpy2

Cases = Callable[[np.random.Generator], list]


@dataclass
class Verdict:
    status: Status
    feedback: str = ""
    fraction: float | None = None  # of the points; None: all when passed, none otherwise


@dataclass
class Alternative:
    """The reference's answer to the same call with some arguments changed.

    Used to accept a known, harmless convention (``accept=``) or to recognise a known
    mistake (``hints=``): when the student's answer matches it, ``text`` is said.
    ``changes`` is a dict of arguments, or a function of the probe that gives one.
    """

    changes: dict | Callable[[Probe], dict]
    text: str

    def probe(self, probe: Probe) -> Probe:
        changes = self.changes(probe) if callable(self.changes) else self.changes
        return probe.with_args(**changes)


# Where in a reply the value to judge is: a key, or a path of keys and indexes, e.g.
# "out", ("out", 0) for the first item of the out, ("scores", "test").
Pick = str | tuple


@dataclass
class Check:
    """``requires``: names of checks of the same part that must pass before this one runs
    (the suite turns them into titles). ``explain``: a hint by status, said when a request
    of this check ends with that status (e.g. ``memory`` where the cause is known).
    ``hidden``: run only in official grading (see ``suite.Suite``), never in a student's
    own run from recorded answers."""

    name: str
    points: float
    _: KW_ONLY
    requires: tuple[str, ...] = ()
    part: str = ""
    explain: dict = field(default_factory=dict)
    hidden: bool = False

    def judge(self, ctx) -> Verdict:
        try:
            return self.decide(ctx)
        except Unanswered as stop:
            hint = self.explain.get(stop.verdict.status)
            return replace(stop.verdict, feedback=f"{stop.verdict.feedback}\n  hint: {hint}") if hint else stop.verdict

    def decide(self, ctx) -> Verdict:
        """The verdict of this kind of check (``reply`` ends it early when a request fails)."""
        raise NotImplementedError

    def requests(self, ctx) -> list[Probe]:
        """Every request this check can send the reference, made from ``ctx`` as ``judge``
        makes them (after ``ctx.begin(title)``), whatever the student answers: what a
        fixture records (``grader.fixtures``). Kinds that never ask the reference: none."""
        return []

    @property
    def title(self) -> str:
        return f"{self.part}: {self.name}" if self.part else self.name


class Unanswered(Exception):
    """A request the student's code did not answer: the check ends with this verdict."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.feedback)
        self.verdict = verdict


def reply(ctx, probe: Probe):
    """The student's reply to ``probe``; a request that did not come back with a value
    (timeout, crash, missing function ...) ends the check with a verdict that says why."""
    answer = ctx.student(probe)
    if not answer.ok:
        raise Unanswered(reply_failure(answer, probe))
    return answer


def reply_failure(reply, probe: Probe) -> Verdict:
    """A verdict for a request that did not come back with a value."""
    status = reply.status
    text = f"{probe.label}: {reply.message}"
    if reply.where:
        text += f"\n  at {reply.where}"
    if status is Status.NUMPY2:
        text += f"\n  hint: {numpy2.hint(reply.message)}"
    return Verdict(status, text)


def in_place_changes(probe: Probe, value) -> list[str]:
    """Arguments of ``probe`` that the code changed in place, by name."""
    changed = []
    for sent, where in probe.sent_inputs():
        after = value
        for key in where:
            after = after[key] if isinstance(after, (dict, list)) and _has(after, key) else None
        changed += changed_inputs(sent, after)
    return changed


def _has(container, key) -> bool:
    return key in container if isinstance(container, dict) else 0 <= key < len(container)


def picked(value, path: Pick):
    """The piece of a reply a check judges: ``path`` is a key or a tuple of keys/indexes
    (an index of an array picks one of its rows); None where there is no such piece."""
    for key in (path,) if isinstance(path, str) else path:
        if isinstance(value, dict):
            value = value.get(key)
        elif (isinstance(value, (list, tuple)) or isinstance(value, np.ndarray) and value.ndim) and \
                isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return None
    return value


def mismatch_verdict(probe: Probe, mismatch, hint: str | None) -> Verdict:
    status = Status.NOT_IMPLEMENTED if mismatch.unimplemented else Status.FAILED
    text = f"{probe.label}: {mismatch}"
    return Verdict(status, text + (f"\n  hint: {hint}" if hint else ""))


@dataclass
class Matches(Check):
    """The student's answer equals the reference's on the same inputs, within ``tol``.

    ``cases(rng)`` gives the probes to run; ``pick`` is the piece of each reply to
    compare (``"out"``, ``"grads"``, ``("out", 0)`` ...); ``names`` labels a tuple's
    items. ``hints`` are Alternatives or functions ``(got, expected, probe) -> text or
    None``. Inputs changed in place fail the check.
    """

    _: KW_ONLY
    cases: Cases
    tol: float = 1e-7
    pick: Pick = "out"
    names: tuple[str, ...] | None = None
    accept: tuple[Alternative, ...] = ()
    hints: tuple = ()

    def decide(self, ctx) -> Verdict:
        notes = []
        for probe in self.cases(ctx.rng):
            value = reply(ctx, probe).value
            changed = in_place_changes(probe, value)
            if set(changed) - {"dout"}:
                return Verdict(Status.FAILED, f"{probe.label}: changed its input {', '.join(changed)} in place; "
                                              "work on a copy (e.g. x.copy()) instead")
            if changed:  # the upstream gradient: the course's nets never read it again
                notes.append("changed its input dout in place: not counted (the course's code does not read dout "
                             "again, and the grader passed a copy), but a notebook cell that reuses dout sees the change")
            got = picked(value, self.pick)
            expected = picked(ctx.reference(probe), self.pick)
            mismatch = diff(got, expected, self.tol, names=self.names)
            if mismatch is None:
                continue
            accepted = next((alt for alt in self.accept if diff(got, picked(ctx.reference(alt.probe(probe)),
                             self.pick), self.tol, names=self.names) is None), None)
            if accepted:
                notes.append(accepted.text)
                continue
            return mismatch_verdict(probe, mismatch, self._hint(ctx, probe, got, expected))
        return Verdict(Status.PASSED, "; ".join(dict.fromkeys(notes)))

    def requests(self, ctx) -> list[Probe]:
        others = [alt for alt in (*self.accept, *self.hints) if isinstance(alt, Alternative)]
        return [asked for probe in self.cases(ctx.rng) for asked in (probe, *(alt.probe(probe) for alt in others))]

    def _hint(self, ctx, probe, got, expected) -> str | None:
        for hint in self.hints:
            if isinstance(hint, Alternative):
                other = picked(ctx.reference(hint.probe(probe)), self.pick)
                if diff(got, other, self.tol, names=self.names) is None:
                    return hint.text
            else:
                text = hint(got, expected, probe)
                if text:
                    return text
        return generic_hints.generic(got, expected, self.names)


@dataclass
class Agrees(Check):
    """Two of the student's own functions give the same answer (e.g. naive and vectorized)."""

    _: KW_ONLY
    cases: Cases  # rng -> list of (probe_a, probe_b)
    tol: float = 1e-7
    pick: Pick = "out"
    names: tuple[str, ...] | None = None

    def decide(self, ctx) -> Verdict:
        for first, second in self.cases(ctx.rng):
            values = [reply(ctx, first).value, reply(ctx, second).value]
            mismatch = diff(picked(values[1], self.pick), picked(values[0], self.pick),
                            self.tol, names=self.names)
            if mismatch:
                return Verdict(Status.FAILED, f"{second.label} does not agree with {first.label}: {mismatch}")
        return Verdict(Status.PASSED)


@dataclass
class GradientCheck(Check):
    """The student's analytic gradient equals a numerical gradient of the student's own
    function (a probe run with ``numeric``), within ``tol``. Where the gradient is exactly
    zero, the numerical estimate is rounding noise (about 1e-11 for a loss near 1): with
    ``atol``, arrays that differ by no more than that everywhere count as equal."""

    _: KW_ONLY
    cases: Cases
    tol: float = 1e-6
    atol: float = 0.0

    def decide(self, ctx) -> Verdict:
        for probe in self.cases(ctx.rng):
            value = reply(ctx, probe).value
            numeric, analytic = picked(value, "numeric"), picked(value, "analytic")
            if not isinstance(numeric, dict) or not isinstance(analytic, dict):
                return Verdict(Status.FAILED, f"{probe.label}: no gradient came back")
            for name, estimate in numeric.items():
                got = analytic.get(name)
                if isinstance(got, np.ndarray) and got.shape == estimate.shape and got.dtype.kind == "f" and \
                        np.all(np.abs(got - estimate) <= self.atol):
                    continue
                mismatch = diff(got, estimate, self.tol, path=f"d{name}")
                if mismatch:
                    return mismatch_verdict(probe, mismatch, None if mismatch.unimplemented else
                                            "the analytic gradient disagrees with a numerical gradient of "
                                            "your own forward pass")
        return Verdict(Status.PASSED)


@dataclass
class LoopCount(Check):
    """The source of one function has exactly ``loops`` Python loops (for, while and
    comprehensions), read statically from the submission's file; nothing is run."""

    _: KW_ONLY
    file: str
    function: str  # qualified name, e.g. "KNearestNeighbor.compute_distances_no_loops"
    loops: int

    def decide(self, ctx) -> Verdict:
        source = ctx.source(self.file)
        if source is None:
            return Verdict(Status.MISSING, f"{self.file} is not in the submission")
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError) as exc:
            return Verdict(Status.IMPORT_ERROR, f"{self.file} does not parse: {exc}")
        node = _find_function(tree, self.function.split("."))
        if node is None:
            return Verdict(Status.MISSING, f"{self.function} is not defined in {self.file}")
        found = sum(isinstance(n, (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp,
                                   ast.GeneratorExp)) for n in ast.walk(node))
        if found == self.loops:
            return Verdict(Status.PASSED)
        return Verdict(Status.FAILED, f"{self.function} has {found} Python loop(s) (for, while or comprehension); "
                                      f"it should have exactly {self.loops}")


def _find_function(tree, path: list[str]):
    nodes = tree.body
    for depth, name in enumerate(path):
        match = next((n for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and n.name == name), None)
        if match is None:
            return None
        if depth == len(path) - 1:
            return match
        nodes = match.body
    return None


@dataclass
class Faster(Check):
    """``fast`` runs at least ``min_ratio`` times faster than ``slow`` on inputs of the
    same size (``fast`` is run ``repeats`` times, ``slow`` ``slow_repeats`` times: more where
    the two cost about the same, so that neither side rests on one sample). The grader measures both from outside
    the worker: the CPU time the kernel charged to the worker process, averaged over the
    runs, where both sides' runs add up to enough clock ticks to resolve (so other load on
    the machine does not count), else the best wall-clock time around the call."""

    _: KW_ONLY
    cases: Cases  # rng -> (slow_probe, fast_probe)
    min_ratio: float
    repeats: int = 3
    slow_repeats: int = 1
    hint: str = ""  # said when it is not fast enough

    def decide(self, ctx) -> Verdict:
        slow, fast = self.cases(ctx.rng)
        replies = {label: [reply(ctx, probe) for _ in range(repeats)]
                   for label, probe, repeats in (("slow", slow, self.slow_repeats), ("fast", fast, self.repeats))}
        # CPU time comes in clock ticks (10 ms): use it only where each side's runs add up to
        # enough of them; a short call is then timed as the mean over its many runs.
        cpu = all(r.cpu_seconds is not None for runs in replies.values() for r in runs) and \
            all(sum(r.cpu_seconds for r in runs) >= 0.05 for runs in replies.values())
        times = {label: sum(r.cpu_seconds for r in runs) / len(runs) if cpu else min(r.seconds for r in runs)
                 for label, runs in replies.items()}
        ratio = times["slow"] / max(times["fast"], 1e-9)
        text = (f"{fast.label} took {times['fast'] * 1e3:.1f} ms, {slow.label} {times['slow'] * 1e3:.1f} ms "
                f"({'CPU' if cpu else 'wall-clock'} time): {ratio:.1f}x faster (needs {self.min_ratio:g}x)")
        if ratio >= self.min_ratio:
            return Verdict(Status.PASSED, text)
        return Verdict(Status.FAILED, text + (f"\n  hint: {self.hint}" if self.hint else ""))


@dataclass
class Accuracy(Check):
    """The student's code, trained by the student's code, predicts held-out labels well.

    ``probe(dataset, rng)`` trains and returns predictions (or class scores) for the
    held-out images; ``pick`` is where they are in the reply. The labels stay in
    the grader. ``threshold`` maps a dataset name to the accuracy needed. ``tiers``
    shares out the points: pairs of (accuracy above the threshold, share of the points
    earned from there), e.g. ``((0, 0.6), (0.05, 1.0))``; the status is ``passed`` only
    with all of them. ``also`` names other splits to report but not judge: name ->
    (where in the reply, labels). ``describe(value)`` adds what the reply says about the run.
    """

    _: KW_ONLY
    probe: Callable
    pick: Pick
    labels: Callable  # dataset -> held-out labels
    threshold: dict[str, float] = field(default_factory=dict)
    tiers: tuple[tuple[float, float], ...] = ((0.0, 1.0),)
    also: dict[str, tuple[Pick, Callable]] = field(default_factory=dict)
    describe: Callable | None = None
    images: str = "held-out"  # what the predictions are of, for the feedback

    def decide(self, ctx) -> Verdict:
        probe = self.probe(ctx.dataset, ctx.rng)
        value = reply(ctx, probe).value
        return self.verdict(ctx, probe, value, self.describe(value) if self.describe else "")

    def verdict(self, ctx, probe: Probe, value, details: str) -> Verdict:
        """The accuracy of the reply ``value`` to ``probe``, judged; ``details`` says more about the run."""
        accuracy, problem = scored(picked(value, self.pick), self.labels(ctx.dataset))
        if problem:
            return Verdict(Status.FAILED, f"{probe.label}: {problem}")
        needed = self.threshold[ctx.dataset.name]
        goals = [(round(needed + above, 6), share) for above, share in self.tiers]
        share = max((s for goal, s in goals if accuracy >= goal), default=0.0)
        if len(goals) == 1:
            text = f"{self.images} accuracy {accuracy:.1%} on {ctx.dataset.name} (needs {needed:.1%})"
        else:
            steps = ", ".join(f"{goal:.1%} for {s * self.points:g}" for goal, s in goals)
            text = (f"{self.images} accuracy {accuracy:.1%} on {ctx.dataset.name}: {share * self.points:g} of "
                    f"{self.points:g} points (points by accuracy: {steps})")
        for name, (pick, labels) in self.also.items():
            other, problem = scored(picked(value, pick), labels(ctx.dataset))
            text += f"; {name} accuracy {other:.1%}" if problem is None else f"; {name}: {problem}"
        if details:
            text += "\n" + details
        return Verdict(Status.PASSED if share >= 1 else Status.FAILED, text, fraction=share)


@dataclass
class BudgetedAccuracy(Accuracy):
    """An ``Accuracy`` whose training run gets a time budget measured when it is graded.

    ``budget(ctx)`` measures it (e.g. a multiple of the time the reference takes for the
    same run on the same device: a request to the reference, whose answer is cached) and
    is handed on: ``probe(dataset, rng, budget)`` builds the run, ``describe(value,
    budget)`` reports on it, and ``unfinished(value, budget)`` says why a run that could
    not finish on this machine is not judged here, else None. Such a run is not
    ``failed``: it is ``needs_gpu``, with no points until it is graded where it can finish.
    """

    _: KW_ONLY
    budget: Callable
    unfinished: Callable

    def decide(self, ctx) -> Verdict:
        budget = self.budget(ctx)
        probe = self.probe(ctx.dataset, ctx.rng, budget)
        value = reply(ctx, probe).value
        details = self.describe(value, budget) if self.describe else ""
        why = self.unfinished(value, budget)
        if why:
            return Verdict(Status.NEEDS_GPU, "\n".join(filter(None, [f"{probe.label}: {why}", details])))
        return self.verdict(ctx, probe, value, details)


def scored(predicted, labels: np.ndarray) -> tuple[float, str | None]:
    """The accuracy of predictions (labels, or one row of class scores per image), or why
    they cannot be scored. A plain list or tuple of as many numbers as there are labels is
    read as an array of labels: the check that asks for an array (e.g. ``predict``) costs
    that mistake once, not every accuracy check that uses it."""
    if isinstance(predicted, (list, tuple)) and len(predicted) == len(labels) and \
            all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in predicted):
        predicted = np.asarray(predicted)
    if isinstance(predicted, np.ndarray) and predicted.ndim == 2 and predicted.dtype.kind in "iuf":
        predicted = np.argmax(predicted, axis=1) if len(predicted) == len(labels) else predicted
    if not isinstance(predicted, np.ndarray) or predicted.shape != labels.shape or \
            predicted.dtype.kind not in "iuf" or not np.all(np.isfinite(predicted)):
        shape = predicted.shape if isinstance(predicted, np.ndarray) else type(predicted).__name__
        return 0.0, f"predictions should be {labels.shape[0]} class labels; got {shape}"
    return float(np.mean(predicted == labels)), None


@dataclass
class Property(Check):
    """A property of the student's answer that has no reference value, judged by
    ``test(value, probe) -> None when fine, else what is wrong``. When the piece of the
    reply at ``pick`` is None, the code is taken as not implemented yet.
    ``describe(value, probe)`` says what came back, in the feedback whatever the verdict."""

    _: KW_ONLY
    cases: Cases
    test: Callable
    pick: Pick | None = None
    describe: Callable | None = None

    def decide(self, ctx) -> Verdict:
        notes = []
        for probe in self.cases(ctx.rng):
            value = reply(ctx, probe).value
            if self.pick is not None and picked(value, self.pick) is None:
                return Verdict(Status.NOT_IMPLEMENTED, f"{probe.label}: returned None (not implemented yet?)")
            if self.describe:
                notes.append(self.describe(value, probe))
            problem = self.test(value, probe)
            if problem:
                return Verdict(Status.FAILED, "\n".join([f"{probe.label}: {problem}"] + notes))
        return Verdict(Status.PASSED, "\n".join(notes))


__all__ = ["Accuracy", "Agrees", "Alternative", "BudgetedAccuracy", "Check", "Faster", "GradientCheck", "LoopCount",
           "Matches", "Property", "Verdict", "relative_error"]
