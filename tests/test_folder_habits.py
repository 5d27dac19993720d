"""What real students' folders do that the grader must take in its stride, each on a
folder built here: no TODO/END markers (2025 on), a Cython extension built for another
Python and its build/ folder committed, code that needs ``hidden_dims`` to be a list, a
folder nested one level deeper, and notebooks whose saved outputs claim anything."""
from __future__ import annotations

import re

import nbformat
import pytest

from conftest import REFERENCE, STARTER
from grader import editions, notebook
from grader.checks import Accuracy
from grader.suites import ASSIGNMENTS, load_suite

pytestmark = pytest.mark.slow


def value_checks(name, *parts):
    """The suite's checks that train nothing (of ``parts``, or all)."""
    suite = load_suite(name)
    return suite.only(*(c.title for c in suite.checks if not isinstance(c, Accuracy) and (not parts or c.part in parts)))


def lost(report):
    return [(r.name, r.status.value, r.feedback[:200]) for r in report.results if r.score < r.max_score]


def year_folder(name, tmp_path, role="reference"):
    edition = next(e for es in ASSIGNMENTS.values() for e in es if e.suite_name == name)
    return editions.build(edition, REFERENCE / edition.assignment, STARTER / edition.assignment, role, tmp_path / role)


def test_no_markers_in_the_code_changes_nothing(grade_with, tmp_path):
    folder = year_folder("assignment1-2025-2026", tmp_path)
    marker = re.compile(r"^\s*#.*(TODO|YOUR CODE|={5,}).*\n", re.M)
    for path in (folder / "cs231n").rglob("*.py"):
        path.write_text(marker.sub("", path.read_text()))
    assert "YOUR CODE" not in (folder / "cs231n" / "classifiers" / "softmax.py").read_text()
    report = grade_with("assignment1", folder, edition=2025)
    assert lost(report) == [] and report.assignment == "assignment1-2025-2026"


def test_a_committed_extension_for_another_python_and_its_build_folder(grade_with, tmp_path):
    folder = year_folder("assignment2-2025", tmp_path)
    assert list((folder / "cs231n").glob("im2col_cython*.so")) and (folder / "build").is_dir()
    report = grade_with(value_checks("assignment2-2025", "conv", "cnn", "layers"), folder)
    assert lost(report) == [] and report.score > 0


def test_a_net_that_needs_hidden_dims_as_a_list(grade_with, solution_copy):
    folder = solution_copy("assignment2")
    path = folder / "cs231n" / "classifiers" / "fc_net.py"
    text = path.read_text()
    old = "layer_sizes = [input_dim] + list(hidden_dims) + [num_classes]"
    assert old in text
    path.write_text(text.replace(old, "assert isinstance(hidden_dims, list)\n        layer_sizes = [input_dim] + "
                                      "hidden_dims + [num_classes]"))
    report = grade_with(value_checks("assignment2-numpy", "fc_net"), folder)
    assert lost(report) == [] and report.score > 0


def test_a_folder_nested_one_level_deeper_is_found(grade_with, tmp_path):
    folder = year_folder("assignment2-2026", tmp_path)
    assert (folder / "assignment2" / "cs231n").is_dir() and not (folder / "cs231n").exists()
    report = grade_with(value_checks("assignment2-2026", "rnn", "optim"), folder)
    assert lost(report) == [] and report.score > 0


def test_what_a_notebook_printed_is_never_read(tmp_path):
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def flatten(x):\n    return x")])
    book.cells[0].outputs = [nbformat.v4.new_output("stream", text="def flatten(x):\n    return 'forged'\n"),
                             nbformat.v4.new_output("execute_result", data={"text/plain": "accuracy = 0.99"},
                                                    execution_count=1)]
    nbformat.write(book, str(tmp_path / "PyTorch.ipynb"))
    notebook.write_module(tmp_path / "PyTorch.ipynb", tmp_path / "nb.py")
    module = (tmp_path / "nb.py").read_text()
    assert "return x" in module and "forged" not in module and "0.99" not in module
