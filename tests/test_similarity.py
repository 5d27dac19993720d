"""The similarity report: fingerprints that survive disguises, the starter taken out, pairs
ranked, the CSV, the page and the gradebook, bad input, and the batch's use of it.

The batch (``similarity_authors.build_batch``): three independent solutions of kNN, SVM
and softmax (the reference's and two more written for these tests), four planted copies
of one of them, the starter alone, and the starter plus one copied function. Everything
but the last test calls the pass directly: no worker starts.
"""
from __future__ import annotations

import ast
import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import tokenize
import zipfile
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import REFERENCE, ROOT, STARTER
from grader.batch.gradebook import FILENAME, Gradebook
from grader.batch.runner import export, run_batch
from grader.cli import main
from grader.notebook import blank_magics, notebook_cells
from grader.similarity import fingerprint, run
from grader.similarity.index import correspondence
from grader.similarity.report import COLOURS, NOT_PROOF
from similarity_authors import AMY, SOFTMAX, SVM, build_batch, recomment, rename, reorder, solution

A1_STARTER, A1_REFERENCE = STARTER / "assignment1", REFERENCE / "assignment1"
FAMILY = {"amy", "copy_verbatim", "copy_renamed", "copy_reordered", "copy_rewritten"}  # amy and her copiers
INDEPENDENT = {"ref", "amy", "bo"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """(the batch folder, the result of the pass over it, its output folder). The floor is 0:
    every pair that shares a fingerprint is listed, with its score."""
    root = tmp_path_factory.mktemp("similarity")
    folder = build_batch(A1_STARTER, A1_REFERENCE, root / "submissions")
    out = root / "out"
    out.mkdir()
    Gradebook(out / FILENAME, "assignment1").close()  # an empty gradebook, to receive the table
    return folder, run("assignment1", folder, out, floor=0.0, jobs=1), out


def pair_scores(result) -> dict[frozenset, float]:
    """The score of every pair of students, 0 for those that share nothing (floor 0)."""
    students = result.students
    scores = {frozenset((a, b)): 0.0 for i, a in enumerate(students) for b in students[i + 1:]}
    for pair in result.comparison.pairs:
        scores[frozenset((students[pair.a], students[pair.b]))] = pair.score
    return scores


def find(result, a: str, b: str):
    students = result.students
    return next(p for p in result.comparison.pairs if {students[p.a], students[p.b]} == {a, b})


# -- fingerprints --------------------------------------------------------------------------------
def test_disguises_leave_the_fingerprints_unchanged():
    text = (A1_REFERENCE / SVM).read_text()
    plain = set(fingerprint.fingerprints(text).hashes.tolist())
    for disguised in (rename(text), reorder(text), recomment(text), text.replace("    ", "\t").replace(", ", ",")):
        assert set(fingerprint.fingerprints(disguised).hashes.tolist()) == plain
    changed = text.replace("margins = np.maximum(0, scores - correct_scores + 1)",
                           "margins = np.maximum(scores - correct_scores + 1, 0)")
    assert set(fingerprint.fingerprints(changed).hashes.tolist()) != plain  # the code itself does count


def test_normalized_tokens():
    words = fingerprint.scan('def f(x):\n    """doc"""\n    return np.sum(x * 2.5, axis=1)  # note\n')[0]
    assert words == ["def", "V", "(", "V", ")", ":", "return", "V", ".", "sum", "(", "V", "*", "N", ",", "V", "=",
                     "N", ")"]


def python_tokens(text: str) -> tuple[list[str], list[int], list]:
    """The oracle: words and lines from Python's ``tokenize``, and for each token the
    outermost function (``ast``) it lies in, or the function before it."""
    tree = ast.parse(text)
    functions = []
    def outermost(node, inside=False):
        for child in ast.iter_child_nodes(node):
            is_function = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if is_function and not inside:
                functions.append((child.lineno, child.col_offset, child.end_lineno, child.end_col_offset))
            outermost(child, inside or is_function)
    outermost(tree)
    functions.sort()
    raw = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
           if t.type not in (tokenize.COMMENT, tokenize.NL)]
    words, lines, places = [], [], []
    started = 0  # functions that start before the token
    for i, tok in enumerate(raw):
        if tok.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.STRING and raw[i - 1].type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) \
                and raw[i + 1].type in (tokenize.NEWLINE, tokenize.ENDMARKER) or tok.type == tokenize.STRING and i == 0:
            continue  # a docstring
        if tok.type == tokenize.NAME:
            word = tok.string if tok.string in fingerprint.KEPT_NAMES or words[-1:] == ["."] else "V"
        else:
            word = {tokenize.STRING: "S", tokenize.NUMBER: "N"}.get(tok.type, tok.string)
        words.append(word)
        lines.append(tok.start[0])
        while started < len(functions) and functions[started][:2] <= tok.start:
            started += 1
        inside = started and tok.start <= functions[started - 1][2:]
        places.append(functions[started - 1] if inside else ("after", started))
    return words, lines, places


def test_the_scanner_reads_python_as_tokenize_does():
    files = sorted({*ROOT.glob("reference/**/*.py"), *ROOT.glob("assignments/**/*.py"), *ROOT.glob("grader/**/*.py"),
                    *ROOT.glob("tests/*.py")})
    texts = [path.read_text() for path in files]
    for notebook in ROOT.glob("*/assignment2/PyTorch.ipynb"):
        texts += [blank_magics(cell)[0] for _, cell in notebook_cells(notebook.read_text())]
    assert len(files) > 60 and len(texts) > len(files) + 30
    for path, text in zip(files + ["a notebook cell"] * len(texts), texts):
        words, lines, places = python_tokens(text)
        scanned, scanned_lines, units = fingerprint.scan(text)
        assert (scanned, scanned_lines) == (words, lines), path
        runs = [i for i in range(1, len(units)) if units[i] != units[i - 1]]  # where one unit gives way to the next
        assert runs == [i for i in range(1, len(places)) if places[i] != places[i - 1]], path


def test_code_that_does_not_tokenize_is_still_fingerprinted():
    text = (A1_REFERENCE / SVM).read_text()
    broken = text + '\ndef unfinished(:\n    s = """never closed\n'
    hashes = set(fingerprint.fingerprints(broken).hashes.tolist())
    assert len(hashes & set(fingerprint.fingerprints(text).hashes.tolist())) > 0.8 * len(hashes) - 10


def test_winnowing_guarantee_and_noise_threshold():
    """A shared run of K + W - 1 tokens always shares a fingerprint; one of fewer than K never does."""
    rng = np.random.default_rng(0)
    for trial in range(200):
        common = rng.integers(1, 1 << 40, fingerprint.K + fingerprint.W - 1).astype(np.uint64)
        left = np.concatenate([rng.integers(1, 1 << 40, 50).astype(np.uint64), common,
                               rng.integers(1, 1 << 40, 30).astype(np.uint64)])
        right = np.concatenate([rng.integers(1, 1 << 40, 20).astype(np.uint64), common])
        picked = [set(h[fingerprint.winnow(h)].tolist()) for h in map(fingerprint.kgram_hashes, (left, right))]
        assert picked[0] & picked[1], trial
        short = common[: fingerprint.K - 1]
        pair = [np.concatenate([rng.integers(1, 1 << 40, 40).astype(np.uint64), short]) for _ in range(2)]
        assert not set(fingerprint.kgram_hashes(pair[0]).tolist()) & set(fingerprint.kgram_hashes(pair[1]).tolist())


# -- the batch -----------------------------------------------------------------------------------
def test_every_planted_pair_ranks_above_every_independent_pair(batch):
    _, result, _ = batch
    scores = pair_scores(result)
    planted = {pair: s for pair, s in scores.items() if pair <= FAMILY}
    independent = {pair: s for pair, s in scores.items()
                   if len(pair & FAMILY) < 2 and pair <= (FAMILY | INDEPENDENT)}
    assert len(planted) == 10 and len(independent) == 11
    assert min(independent.values()) > 0  # they do share idioms: the starter's edges, common lines
    assert min(planted.values()) > max(independent.values()), (planted, independent)
    assert max(independent.values()) < 0.15
    for copy in ("copy_verbatim", "copy_renamed", "copy_reordered"):  # nothing these change is fingerprinted
        assert scores[frozenset(("amy", copy))] == 1.0
    assert 0.6 < scores[frozenset(("amy", "copy_rewritten"))] < 1.0


def test_the_starter_alone_scores_nothing(batch):
    _, result, _ = batch
    starter = result.students.index("starter")
    assert result.comparison.sizes[starter] == 0 and len(result.prints[starter].hashes) == 0
    assert all(0 == v for pair, v in pair_scores(result).items() if "starter" in pair)


def test_the_starter_disguised_scores_nothing_either(tmp_path):
    """Not only files identical to the starter's: every k-gram of the starter is taken out."""
    folder = tmp_path / "subs"
    disguised = shutil.copytree(A1_STARTER, folder / "renamed")
    for path in disguised.rglob("*.py"):
        path.write_text(recomment(reorder(rename(path.read_text()))))
    solution(A1_STARTER, folder / "amy", AMY)
    result = run("assignment1", folder, tmp_path / "out", floor=0.0, jobs=1)
    renamed = result.prints[result.students.index("renamed")]
    assert renamed.before > 1000 and len(renamed.hashes) == 0 and not result.comparison.pairs


def test_the_starter_plus_one_copied_function_scores_that_function_only(batch):
    folder, result, _ = batch
    pair = find(result, "amy", "one_function")
    one_is_a = result.students[pair.a] == "one_function"
    share_one, share_amy = (pair.share_a, pair.share_b) if one_is_a else (pair.share_b, pair.share_a)
    assert share_one == 1.0 and share_amy < 0.3
    for name in ("amy", "one_function"):
        tree = ast.parse((folder / name / SVM).read_text())
        function = next(n for n in tree.body if getattr(n, "name", "") == "svm_loss_vectorized")
        regions = pair.regions_a if (result.students[pair.a] == name) else pair.regions_b
        assert regions and all(f == SVM and function.lineno <= a <= b <= function.end_lineno for f, a, b in regions)
    student_lines = sum(len(body.strip().splitlines()) for body in AMY[SVM][1:])
    assert student_lines <= pair.lines_a == pair.lines_b <= student_lines + 4  # plus the starter's lines at its edges
    scores = pair_scores(result)
    assert scores[frozenset(("ref", "one_function"))] < 0.1 and scores[frozenset(("bo", "one_function"))] < 0.1


def test_matched_runs_have_one_colour_on_both_sides(batch):
    _, result, _ = batch
    colours_a, colours_b = correspondence(find(result, "amy", "copy_verbatim"), result.prints,
                                          result.comparison.index)
    assert colours_a == colours_b and len(set(colours_a.values())) > 5  # same lines, same colours
    colours_a, colours_b = correspondence(find(result, "amy", "copy_reordered"), result.prints,
                                          result.comparison.index)
    assert colours_a != colours_b  # other lines, since the functions moved...
    assert Counter(colours_a.values()) == Counter(colours_b.values())  # ...but each run is found whole


def test_exclude_takes_last_years_solutions_out(batch, tmp_path):
    folder, _, _ = batch
    result = run("assignment1", folder, tmp_path / "out", exclude=(folder / "amy",), jobs=1)
    sizes = dict(zip(result.students, result.comparison.sizes.tolist()))
    assert sizes["copy_verbatim"] == sizes["copy_renamed"] == sizes["one_function"] == 0
    rewritten = result.prints[result.students.index("copy_rewritten")]
    assert sizes["copy_rewritten"] > 10  # its own softmax_loss_vectorized, and nothing else:
    assert {rewritten.where(line)[0] for line in rewritten.cover_line} == {SOFTMAX}
    assert sizes["bo"] > 100
    assert max(pair_scores(result).values()) < 0.15


def test_ignore_common_drops_what_most_submissions_hold(batch, tmp_path):
    folder, plain, _ = batch
    result = run("assignment1", folder, tmp_path / "out", floor=0.0, common=0.4, jobs=1)
    assert result.comparison.common_dropped > 100  # amy's code: in 4 to 6 of the 9 submissions
    sizes = dict(zip(result.students, result.comparison.sizes.tolist()))
    assert sizes["amy"] == sizes["copy_verbatim"] == 0 and sizes["bo"] > 100 and sizes["ref"] > 100
    scores, before = pair_scores(result), pair_scores(plain)
    assert scores[frozenset(("amy", "copy_verbatim"))] == 0 < before[frozenset(("amy", "copy_verbatim"))]
    assert scores[frozenset(("ref", "bo"))] > 0  # what only the two of them share is kept
    assert "dropped as common" in (tmp_path / "out" / "similarity.html").read_text()


def test_tiny_batches(tmp_path):
    for count in (0, 1, 2):
        folder = tmp_path / f"subs{count}"
        folder.mkdir()
        for i in range(count):
            shutil.copytree(A1_STARTER, folder / f"s{i}")
        result = run("assignment1", folder, tmp_path / f"out{count}", jobs=1)
        assert result.comparison.pairs_total == count * (count - 1) // 2 and not result.comparison.pairs
        assert (tmp_path / f"out{count}" / "similarity.html").is_file()


def test_csv_gradebook_and_page(batch):
    _, result, out = batch
    with open(out / "similarity.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(result.comparison.pairs) > 10
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    top = rows[0]
    assert {top["student_a"], top["student_b"]} <= FAMILY and top["regions_a"].startswith("cs231n/classifiers/")
    db = sqlite3.connect(out / FILENAME)
    stored = db.execute("SELECT student_a, student_b, score, regions_a FROM similarity ORDER BY score DESC, "
                        "student_a, student_b").fetchall()
    assert [(a, b) for a, b, *_ in stored] == [(r["student_a"], r["student_b"]) for r in rows]
    assert stored[0][3] == rows[0]["regions_a"] and stored[0][3].startswith("cs231n/classifiers/")
    first = find(result, rows[0]["student_a"], rows[0]["student_b"])
    expected = "; ".join(f"{name}:" + ",".join(f"{x}-{y}" if y > x else str(x) for n, x, y in first.regions_a
                                                 if n == name)
                         for name in dict.fromkeys(n for n, _, _ in first.regions_a))
    assert rows[0]["regions_a"] == expected  # the text says what the regions say
    page = (out / "similarity.html").read_text()
    assert NOT_PROOF in page and "data:image/png;base64," in page
    assert page.count("<h2 id='pair-") == min(result.top, len(rows))
    assert "class='l c0'" in page and "copy_renamed" in page


def test_report_html_links_to_the_page(batch, tmp_path):
    _, _, out = batch
    export(out)
    assert "href='similarity.html'" in (out / "report.html").read_text()
    empty = tmp_path / "empty"
    Gradebook(empty / FILENAME, "assignment1").close()
    export(empty)
    assert "similarity.html" not in (empty / "report.html").read_text()


def test_student_code_and_names_are_escaped(tmp_path):
    folder = tmp_path / "subs"
    evil = "</pre><script>alert(1)</script>"
    body = [AMY[SVM][0], f'tag = "{evil}"\n' + AMY[SVM][1], AMY[SVM][2]]
    solution(A1_STARTER, folder / "<b>ada", AMY, only={SVM: body})
    solution(A1_STARTER, folder / "ben", AMY, only={SVM: body})
    result = run("assignment1", folder, tmp_path / "out", jobs=1)
    assert len(result.comparison.pairs) == 1
    page = (tmp_path / "out" / "similarity.html").read_text()
    assert "<script>" not in page and "<b>ada" not in page
    assert "&lt;/pre&gt;&lt;script&gt;" in page and "&lt;b&gt;ada" in page


def test_bad_input_is_reported_and_the_rest_compared(batch, tmp_path):
    source, _, _ = batch
    folder = tmp_path / "subs"
    shutil.copytree(source / "amy", folder / "amy")
    shutil.copytree(source / "copy_renamed", folder / "copy")
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 not a zip at all")
    binary = shutil.copytree(source / "amy", folder / "binary")
    (binary / SVM).write_bytes(b"\x7fELF\x00\x01" * 100)
    huge = shutil.copytree(source / "amy", folder / "huge")
    (huge / "cs231n" / "generated.py").write_text("x = 1\n" * 400_000)
    syntax = shutil.copytree(source / "amy", folder / "syntax")
    (syntax / SVM).write_text((syntax / SVM).read_text() + "\ndef broken(:\n    '''unterminated\n")
    notebook = shutil.copytree(source / "bo", folder / "notebook")
    (notebook / "PyTorch.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": ')
    (folder / "nothing").mkdir()
    shutil.copytree(source / "bo", folder / "twice")
    with zipfile.ZipFile(folder / "twice.zip", "w") as bundle:
        bundle.writestr("cs231n/x.py", "y = 2\n")
    with zipfile.ZipFile(folder / "escape.zip", "w") as bundle:
        bundle.writestr("../../outside.py", "z = 3\n")
    (folder / "notes.txt").write_text("not a submission")
    result = run("assignment1", folder, tmp_path / "out", jobs=1)
    errors = {p.student: p.error for p in result.prints if p.error}
    notes = {p.student: " ".join(p.notes) for p in result.prints if p.notes}
    assert set(errors) == {"broken", "escape", "nothing"}
    assert "not a readable zip file" in errors["broken"] and "outside" in errors["escape"]
    assert "no 'cs231n' package and no notebook" in errors["nothing"]
    assert "binary file" in notes["binary"] and "KiB is more than" in notes["huge"]
    assert "not a readable notebook" in notes["notebook"]
    assert dict(result.skipped) == {"notes.txt": "not a folder, a .zip or an .ipynb file",
                                    "twice": "two entries for twice: twice, twice.zip; compared as neither"}
    scores = pair_scores(result)
    assert scores[frozenset(("amy", "copy"))] == 1.0 and scores[frozenset(("amy", "huge"))] == 1.0
    assert scores[frozenset(("amy", "syntax"))] > 0.8  # code that does not parse is read all the same
    assert 0.3 < scores[frozenset(("amy", "binary"))] < 1.0  # all but the binary file
    page = (tmp_path / "out" / "similarity.html").read_text()
    assert "Submissions not compared (3)" in page and "not a readable zip file" in page


def test_notebook_cells_are_compared(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    notebook = REFERENCE / "assignment2" / "PyTorch.ipynb"
    shutil.copyfile(notebook, folder / "ada.ipynb")
    cells = json.loads(notebook.read_text())
    for cell in cells["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            cell["source"] = "%matplotlib inline\n!ls\n" + (rename(source) if _tokenizes(source) else source)
    picture = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBORw0KGgo" * 250_000}}
    cells["cells"][-1].setdefault("outputs", []).append(picture)  # plots make notebooks megabytes large
    (folder / "ben.ipynb").write_text(json.dumps(cells))
    assert (folder / "ben.ipynb").stat().st_size > 2 << 20
    shutil.copyfile(STARTER / "assignment2" / "PyTorch.ipynb", folder / "starter.ipynb")
    cy = shutil.copytree(STARTER / "assignment2", folder / "cy")  # a course folder: the package and the notebook
    shutil.copyfile(notebook, cy / "PyTorch.ipynb")
    result = run("assignment2", folder, tmp_path / "out", jobs=1)
    assert not any(p.error or p.notes for p in result.prints)
    starter = result.prints[result.students.index("starter")]
    assert len(starter.hashes) == 0 and len(starter.files) > 10
    pair = find(result, "ada", "ben")
    assert pair.score > 0.9 and all(name.startswith("ada.ipynb cell ") for name, _, _ in pair.regions_a)
    pair = find(result, "ada", "cy")
    assert pair.score > 0.9 and all(name.startswith("PyTorch.ipynb cell ") for name, _, _ in pair.regions_b)


def _tokenizes(source: str) -> bool:
    try:
        rename(source)
        return True
    except Exception:
        return False


def test_command_line(batch, tmp_path):
    folder, _, _ = batch
    runner = CliRunner()
    done = runner.invoke(main, ["similarity", "assignment1", str(folder), "--out", str(tmp_path / "o"), "--floor",
                                "0.5", "--top", "3", "--exclude", str(folder / "bo"), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert "9 submissions compared (0 without code)" in done.output
    assert (tmp_path / "o" / "similarity.html").read_text().count("<h2 id='pair-") == 3
    with open(tmp_path / "o" / "similarity.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(max(float(r["share_a_in_b"]), float(r["share_b_in_a"])) >= 0.5 for r in rows)
    assert not any("bo" in (r["student_a"], r["student_b"]) for r in rows)  # all of bo's code was excluded
    assert runner.invoke(main, ["similarity", "assignment9", str(folder)]).exit_code == 2
    assert runner.invoke(main, ["similarity", "assignment1", str(tmp_path / "none")]).exit_code == 2


def test_batch_runs_the_pass_unless_told_not_to(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "README.txt").write_text("no submission here yet")
    run_batch("assignment1", folder, tmp_path / "off", similarity=False, progress=False)
    assert not (tmp_path / "off" / "similarity.html").exists()
    result = run_batch("assignment1", folder, tmp_path / "on", progress=False)
    assert result.similarity is not None and (tmp_path / "on" / "similarity.html").is_file()
    assert "href='similarity.html'" in (tmp_path / "on" / "report.html").read_text()


def test_the_page_in_a_headless_browser(batch, tmp_path):
    """Chromium's screenshot of the page shows the histogram and a highlighted pair."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from matplotlib.image import imread

    folder, _, _ = batch
    out = tmp_path / "out"
    run("assignment1", folder, out, top=2, jobs=1)  # a short page: two pairs side by side
    shot = tmp_path / "page.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1400,2000",
                    (out / "similarity.html").as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    pixels = (imread(shot)[:, :, :3] * 255).round().astype(int)

    def share(colour: str) -> float:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        return float(np.mean(np.all(np.abs(pixels - rgb) <= 2, axis=2)))

    assert share("#4c72b0") > 0.002  # the histogram's bars
    assert share(COLOURS[0]) > 0.001 and share(COLOURS[1]) > 0.001  # matched runs of the first pair


@pytest.mark.slow
def test_grade_batch_end_to_end(batch, tmp_path):
    """A real ``grade batch``: the pass runs at the end, over the whole folder even where
    ``--only`` grades one student, and the gradebook and report.html know of it."""
    source, _, _ = batch
    folder = tmp_path / "subs"
    for name in ("amy", "copy_renamed", "starter"):
        shutil.copytree(source / name, folder / name)
    (folder / "nothing").mkdir()  # graded at once (no package: invalid), so that the test is quick
    (folder / "nothing" / "README.txt").write_text("forgot the code")
    done = subprocess.run([sys.executable, "-m", "grader.cli", "batch", "assignment1", str(folder), "--out",
                           str(tmp_path / "grades"), "--timeout", "2", "--no-progress", "--only", "nothing"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "similarity: 1 pairs listed of 6" in done.stdout
    grades = tmp_path / "grades"
    assert "href='similarity.html'" in (grades / "report.html").read_text()
    stored = sqlite3.connect(grades / FILENAME).execute("SELECT student_a, student_b, score FROM similarity").fetchall()
    assert stored == [("amy", "copy_renamed", 1.0)]
