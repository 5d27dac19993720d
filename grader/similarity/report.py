"""What the similarity pass writes: similarity.csv, similarity.html, the gradebook's table.

The page is self-contained (inline CSS, the histogram as a base64 PNG drawn by
matplotlib without pyplot): the distribution of pair scores, the top pairs, and for
each the two submissions side by side, every matched run of lines in one colour on
both sides. Every string that comes from a submission (ids, file names, code, notes)
is HTML-escaped.
"""
from __future__ import annotations

import csv
from html import escape
from pathlib import Path

import numpy as np

from ..reports.overview import png, table
from .fingerprint import K, W
from .index import Pair, correspondence

NOT_PROOF = ("A high score is a reason to look, not proof. Students who solve the same small functions from the "
             "same course material write similar code, and a shared fingerprint says only that the same run of "
             f"{K} tokens (names and literals aside) occurs on both sides: not that anyone copied, nor who from "
             "whom. Read the two submissions side by side, and hear the students, before concluding anything.")
COLOURS = ["#ffd1d1", "#c8f0c8", "#cfe0ff", "#fff0a8", "#ecd1ff", "#c4f2ee", "#ffdcb8", "#e2f0b0", "#f7cfe8",
           "#d8d8ff"]
CONTEXT = 2  # unmatched lines shown around matched ones
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 96em; color: #222; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.notproof { border-left: 0.4em solid #b3261e; background: #fdf1f0; padding: 0.6em 1em; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.pair > div { min-width: 0; }
pre { background: #fafafa; border: 1px solid #ddd; padding: 0.3em 0; overflow-x: auto; font-size: 12px;
      line-height: 1.35; margin: 0.2em 0 1em; }
pre span.l { display: block; padding: 0 0.5em; white-space: pre; }
pre i { color: #999; font-style: normal; display: inline-block; width: 3.5em; user-select: none; }
pre span.gap { color: #888; background: #f0f0f0; }
h4 { margin: 0.6em 0 0; font-family: monospace; }
img { max-width: 100%; }
""" + "".join(f".c{i} {{ background: {colour}; }}\n" for i, colour in enumerate(COLOURS))


def rows(result) -> list[tuple]:
    """One tuple per listed pair, as the CSV and the gradebook hold it."""
    students, pairs = result.students, result.comparison.pairs
    scores = np.round([[p.score, p.share_a, p.share_b] for p in pairs], 4).tolist() if pairs else []
    return [(students[p.a], students[p.b], *numbers, p.shared, p.lines_a, p.lines_b, p.text_a, p.text_b)
            for p, numbers in zip(pairs, scores)]


HEADER = ["student_a", "student_b", "score", "share_a_in_b", "share_b_in_a", "shared_fingerprints",
          "matched_lines_a", "matched_lines_b", "regions_a", "regions_b"]


def write_csv(path: Path, listed: list[tuple]) -> Path:
    """``listed``: ``rows(result)``."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(listed)
    return path


def save_to_gradebook(out: Path, result, listed: list[tuple]) -> None:
    """The listed pairs (``rows(result)``) into the ``similarity`` table of ``out``'s
    gradebook, if it has one."""
    from ..batch.gradebook import FILENAME, Gradebook, GradebookError

    if not (out / FILENAME).is_file():
        return
    try:
        with Gradebook(out / FILENAME, result.assignment) as book:
            book.save_similarity(listed)
    except GradebookError as exc:
        result.notes.append(f"similarity not stored in the gradebook: {exc}")


def histogram(scores: np.ndarray, pairs_total: int) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    counts, edges = np.histogram(scores, bins=20, range=(0, 1))
    counts[0] += pairs_total - len(scores)  # pairs that share no fingerprint score 0
    figure = Figure(figsize=(8, 3))
    axes = figure.add_subplot()
    axes.stairs(counts, edges, fill=True, color="#4c72b0")
    axes.set_yscale("symlog", linthresh=1)
    axes.set_ylim(bottom=0)
    axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel("score: shared fingerprints of the pair, over all of its fingerprints")
    axes.set_ylabel("pairs (log scale)")
    axes.set_title(f"Distribution of pair scores ({pairs_total} pairs)")
    return png(figure)


def html_page(result) -> str:
    comparison, students = result.comparison, result.students
    name = escape(result.assignment)
    compared = [p for p in result.prints if not p.error]
    html = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}: similarity</title>"
            f"<style>{STYLE}</style></head><body>", f"<h1>{name}: similarity of submissions</h1>",
            f"<p class='notproof'><b>{escape(NOT_PROOF)}</b></p>",
            f"<p>{len(compared)} submissions compared, {comparison.pairs_total} pairs; "
            f"{len(comparison.pairs)} pairs have at least {result.floor:.0%} of one side's fingerprints in the "
            f"other. Code taken out before comparing (every k-gram of it): "
            f"{', '.join(escape(f) for f in result.given_from)}. Fingerprints: the code cells of the notebooks "
            f"and the .py files of the cs231n package, names and literals normalized, comments dropped, "
            f"{K}-token k-grams winnowed over windows of {W}.",
            f" {comparison.common_dropped} fingerprints found in more than {result.common:.0%} of the submissions "
            "were dropped as common." if result.common is not None else "", "</p>",
            "<h2>Distribution of pair scores</h2>", histogram(comparison.scores, comparison.pairs_total)]
    shown = comparison.pairs[:result.top]
    html.append(f"<h2>Top pairs ({len(shown)} of {len(comparison.pairs)} listed)</h2>")
    html.append(table(["#", "student a", "student b", "score", "of a, found in b", "of b, found in a",
                       "matched lines (a / b)"],
                      [[f"<a href='#pair-{i}'>{i}</a>", escape(students[p.a]), escape(students[p.b]),
                        f"{p.score:.0%}", f"{p.share_a:.0%}", f"{p.share_b:.0%}", f"{p.lines_a} / {p.lines_b}"]
                       for i, p in enumerate(shown, 1)], {0, 3, 4, 5, 6}) if shown else "<p>No pair above the floor.</p>")
    for i, pair in enumerate(shown, 1):
        html += pair_view(i, pair, result)
    html += problems(result)
    html.append("</body></html>")
    return "\n".join(html)


def pair_view(number: int, pair: Pair, result) -> list[str]:
    prints, students = result.prints, result.students
    colours_a, colours_b = correspondence(pair, prints, result.comparison.index)
    head = (f"<h2 id='pair-{number}'>{number}. {escape(students[pair.a])} and {escape(students[pair.b])}: "
            f"score {pair.score:.0%}</h2><p>{pair.shared} shared fingerprints: {pair.share_a:.0%} of "
            f"{escape(students[pair.a])}'s, {pair.share_b:.0%} of {escape(students[pair.b])}'s; matched lines "
            f"{pair.lines_a} and {pair.lines_b}. Runs of one colour match each other.</p>")
    sides = [side(prints[s], result.texts.get(students[s], {}), colours) for s, colours in
             ((pair.a, colours_a), (pair.b, colours_b))]
    return [head, f"<div class='pair'><div><h3>{escape(students[pair.a])}</h3>{sides[0]}</div>"
                  f"<div><h3>{escape(students[pair.b])}</h3>{sides[1]}</div></div>"]


def side(p, texts: dict[str, str], colours: dict[int, int]) -> str:
    """The files of one submission that hold matched lines, matched lines in their colour,
    with CONTEXT lines around them and the rest folded."""
    by_file: dict[int, dict[int, int]] = {}
    for line, colour in colours.items():
        f = int(np.searchsorted(p.offsets, line, side="right")) - 1
        by_file.setdefault(f, {})[int(line - p.offsets[f])] = colour
    parts = []
    for f in sorted(by_file):
        marked, lines = by_file[f], texts.get(p.files[f], "").split("\n")
        shown = sorted({i for m in marked for i in range(m - CONTEXT, m + CONTEXT + 1) if 0 <= i < len(lines)})
        body, last = [], -1
        for i in shown:
            if i > last + 1:
                body.append(f"<span class='l gap'>    ... {i - last - 1} lines ...</span>")
            css = f"l c{marked[i] % len(COLOURS)}" if i in marked else "l"
            body.append(f"<span class='{css}'><i>{i + 1}</i>{escape(lines[i])}</span>")
            last = i
        if last < len(lines) - 1:
            body.append(f"<span class='l gap'>    ... {len(lines) - 1 - last} lines ...</span>")
        parts.append(f"<h4>{escape(p.files[f])}</h4><pre>{''.join(body)}</pre>")
    return "".join(parts) or "<p>(no matched lines)</p>"


def problems(result) -> list[str]:
    html = []
    failed = [[escape(p.student), escape(p.error)] for p in result.prints if p.error]
    if failed:
        html += [f"<h2>Submissions not compared ({len(failed)})</h2>", table(["student", "why"], failed)]
    notes = [[escape(p.student), escape(note)] for p in result.prints for note in p.notes]
    notes += [["(the code taken out)", escape(note)] for note in result.notes]
    if notes:
        html += [f"<h2>Files left out ({len(notes)})</h2>", table(["submission", "note"], notes)]
    if result.skipped:
        html += [f"<h2>Entries skipped ({len(result.skipped)})</h2>",
                 table(["entry", "why"], [[escape(e), escape(why)] for e, why in result.skipped])]
    return html


def write_html(path: Path, result) -> Path:
    path.write_text(html_page(result), encoding="utf-8")
    return path
