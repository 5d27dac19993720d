"""Recorded answers and hidden checks, without a worker (the fast tier): which requests a
check can make, how a fixture is written, read and refused, how hidden checks are chosen
and reported."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader import checks, data, fixtures
from grader.checks import Alternative, Matches
from grader.compare import Mismatch
from grader.grading import Context
from grader.probe import call
from grader.reference import GraderError, answer_source, open_reference, request_key
from grader.reports.gradescope import results_json
from grader.results import CheckResult, HiddenCheck, Report, Status
from grader.suite import Part, Suite
from grader.suites import SUITES, load_suite
from grader.suites import assignment1 as a1
from grader.suites import assignment2 as a2
from grader.worker.client import Reply


def loss_cases(rng):
    return [call("m:loss", W=rng.normal(size=(3, 2)), reg=0.5), call("m:loss", W=rng.normal(size=(2, 2)), reg=0.1)]


def toy_suite(name="toy", hidden=()) -> Suite:
    part = Part("p", (Matches("loss", 2, cases=loss_cases, accept=(Alternative({"reg": 0.0}, "no reg"),),
                              hints=(Alternative(lambda p: {"reg": 2 * p.arg("reg")}, "doubled"), lambda *a: None)),
                      Matches("other", 1, cases=lambda rng: [call("m:f", x=rng.normal(size=4))]),
                      Matches("later", 1, cases=lambda rng: [call("m:f", x=np.ones(2))], requires=("other",))))
    return Suite(name, reference="toy-assignment", parts=[part], hidden=hidden)


class FakeReference:
    """Answers every request with a function of it, and remembers what it was asked."""

    official = True

    def __init__(self):
        self.asked: list[str] = []

    def run(self, probe, seed):
        self.asked.append(request_key(probe, seed))
        return {"out": float(np.sum(probe.arg("W", np.zeros(1)))) + probe.arg("reg", 0.0)}

    def close(self):
        pass


def test_matches_requests_are_its_cases_and_every_alternative_of_each():
    suite = toy_suite()
    planned = fixtures.plan(suite, seed=3, dataset=None)
    assert [len(p.requests) for p in planned] == [6, 1, 1]  # 2 cases x (the case, 1 accept, 1 hint)
    again = fixtures.plan(suite, seed=3, dataset=None)
    assert [p.digest for p in planned] == [p.digest for p in again]  # made as grading makes them: by title and seed
    assert planned[0].digest != fixtures.plan(suite, seed=4, dataset=None)[0].digest


def test_request_keys_see_values_not_memory_layout():
    array = np.arange(12.0).reshape(3, 4)
    assert request_key(call("m:f", x=array), 1) == request_key(call("m:f", x=np.asfortranarray(array)), 1)
    assert request_key(call("m:f", x=array), 1) != request_key(call("m:f", x=array.astype(np.float32)), 1)
    assert request_key(call("m:f", x=array), 1) != request_key(call("m:f", x=array), 2)
    assert request_key(call("m:f", x=(1, 2)), 1) != request_key(call("m:f", x=[1, 2]), 1)


@pytest.mark.parametrize("name", sorted(SUITES))
@pytest.mark.parametrize("answers", ["right", "wrong"])
def test_a_check_asks_the_reference_only_what_it_lists(name, answers, monkeypatch):
    """Judging with answers that all match (every case asked) or none (every alternative
    of the first case asked): every request made is one ``requests`` lists."""
    suite = load_suite(name)
    mismatch = Mismatch("", "differs")
    monkeypatch.setattr(checks, "diff", lambda *a, **k: None if answers == "right" else mismatch)
    monkeypatch.setattr(checks, "in_place_changes", lambda probe, value: [])
    reference = FakeReference()
    student = type("Student", (), {"ask": lambda self, probe, seed: Reply(True, value={})})()
    ctx = Context(student, reference, data.digits(), Path("."), seed=5)
    for check in suite.checks:
        if not isinstance(check, Matches):
            continue
        ctx.begin(check.title)
        planned = {request_key(p, ctx.probe_seed) for p in check.requests(ctx)}
        ctx.begin(check.title)
        reference.asked.clear()
        try:
            check.judge(ctx)
        except Exception:  # a hint that cannot read this stand-in answer: what was asked before it still counts
            pass
        assert set(reference.asked) <= planned, check.title
        assert reference.asked, check.title


def record_toy(tmp_path, monkeypatch, suite=None) -> Path:
    suite = suite or toy_suite()
    monkeypatch.setattr(fixtures, "open_reference", lambda s, limits, answers: FakeReference())
    return fixtures.record([suite], tmp_path / "fixtures", seed=0, dataset=data.digits())


def test_a_fixture_is_plain_data_and_answers_what_was_recorded(tmp_path, monkeypatch):
    path = record_toy(tmp_path, monkeypatch, toy_suite(hidden=("p: other",)))
    with zipfile.ZipFile(path) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        assert all(n == "manifest.json" or n.startswith("answers/") for n in bundle.namelist())
        assert not any(b"pickle" in bundle.read(n) or bundle.read(n)[:2] == b"\x80\x04" for n in bundle.namelist())
    entry = manifest["suites"]["toy"]
    assert manifest["seed"] == 0 and manifest["dataset"] == "digits" and manifest["grader_version"]
    assert set(entry["checks"]) == {"p: loss"}  # hidden checks (and those building on them) are not recorded
    assert entry["hidden"] == ["p: other", "p: later"] and entry["hidden_points"] == 2 and entry["answers"] == 6
    with fixtures.FixtureReference(toy_suite(hidden=("p: other",)), tmp_path / "fixtures") as recorded:
        assert recorded.problem is None and not recorded.official and "seed 0" in recorded.note
        ctx = Context(None, recorded, None, Path("."), seed=0)
        ctx.begin("p: loss")
        first = checks.Matches("loss", 2, cases=loss_cases).cases(ctx.rng)[0]
        assert recorded.run(first, ctx.probe_seed) == FakeReference().run(first, ctx.probe_seed)
        with pytest.raises(GraderError, match="made for grading seed 0 only"):
            recorded.run(first, ctx.probe_seed ^ 1)
        with pytest.raises(GraderError, match="no answer for loss"):
            recorded.run(first.with_args(reg=7.0), ctx.probe_seed)


def rewrite_manifest(path: Path, change) -> None:
    with zipfile.ZipFile(path) as bundle:
        files = {n: bundle.read(n) for n in bundle.namelist()}
    manifest = json.loads(files["manifest.json"])
    change(manifest)
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as bundle:
        for name, body in files.items():
            bundle.writestr(name, body)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(grader_version="0.0.1"), "recorded by grader 0.0.1; this is grader"),
    (lambda m: m.update(format=99), "format 99"),
    (lambda m: m["suites"].update(other=m["suites"].pop("toy")), "answers for other only, not for toy"),
    (lambda m: m["suites"]["toy"]["checks"].update({"p: loss": "0" * 64}), "1 check(s) would send other requests"),
])
def test_a_stale_or_mismatched_fixture_is_refused_saying_what_differs(tmp_path, monkeypatch, change, message):
    path = record_toy(tmp_path, monkeypatch)
    rewrite_manifest(path, change)
    recorded = fixtures.FixtureReference(toy_suite(), tmp_path / "fixtures")
    assert message in recorded.problem and recorded.note == ""
    with pytest.raises(GraderError, match="cannot be used"):
        recorded.run(call("m:f", x=np.ones(2)), 0)


def test_code_that_changed_since_recording_makes_the_fixture_stale(tmp_path, monkeypatch):
    record_toy(tmp_path, monkeypatch)
    changed = Suite("toy", reference="toy-assignment", parts=[Part("p", (
        Matches("loss", 2, cases=lambda rng: [call("m:loss", W=rng.normal(size=(3, 3)), reg=0.5)]),))])
    assert "would send other requests than those recorded" in fixtures.FixtureReference(
        changed, tmp_path / "fixtures").problem
    subset = toy_suite().only("p: other")  # fewer checks than recorded: still usable
    assert fixtures.FixtureReference(subset, tmp_path / "fixtures").problem is None


def test_without_reference_or_fixture_the_source_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_FIXTURES", str(tmp_path / "nothing"))
    suite = toy_suite()  # its reference folder does not exist
    assert answer_source(suite) == "fixtures"
    assert answer_source(load_suite("assignment1")) == "reference"
    monkeypatch.setenv("GRADER_ANSWERS", "fixtures")
    assert answer_source(load_suite("assignment1")) == "fixtures"
    recorded = open_reference(suite)
    assert "no reference solution for toy" in recorded.problem and "no recorded answers" in recorded.problem
    with pytest.raises(ValueError):
        answer_source(suite, "elsewhere")


# -- hidden checks ----------------------------------------------------------------------------

def test_hidden_checks_come_from_the_check_its_part_or_the_suite_and_spread_to_what_builds_on_them():
    assert [c.hidden for c in toy_suite(hidden=("p: other",)).checks] == [False, True, True]
    part = toy_suite().parts[0]
    assert [c.hidden for c in Suite("s", "r", [part.hide("loss")]).checks] == [True, False, False]
    assert all(c.hidden for c in Suite("s", "r", [Part("p", part.checks, hidden=True)]).checks)
    with pytest.raises(ValueError, match="no such: -|hidden checks"):
        toy_suite(hidden=("p: nothing",))
    cut = toy_suite(hidden=("p: other",)).only("p: loss")
    assert cut.hidden == () and [c.title for c in cut.public_checks] == ["p: loss"]


def test_every_default_hidden_check_exists_and_no_public_check_builds_on_one():
    for module in (a1, a2):
        titles = {c.title for edition in module.EDITIONS for c in edition.suite().checks}
        assert set(module.HIDDEN) <= titles, set(module.HIDDEN) - titles
    for name in SUITES:
        suite = load_suite(name)
        hidden = {c.title for c in suite.checks if c.hidden}
        assert hidden == set(suite.hidden), name  # the defaults are leaves: nothing else became hidden
        assert all(not set(c.requires) & hidden for c in suite.public_checks)
    assert sum(c.points for c in load_suite("assignment1").checks if c.hidden) == 8


def test_gradescope_shows_hidden_checks_once_published_and_lists_those_not_run():
    report = Report("a", "s", "digits", results=[
        CheckResult("p: shown", "p", 2, 2, Status.PASSED),
        CheckResult("p: secret", "p", 3, 0, Status.FAILED, "no", hidden=True)])
    tests = results_json(report)["tests"]
    assert [t["visibility"] for t in tests] == ["visible", "after_published"]
    report.hidden = [HiddenCheck("q: later", "q", 4)]
    assert results_json(report)["extra_data"]["hidden_not_run"] == [{"name": "q: later", "part": "q", "max_score": 4}]
