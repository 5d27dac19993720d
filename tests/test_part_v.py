"""Part V's budget, pace and verdicts against fakes: a fake clock for the worker's pace, a
fake reference for the budget, canned training replies for the verdicts (the fast tier;
``test_pytorch.py`` trains real models through workers)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grader import data
from grader.parts import pytorch
from grader.reports.gradescope import results_json
from grader.reports.overview import report_html
from grader.results import CheckResult, Report, Status
from grader.batch.record import Graded, submission_status
from grader.worker import sandbox, server, wire
from grader.worker.limits import Limits
from grader.worker.statuses import SubmissionStatus
from grader.worker.torch_probes import Pace, _out_of_memory
from test_checks import FakeContext

TRAINED = "Part V: trained by the grader, held-out accuracy"


class FakeClock:
    """Seconds that pass only when a step says so."""

    def __init__(self, per_step: float, warm_up: float = 0.0):
        self.per_step, self.now, self.first = per_step, 0.0, warm_up

    def step(self) -> None:
        self.now += self.first or self.per_step
        self.first = 0.0

    def __call__(self) -> float:
        return self.now


def run(pace: Pace, clock: FakeClock, limit: int = 100_000) -> str:
    for _ in range(limit):
        clock.step()
        stopped = pace.step()
        if stopped:
            return stopped
    return ""


def test_a_run_that_fits_its_budget_does_its_steps_and_estimates_its_time():
    clock = FakeClock(per_step=0.1, warm_up=2.0)
    pace = Pace(1260, budget=300, clock=clock)
    assert run(pace, clock) == "steps" and pace.steps == 1260
    assert pace.per_step == pytest.approx(0.1) and pace.estimate == pytest.approx(2.0 + 0.1 * 1259)


def test_a_run_too_slow_for_its_budget_stops_after_its_first_steps():
    clock = FakeClock(per_step=2.0, warm_up=5.0)
    pace = Pace(1260, budget=300, clock=clock, estimate_after=3)
    assert run(pace, clock) == "too slow" and pace.steps == 4  # a warm-up step and three timed ones
    assert pace.estimate == pytest.approx(5.0 + 2.0 * 1259) and clock.now == pytest.approx(11.0)


def test_a_run_estimated_just_beyond_its_budget_goes_on_and_the_budget_decides():
    """The reference's own model on a slow, busy CPU: its first steps say 2,100 steps take
    945 s, beyond a 900 s budget; it may fit well before, so it is not given up."""
    clock = FakeClock(per_step=0.45)
    pace = Pace(2100, budget=900, clock=clock)
    assert run(pace, clock, limit=210) == "" and pace.steps == 210 and pace.estimate > 900  # could end here, fit
    assert run(pace, clock) == "time budget" and clock.now >= 900  # it did not fit: the budget ended it
    clock = FakeClock(per_step=0.65)  # 1,365 s: beyond 1.5 times the budget
    pace = Pace(2100, budget=900, clock=clock)
    assert run(pace, clock) == "too slow" and pace.steps == 4


def test_on_a_gpu_a_slow_run_trains_until_the_budget_then_stops():
    clock = FakeClock(per_step=2.0)
    pace = Pace(1260, budget=300, clock=clock, give_up=False, check_every=25)
    assert run(pace, clock) == "time budget" and pace.steps == 150  # the first check past 300 s
    assert pace.estimate == pytest.approx(2.0 * 1260)


def test_a_run_that_slows_down_stops_at_the_budget_and_a_warm_up_beyond_it_at_once():
    clock = FakeClock(per_step=0.1)
    pace = Pace(1260, budget=30, clock=clock)
    for _ in range(10):
        clock.step()
        pace.step()
    clock.per_step = 10.0  # the machine got busy
    assert run(pace, clock) == "time budget" and clock.now >= 30
    slow_start = FakeClock(per_step=0.1, warm_up=100.0)
    pace = Pace(1260, budget=30, clock=slow_start)
    assert run(pace, slow_start) == "time budget" and pace.steps == 1
    pace.finish(slow_start())
    assert pace.per_step is not None


def timing(step=0.15, device="cpu", params=160_234):
    return {"step_seconds": step, "device_type": device, "device": device, "params": params,
            "forward_shape": [64, 10]}


def test_the_budget_is_a_multiple_of_the_reference_time_within_the_device_cap(digits):
    asked = []
    ctx = FakeContext(None, lambda probe: asked.append(probe) or timing(0.15), dataset=digits)
    budget = pytorch.part_v_budget(ctx)
    steps = pytorch.RUNS["digits"].steps
    multiple, floor, cap = pytorch.BUDGETS["cpu"]
    assert budget.reference_run == pytest.approx(0.15 * steps)
    assert budget.seconds == pytest.approx(min(max(multiple * 0.15 * steps, floor), cap))
    assert budget.by_device() == {"cpu": budget.seconds, "cuda": pytorch.BUDGETS["cuda"][2]}
    assert asked[0].kind == "torch_inspect" and asked[0].spec["timed_steps"] == pytorch.REFERENCE_STEPS
    assert wire.frame(asked[0].spec) == wire.frame(pytorch.reference_timing().spec)  # the same for everyone: cached
    text = budget.describe()
    assert f"{multiple:g} x the reference's {0.15 * steps:.1f} s" in text and f"at most {cap:g} s" in text

    slow = pytorch.part_v_budget(FakeContext(None, lambda probe: timing(5.0), dataset=digits))
    assert slow.seconds == cap  # a slow machine: the cap
    quick_gpu = pytorch.part_v_budget(FakeContext(None, lambda probe: timing(0.002, "cuda"), dataset=digits))
    assert quick_gpu.seconds == pytorch.BUDGETS["cuda"][1]  # at least the floor
    cifar = data.Dataset("cifar10", *(np.zeros((49_000, 32, 32, 3), np.uint8), np.zeros(49_000, int)) * 3)
    on_cifar = pytorch.part_v_budget(FakeContext(None, lambda probe: timing(0.004, "cuda"), dataset=cifar))
    assert on_cifar.steps == pytorch.COURSE_STEPS == 7660  # ten CIFAR-10 epochs of 64 images
    with pytest.raises(Exception, match="could not be timed"):
        pytorch.part_v_budget(FakeContext(None, lambda probe: {"step_seconds": None}, dataset=digits))


def trained_reply(stopped="steps", step=0.2, params=160_234, correct=True, digits=None):
    labels = digits.y_test
    scores = np.eye(10, dtype=np.float32)[labels if correct else (labels + 1) % 10]
    return {"scores": {"test": scores, "val": np.eye(10, dtype=np.float32)[digits.y_val]}, "stopped": stopped,
            "steps": 4 if stopped == "too slow" else 2100, "planned_steps": 2100, "epochs": 0, "seconds": 8.0,
            "step_seconds": step, "estimate_seconds": step * 2100, "device": "cpu", "device_type": "cpu",
            "params": params, "timing": "cpu-time", "losses": [2.3], "train_accuracy": [0.1]}


def judge(digits, reply, reference_device="cpu"):
    check = next(c for c in pytorch.part().checks if c.name == TRAINED)
    ctx = FakeContext(lambda probe: reply, lambda probe: timing(0.15, reference_device), dataset=digits)
    return check.judge(ctx)


def test_a_model_too_slow_for_the_cpu_needs_a_gpu_and_is_never_told_to_shrink_for_it(digits):
    verdict = judge(digits, trained_reply("too slow", step=2.0, params=4_661_898, digits=digits))
    assert verdict.status is Status.NEEDS_GPU and not verdict.fraction
    assert "too slow for this machine: 2000 ms per training step" in verdict.feedback
    assert "would take about 4200 s" in verdict.feedback and "about 255 min" in verdict.feedback
    assert "--device cuda" in verdict.feedback and "Not failed" in verdict.feedback
    assert "make it smaller" not in verdict.feedback
    huge = judge(digits, trained_reply("too slow", step=9.0, params=23_520_842, digits=digits))
    assert huge.status is Status.NEEDS_GPU
    assert "far beyond the course's size: 23,520,842 parameters, where the reference's Part V network has " \
           "160,234; make it smaller" in huge.feedback
    # a run that passed its estimate but ran out of budget later on a CPU is not judged either
    assert judge(digits, trained_reply("time budget", digits=digits)).status is Status.NEEDS_GPU


def test_a_run_that_finished_is_scored_and_on_a_gpu_the_budget_is_final(digits):
    done = judge(digits, trained_reply("fit", digits=digits))
    assert done.status is Status.PASSED and done.fraction == 1.0
    assert "stopped: it fit the training set" in done.feedback
    wrong = judge(digits, trained_reply("steps", correct=False, digits=digits))
    assert wrong.status is Status.FAILED and wrong.fraction == 0
    capped = trained_reply("time budget", step=2.0, digits=digits)
    on_gpu = judge(digits, {**capped, "device_type": "cuda"}, reference_device="cuda")
    assert on_gpu.status is Status.PASSED and "reached the budget's cap on a GPU" in on_gpu.feedback
    # the reply's own word on its device does not make a CPU run count as a GPU one
    assert judge(digits, {**capped, "device_type": "cuda"}).status is Status.NEEDS_GPU


def test_needs_gpu_is_a_status_of_its_own_in_every_report():
    gpu = CheckResult(f"pytorch: {TRAINED}", "pytorch", 10, 0.0, Status.NEEDS_GPU, "too slow for this machine")
    ok = CheckResult("pytorch: other", "pytorch", 4, 4.0, Status.PASSED)
    crash = CheckResult("layers: x", "layers", 1, 0.0, Status.CRASH, "boom")
    assert submission_status([ok, gpu]) is SubmissionStatus.NEEDS_GPU
    assert submission_status([ok, gpu, crash]) is SubmissionStatus.NEEDS_GPU  # the score is not final yet
    report = Report("assignment2-pytorch", "ada", "digits", [ok, gpu])
    tests = results_json(report)["tests"]
    assert "status" not in tests[1] and tests[1]["output"].startswith("[needs_gpu] ")
    assert tests[0]["status"] == "passed" and results_json(report)["extra_data"]["status"] == "needs_gpu"
    records = [Graded("ada", "ada", "", SubmissionStatus.NEEDS_GPU, report),
               Graded("ben", "ben", "", SubmissionStatus.OK, Report("a", "ben", "digits", [ok]))]
    html = report_html("assignment2-pytorch", records, [ok.name, gpu.name], 14, [], "now")
    assert '<span class="gpu">needs_gpu</span></td><td class="n">1</td>' in html
    assert "<th>need a GPU</th>" in html


def test_the_device_reaches_the_worker_and_a_cpu_worker_sees_no_gpu(monkeypatch):
    with pytest.raises(ValueError, match="device must be one of"):
        Limits(device="tpu")
    assert sandbox.device_env(Limits(device="cpu"))["CUDA_VISIBLE_DEVICES"] == ""
    assert "CUDA_VISIBLE_DEVICES" not in sandbox.device_env(Limits(device="auto"))
    monkeypatch.setattr(sandbox, "gpu_nodes", lambda: ["/dev/nvidia0", "/dev/nvidiactl"])
    with_gpu = sandbox.bubblewrap_args("/tmp/x", False, Limits(), as_root=False)
    assert "/dev/nvidia0" in with_gpu and "/sys" in with_gpu
    assert "/dev/nvidia0" not in sandbox.bubblewrap_args("/tmp/x", False, Limits(device="cpu"), as_root=False)
    launch = sandbox.launch(sandbox.Isolation("process", False, False), "/tmp/x", True, Limits())
    assert launch.setup["memory_kind"] == "data" and launch.env["GRADER_DEVICE"] == "auto"
    monkeypatch.setattr(sandbox, "gpu_nodes", lambda: [])
    launch = sandbox.launch(sandbox.Isolation("process", False, False), "/tmp/x", True, Limits(device="cuda"))
    assert launch.setup["memory_kind"] == "address space"


def test_running_out_of_memory_names_the_model_size_and_the_limit():
    with pytest.raises(MemoryError, match=r"the model \(1,234 parameters\) ran out of memory; .*DefaultCPUAllocator"):
        with _out_of_memory([SimpleNamespace(numel=lambda: 1234)]):
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: not enough memory: you "
                               "tried to allocate 123 bytes.")
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):
        with _out_of_memory([]):
            raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")
    status, message = server.classify(MemoryError("the model (9 parameters) ran out of memory"), False)
    assert status is Status.MEMORY and "9 parameters" in message
    assert "allowed" in server.classify(MemoryError(), False)[1]


def test_the_device_is_part_of_a_batch_s_settings_so_resume_grades_again_on_another():
    from grader.batch.engine import Job

    on_cpu, on_gpu = (Job("ada", "ada", "assignment2", Limits(device=d)) for d in ("cpu", "cuda"))
    assert '"device": "cpu"' in on_cpu.settings and on_cpu.settings != on_gpu.settings


def test_cuda_asked_for_where_there_is_no_gpu_is_a_usage_error(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from grader import api
    from grader.cli import main

    monkeypatch.setattr(sandbox, "gpu_nodes", lambda: [])
    monkeypatch.setattr(sandbox, "_cuda", [])
    with pytest.raises(ValueError, match="finds no CUDA GPU"):
        api.grade("assignment2-pytorch", tmp_path, device="cuda")
    result = CliRunner().invoke(main, ["assignment2-pytorch", str(tmp_path), "--device", "cuda"])
    assert result.exit_code == 2 and "--device cuda: PyTorch finds no CUDA GPU" in result.output
