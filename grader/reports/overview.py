"""report.html: one self-contained page about a whole batch.

The distribution of totals (a histogram), the pass rate of every check, the slowest
checks, and the submissions that did not pass everything, worst first. Plots are
drawn by matplotlib (no pyplot, no global backend) and embedded as base64 PNG;
every text is HTML-escaped, since student ids and messages come from submissions.
"""
from __future__ import annotations

import base64
import io
import statistics
from collections import Counter
from html import escape
from pathlib import Path

from ..batch.record import Graded
from ..worker.statuses import MEANING, SEVERITY, SubmissionStatus
from ..results import Status

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #176f2c; } .partial { color: #8a6d00; } .bad { color: #b3261e; font-weight: 600; }
.gpu { color: #1f5fa8; font-weight: 600; }
img { max-width: 100%; }
"""
SHOWN_LOSSES = 6  # checks named per submission in the list of submissions that lost points


def png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def histogram(totals: list[float], max_total: float) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7, 3))
    axes = figure.add_subplot()
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    bins = 20 if max_total > 0 else 1
    axes.hist(totals, bins=bins, range=(0, max(max_total, 1)), color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"total points (of {max_total:g})")
    axes.set_ylabel("submissions")
    axes.set_title("Distribution of totals")
    return png(figure)


def pass_rate_chart(rates: list[tuple[str, float]]) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 0.25 * len(rates) + 1))
    axes = figure.add_subplot()
    names = [name for name, _ in rates][::-1]
    axes.barh(names, [100 * rate for _, rate in rates][::-1], color="#55a868")
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of graded submissions that passed")
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title("Pass rate per check")
    return png(figure)


def css_class(status: SubmissionStatus) -> str:
    return {SubmissionStatus.OK: "ok", SubmissionStatus.PARTIAL: "partial", SubmissionStatus.NEEDS_GPU: "gpu"}.get(
        status, "bad")


def table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """An HTML table; cells are given already escaped."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def report_html(assignment: str, graded: list[Graded], checks: list[str], max_total: float,
                skipped: list[tuple[str, str]], generated_at: str, similarity_page: bool = False) -> str:
    """``checks`` are the titles of the assignment's checks, in the suite's order;
    ``similarity_page``: link to similarity.html beside this page."""
    done = [g for g in graded if g.graded]
    counts = Counter(g.status for g in graded)
    totals = [g.report.score for g in done]
    html = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(assignment)}: batch report</title>"
            f"<style>{STYLE}</style></head><body>",
            f"<h1>{escape(assignment)}: batch report</h1>",
            f"<p>{len(done)} of {len(graded)} submissions graded; generated {escape(generated_at)}.</p>",
            "<p><a href='similarity.html'>Similarity of submissions</a>: the pairs that share code beyond the "
            "starter (a reason to look, not proof).</p>" if similarity_page else "",
            "<h2>Statuses</h2>",
            table(["status", "submissions", "meaning"],
                  [[f'<span class="{css_class(s)}">{s.value}</span>', str(counts[s]), escape(MEANING[s])]
                   for s in SEVERITY if counts[s]], {1})]
    if done:
        html += [f"<h2>Distribution of totals</h2><p>Mean {statistics.mean(totals):.1f}, median "
                 f"{statistics.median(totals):g}, of {max_total:g} points.</p>", histogram(totals, max_total)]
        html += per_check([{r.name: r for r in g.report.results} for g in done], [g.student for g in done],
                          checks)
    html += attention(done)
    pending = [g.student for g in graded if not g.graded]
    if pending:
        html += [f"<h2>Not graded yet ({len(pending)})</h2><p>Run the batch again with --resume.</p>",
                 "<p>" + ", ".join(escape(s) for s in pending) + "</p>"]
    if skipped:
        html += [f"<h2>Entries skipped ({len(skipped)})</h2>",
                 table(["entry", "why"], [[escape(e), escape(why)] for e, why in skipped])]
    html.append("</body></html>")
    return "\n".join(html)


def per_check(results: list[dict], students: list[str], titles: list[str]) -> list[str]:
    """The pass rate of every check (over the submissions it was judged for: a check that
    needs a GPU is counted apart), and the ten slowest checks (mean time in student code)."""
    rates, timings, gpu = [], [], {}
    for title in titles:
        seen = [(r[title], student) for r, student in zip(results, students) if title in r]
        gpu[title] = sum(r.status is Status.NEEDS_GPU for r, _ in seen)
        judged = len(seen) - gpu[title]
        rates.append((title, sum(r.status is Status.PASSED for r, _ in seen) / max(judged, 1), judged))
        if seen:
            slowest, who = max((r.seconds, student) for r, student in seen)
            timings.append((statistics.mean(r.seconds for r, _ in seen), slowest, who, title))
    timings.sort(reverse=True)
    header, rows = ["check", "passed", "of"], [[escape(t), f"{rate:.0%}", str(n)] for t, rate, n in rates]
    if any(gpu.values()):
        header, rows = header + ["need a GPU"], [row + [str(gpu[t])] for row, (t, _, _) in zip(rows, rates)]
    return ["<h2>Pass rate per check</h2>", pass_rate_chart([(t, rate) for t, rate, _ in rates]),
            table(header, rows, {1, 2, 3}),
            "<h2>Slowest checks</h2><p>Seconds spent in the student's code.</p>",
            table(["check", "mean s", "max s", "slowest submission"],
                  [[escape(t), f"{mean:.2f}", f"{most:.2f}", escape(who)] for mean, most, who, t in timings[:10]],
                  {1, 2})]


def attention(done: list[Graded]) -> list[str]:
    """Every graded submission that is not ok, worst status first, with the checks it lost."""
    rows = []
    for g in sorted((g for g in done if g.status is not SubmissionStatus.OK),
                    key=lambda g: (SEVERITY.index(g.status), g.student)):
        lost = [f"{escape(r.name)} ({r.status.value})" for r in g.report.results if r.score < r.max_score]
        if g.status is SubmissionStatus.INVALID_SUBMISSION or not lost:  # one reason stands for every check
            lost = [escape(reason(g))]
        elif len(lost) > SHOWN_LOSSES:
            lost = lost[:SHOWN_LOSSES] + [f"and {len(lost) - SHOWN_LOSSES} more"]
        rows.append([escape(g.student), f'<span class="{css_class(g.status)}">{g.status.value}</span>',
                     f"{g.report.score:g}", "<br>".join(lost)])
    return [f"<h2>Submissions that did not pass everything ({len(rows)})</h2>",
            table(["student", "status", "total", "checks that lost points"], rows, {2}) if rows else "<p>None.</p>"]


def reason(g: Graded) -> str:
    """One line on why: the message of a grader error, or the first check's feedback."""
    text = g.message if g.message.strip() else (g.report.results[0].feedback if g.report.results else "")
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def write_report_html(path: Path, *args, **kwargs) -> Path:
    path.write_text(report_html(*args, **kwargs), encoding="utf-8")
    return path
