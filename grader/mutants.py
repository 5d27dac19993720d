"""Mutation testing of the suites: realistic student mistakes applied to the reference.

Each ``Mutant`` is one mistake: text edits to one file of a reference solution, and
the checks that must catch it. ``caught_by`` names the checks that must fail; the
checks that build on them (``requires``) are then skipped and lose their points
too, and every other check must keep full marks. The self-tests grade every mutant
and hold the suites to exactly that.

    python -m grader.mutants [assignment ...]    grade every mutant, print what caught it
    python -m grader.mutants --examples DIR      write the example submissions (zips) to DIR
"""
from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutant:
    name: str
    assignment: str
    file: str  # relative to the solution folder, e.g. "cs231n/layers.py"
    edits: tuple[tuple[str, str], ...]  # (text in the reference, replacement); each text occurs once
    caught_by: frozenset[str]
    about: str = ""


def mutant(name, assignment, file, edits, caught_by, about=""):
    return Mutant(name, assignment, file, tuple(edits), frozenset(caught_by), about)


A1, KNN = "assignment1", "cs231n/classifiers/k_nearest_neighbor.py"
SVM, SOFTMAX = "cs231n/classifiers/linear_svm.py", "cs231n/classifiers/softmax.py"
LINEAR, NET, LAYERS1 = "cs231n/classifiers/linear_classifier.py", "cs231n/classifiers/fc_net.py", "cs231n/layers.py"

CATALOGUE: list[Mutant] = [
    mutant("squared distances (two loops)", A1, KNN,
           [("dists[i, j] = np.sqrt(np.sum(diff * diff))", "dists[i, j] = np.sum(diff * diff)")],
           {"knn: compute_distances_two_loops"}, "forgot the square root"),
    mutant("squared distances (no loops)", A1, KNN,
           [("dists = np.sqrt(np.maximum(squared, 0.0))", "dists = np.maximum(squared, 0.0)")],
           {"knn: compute_distances_no_loops"}, "forgot the square root"),
    mutant("one-loop version with two loops", A1, KNN,
           [("            diff = self.X_train - X[i]\n            dists[i, :] = np.sqrt(np.sum(diff * diff, axis=1))",
             "            for j in range(num_train):\n"
             "                diff = self.X_train[j] - X[i]\n"
             "                dists[i, j] = np.sqrt(np.sum(diff * diff))")],
           {"knn: one_loop uses exactly one loop"}, "left the inner loop in"),
    mutant("ties broken toward the larger label", A1, KNN,
           [("y_pred[i] = labels[np.argmax(counts)]",
             "y_pred[i] = labels[len(counts) - 1 - np.argmax(counts[::-1])]")],
           {"knn: predict_labels, k>1 with ties"}),
    mutant("k ignored in predict_labels", A1, KNN,
           [("nearest = np.argsort(dists[i])[:k]", "nearest = np.argsort(dists[i])[:1]")],
           {"knn: predict_labels, k>1 with ties"}),
    mutant("SVM naive gradient without regularization", A1, SVM,
           [("    dW += 2 * reg * W\n", "")],
           {"svm: svm_loss_naive, with reg"}),
    mutant("SVM vectorized without regularization", A1, SVM,
           [("loss = np.sum(margins) / num_train + reg * np.sum(W * W)", "loss = np.sum(margins) / num_train"),
            ("dW = X.T.dot(coeff) / num_train + 2 * reg * W", "dW = X.T.dot(coeff) / num_train")],
           {"svm: svm_loss_vectorized, with reg"}),
    mutant("SVM vectorized gradient not divided by N", A1, SVM,
           [("dW = X.T.dot(coeff) / num_train + 2 * reg * W", "dW = X.T.dot(coeff) + 2 * reg * W")],
           {"svm: svm_loss_vectorized, no reg", "svm: svm_loss_vectorized, with reg",
            "linear_classifier: LinearSVM accuracy on held-out images"}),
    mutant("softmax naive loss without regularization", A1, SOFTMAX,
           [("    loss += reg * np.sum(W * W)\n", "")],
           {"softmax: softmax_loss_naive, with reg"}),
    mutant("softmax naive gradient not divided by N", A1, SOFTMAX,
           [("    dW /= num_train\n", "")],
           {"softmax: softmax_loss_naive, no reg", "softmax: softmax_loss_naive, with reg"}),
    mutant("softmax without the max shift", A1, SOFTMAX,
           [("    scores = scores - np.max(scores, axis=1, keepdims=True)\n", "")],
           {"softmax: vectorized loss stays finite for large scores"}),
    mutant("predict takes the argmax over the wrong axis", A1, LINEAR,
           [("y_pred = np.argmax(scores, axis=1)", "y_pred = np.argmax(scores, axis=0)")],
           {"linear_classifier: predict", "linear_classifier: LinearSVM accuracy on held-out images",
            "linear_classifier: Softmax accuracy on held-out images"}),
    mutant("affine_backward does not reshape dx", A1, LAYERS1,
           [("dx = dout.dot(w.T).reshape(x.shape)", "dx = dout.dot(w.T)")],
           {"layers: affine_backward"}),
    mutant("relu_backward masks with dout instead of x", A1, LAYERS1,
           [("dx = dout * (x > 0)", "dx = dout * (dout > 0)")],
           {"layers: relu_backward", "two_layer_net: loss and gradients, no reg",
            "two_layer_net: loss and gradients, with reg",
            "two_layer_net: trained with the Solver: accuracy on held-out images"}),
    mutant("relu_backward changes dout in place", A1, LAYERS1,
           [("dx = dout * (x > 0)", "dout[x <= 0] = 0\n    dx = dout")],
           {"layers: relu_backward"}),
    mutant("svm_loss gradient not divided by N", A1, LAYERS1,
           [("dx[rows, y] = -np.sum(dx, axis=1)\n    dx /= num_inputs", "dx[rows, y] = -np.sum(dx, axis=1)")],
           {"layers: svm_loss"}),
    mutant("two-layer net loss without the penalty", A1, NET,
           [("loss = data_loss + penalty", "loss = data_loss")],
           {"two_layer_net: loss and gradients, with reg"}),
    mutant("two-layer net b2 gradient left at zero", A1, NET,
           [('grads["b2"] = db2', 'grads["b2"] = np.zeros_like(db2)')],
           {"two_layer_net: loss and gradients, no reg", "two_layer_net: loss and gradients, with reg"}),
]


def apply(mutant: Mutant, reference: Path, target: Path) -> Path:
    """Copy the reference solution to ``target`` and make the mutant's edits there."""
    shutil.copytree(reference, target, ignore=shutil.ignore_patterns("__pycache__"))
    path = target / mutant.file
    text = path.read_text()
    for old, new in mutant.edits:
        if text.count(old) != 1:
            raise ValueError(f"mutant {mutant.name!r}: {old!r} occurs {text.count(old)} times in {mutant.file}")
        text = text.replace(old, new)
    path.write_text(text)
    return target


def expected_losses(mutant: Mutant, suite) -> tuple[set[str], set[str]]:
    """(checks that must fail, checks that must be skipped because they build on those)."""
    skipped: set[str] = set()
    grew = True
    while grew:
        grew = False
        for check in suite.checks:
            if check.title not in skipped | mutant.caught_by and set(check.requires) & (mutant.caught_by | skipped):
                skipped.add(check.title)
                grew = True
    return set(mutant.caught_by), skipped


# Example submissions for the README's demo and the batch examples: (name, mutants, extra edits).
EXAMPLES = {
    "ada": [],
    "ben": ["squared distances (no loops)", "softmax without the max shift"],
    "cy": ["SVM vectorized without regularization", "relu_backward changes dout in place",
           ("cs231n/classifiers/linear_svm.py", "import numpy as np", "import numpy as np\nprint('score: 100/100')")],
    "dee": ["two-layer net b2 gradient left at zero", "k ignored in predict_labels", "predict takes the argmax over the wrong axis"],
    "eve": [("cs231n/classifiers/softmax.py", "import numpy as np", "import sys\nimport numpy as np\nsys.exit(0)"),
            ("cs231n/layers.py", "def svm_loss(x, y):", "def svm_loss(x, y):\n    while True:\n        pass")],
}


def write_examples(target: Path, reference: Path) -> list[Path]:
    """Zip each example submission (assignment 1) into ``target``; the bytes are the same every time."""
    import tempfile
    import zipfile

    by_name = {m.name: m for m in CATALOGUE}
    written = []
    for name, changes in EXAMPLES.items():
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp) / "assignment1"
            shutil.copytree(reference, folder, ignore=shutil.ignore_patterns("__pycache__"))
            for change in changes:
                edit = by_name[change] if isinstance(change, str) else mutant(name, A1, change[0], [change[1:]], ())
                path = folder / edit.file
                text = path.read_text()
                for old, new in edit.edits:
                    text = text.replace(old, new, 1)
                path.write_text(text)
            archive = target / f"{name}.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(folder.rglob("*.py")):
                    info = zipfile.ZipInfo(str(path.relative_to(folder.parent)), date_time=(2026, 1, 1, 0, 0, 0))
                    bundle.writestr(info, path.read_text(), zipfile.ZIP_DEFLATED)
            written.append(archive)
    return written


def main(argv: list[str]) -> int:
    import tempfile

    from .grading import Reference, grade, reference_root
    from .suites import load_suite
    from .worker.limits import Limits

    if argv[:1] == ["--examples"]:
        from .grading import reference_root

        for archive in write_examples(Path(argv[1]), reference_root() / A1):
            print(f"wrote {archive}")
        return 0
    assignments = argv or sorted({m.assignment for m in CATALOGUE})
    killed = total = 0
    for assignment in assignments:
        suite = load_suite(assignment)
        reference = Reference(reference_root() / suite.reference, Limits())
        try:
            for mutant in (m for m in CATALOGUE if m.assignment == assignment):
                with tempfile.TemporaryDirectory() as temp:
                    folder = apply(mutant, reference_root() / suite.reference, Path(temp) / "mutant")
                    report = grade(suite, folder, reference=reference)
                lost = [r.name for r in report.results if r.score < r.max_score]
                total += 1
                killed += bool(lost)
                print(f"{'killed' if lost else 'SURVIVED':9} {assignment}: {mutant.name}: "
                      f"-{report.max_score - report.score:g} points in {', '.join(lost) or 'nothing'}")
        finally:
            reference.close()
    print(f"kill rate: {killed}/{total} ({killed / max(total, 1):.0%})")
    return 0 if killed == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
