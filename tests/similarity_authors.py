"""Independent solutions and the ways a copy is disguised, for the similarity tests and benchmark.

Two more authors besides the reference, ``amy`` and ``bo``, each filling the TODO
blocks of the assignment-1 starter (kNN, SVM, softmax) their own way; ``rewrite``
is a fourth softmax_loss_vectorized, the function a copier rewrote. The disguises
are what a student does to a copy: ``rename`` (every variable, through ``tokenize``),
``reorder`` (functions and methods in reverse order, with ``ast``) and ``recomment``
(every comment dropped, new ones added).
"""
from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import shutil
import textwrap
import tokenize
import zlib
from pathlib import Path

KNN = "cs231n/classifiers/k_nearest_neighbor.py"
SVM = "cs231n/classifiers/linear_svm.py"
SOFTMAX = "cs231n/classifiers/softmax.py"
FILLED = (KNN, SVM, SOFTMAX)
PLACEHOLDER = re.compile(r"(?m)^(?P<indent> *)# =+ #\n(?P=indent)pass\n")

AMY = {
    KNN: [
        "dists[i, j] = np.sqrt(np.sum(np.square(X[i] - self.X_train[j])))",
        "dists[i] = np.sqrt(np.sum(np.square(self.X_train - X[i]), axis=1))",
        """
        cross = np.matmul(X, self.X_train.T)
        test_norms = np.square(X).sum(axis=1, keepdims=True)
        train_norms = np.square(self.X_train).sum(axis=1)
        dists = np.sqrt(np.clip(test_norms - 2 * cross + train_norms, 0, None))
        """,
        """
        order = np.argsort(dists[i], kind="stable")
        closest_y = self.y_train[order[:k]]
        """,
        "y_pred[i] = np.bincount(closest_y).argmax()",
    ],
    SVM: [
        """
        for i in range(num_train):
            scores = X[i].dot(W)
            margins = scores - scores[y[i]] + 1
            margins[y[i]] = 0
            positive = margins > 0
            dW[:, positive] += X[i][:, None]
            dW[:, y[i]] -= positive.sum() * X[i]
        dW = dW / num_train + 2 * reg * W
        """,
        """
        n = X.shape[0]
        scores = X @ W
        true_scores = np.take_along_axis(scores, y[:, None], axis=1)
        margins = np.maximum(scores - true_scores + 1.0, 0.0)
        margins[np.arange(n), y] = 0.0
        loss = margins.sum() / n + reg * np.sum(W ** 2)
        """,
        """
        mask = (margins > 0).astype(float)
        mask[np.arange(n), y] = -mask.sum(axis=1)
        dW = X.T @ mask / n + 2 * reg * W
        """,
    ],
    SOFTMAX: [
        """
        n, c = X.shape[0], W.shape[1]
        for i in range(n):
            logits = X[i] @ W
            logits -= logits.max()
            p = np.exp(logits) / np.exp(logits).sum()
            loss += -np.log(p[y[i]])
            p[y[i]] -= 1
            dW += np.outer(X[i], p)
        loss = loss / n + reg * np.sum(W * W)
        dW = dW / n + 2 * reg * W
        """,
        """
        n = X.shape[0]
        logits = X @ W
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(n), y])) + reg * np.sum(W * W)
        p[np.arange(n), y] -= 1
        dW = X.T @ p / n + 2 * reg * W
        """,
    ],
}

BO = {
    KNN: [
        "dists[i][j] = np.linalg.norm(X[i] - self.X_train[j])",
        """
        gap = self.X_train - X[i, :]
        dists[i, :] = np.sqrt((gap ** 2).sum(1))
        """,
        """
        sq_test = np.einsum("ij,ij->i", X, X)
        sq_train = np.einsum("ij,ij->i", self.X_train, self.X_train)
        inner = X @ self.X_train.T
        squared = sq_test[:, None] + sq_train[None, :] - 2.0 * inner
        squared[squared < 0] = 0
        dists = squared ** 0.5
        """,
        "closest_y = list(self.y_train[np.argsort(dists[i, :])][:k])",
        """
        tally = {}
        for label in closest_y:
            tally[label] = tally.get(label, 0) + 1
        best = max(tally.values())
        y_pred[i] = min(label for label, count in tally.items() if count == best)
        """,
    ],
    SVM: [
        """
        for i in range(num_train):
            s = X[i].dot(W)
            for j in range(num_classes):
                if j != y[i] and s[j] - s[y[i]] + 1 > 0:
                    dW[:, j] = dW[:, j] + X[i]
                    dW[:, y[i]] = dW[:, y[i]] - X[i]
        dW /= num_train
        dW += reg * 2 * W
        """,
        """
        N = len(y)
        S = np.dot(X, W)
        correct = S[range(N), y].reshape(-1, 1)
        M = S - correct + 1
        M[range(N), y] = 0
        M = M * (M > 0)
        loss = M.sum() / N
        loss += reg * (W * W).sum()
        """,
        """
        G = np.zeros_like(M)
        G[M > 0] = 1
        G[range(N), y] -= G.sum(axis=1)
        dW = np.dot(X.T, G) / N
        dW += 2 * reg * W
        """,
    ],
    SOFTMAX: [
        """
        N = X.shape[0]
        C = W.shape[1]
        for n in range(N):
            f = np.dot(X[n], W)
            f = f - f.max()
            total = 0.0
            for c in range(C):
                total += np.exp(f[c])
            loss += np.log(total) - f[y[n]]
            for c in range(C):
                prob = np.exp(f[c]) / total
                dW[:, c] += (prob - (c == y[n])) * X[n]
        loss /= N
        dW /= N
        loss += reg * np.sum(W ** 2)
        dW += 2 * reg * W
        """,
        """
        N = X.shape[0]
        f = np.dot(X, W)
        f = f - np.amax(f, axis=1)[:, np.newaxis]
        log_sum = np.log(np.exp(f).sum(axis=1))
        loss = np.sum(log_sum - f[np.arange(N), y]) / N + reg * np.sum(W ** 2)
        prob = np.exp(f - log_sum[:, np.newaxis])
        onehot = np.zeros_like(prob)
        onehot[np.arange(N), y] = 1
        dW = np.dot(X.T, prob - onehot) / N + 2 * reg * W
        """,
    ],
}

REWRITTEN_SOFTMAX = """
num = X.shape[0]
z = X.dot(W)
z = z - z.max(1)[:, None]
e = np.exp(z)
totals = e.sum(1)
loss = np.mean(np.log(totals) - z[np.arange(num), y])
loss = loss + reg * (W ** 2).sum()
g = e / totals[:, None]
g[np.arange(num), y] = g[np.arange(num), y] - 1
dW = X.T.dot(g) / num + reg * 2 * W
"""


def fill(text: str, bodies: list[str | None]) -> str:
    """The starter ``text`` with its TODO blocks (``pass`` after a ``# ===== #`` line)
    replaced by ``bodies`` in order; ``None`` leaves a block as it is."""
    blocks = list(PLACEHOLDER.finditer(text))
    assert len(blocks) == len(bodies), f"{len(blocks)} TODO blocks, {len(bodies)} bodies"
    out, last = [], 0
    for block, body in zip(blocks, bodies):
        out.append(text[last:block.start()])
        indent = block["indent"]
        code = block.group() if body is None else \
            f"{indent}# {'=' * 46} #\n" + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", indent)
        out.append(code)
        last = block.end()
    return "".join(out) + text[last:]


def solution(starter: Path, target: Path, author: dict[str, list], only: dict[str, list] | None = None) -> Path:
    """A copy of the starter folder with ``author``'s code in its files (or only the
    blocks ``only`` gives, the others left as in the starter)."""
    shutil.copytree(starter, target, ignore=shutil.ignore_patterns("__pycache__"))
    for name, bodies in (only or author).items():
        path = target / name
        path.write_text(fill(path.read_text(), bodies))
    return target


KEEP = set(keyword.kwlist) | set(dir(builtins)) | {"np", "self"}


def rename(text: str, salt: str = "") -> str:
    """Every variable, parameter and loop name renamed (consistently within the file);
    attributes, keyword arguments, function and class names and imports kept."""
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    renames, depth = [], 0
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        if tok.type != tokenize.NAME or tok.string in KEEP:
            continue
        before = tokens[i - 1].string if i else ""
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        if before in (".", "def", "class", "import", "from", "as") or (depth and after == "="):
            continue
        renames.append(tok)
    lines = text.splitlines(keepends=True)
    for tok in sorted(renames, key=lambda t: t.start, reverse=True):
        row, col = tok.start
        new = f"q{zlib.crc32((salt + tok.string).encode()):08x}"[:7]
        lines[row - 1] = lines[row - 1][:col] + new + lines[row - 1][col + len(tok.string):]
    return "".join(lines)


def reorder(text: str) -> str:
    """Top-level functions, and the methods of each class, in reverse order."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    containers = [tree.body] + [node.body for node in tree.body if isinstance(node, ast.ClassDef)]
    moves = []  # (first line, last line) slots and what goes in each, all 0-based
    for body in containers:
        spans = [(min([n.lineno] + [d.lineno for d in n.decorator_list]) - 1, n.end_lineno - 1)
                 for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        moves += [(slot, source) for slot, source in zip(spans, reversed(spans))]
    out, i = [], 0
    starts = {slot[0]: (slot, source) for slot, source in moves}
    while i < len(lines):
        if i in starts:
            slot, source = starts[i]
            out += lines[source[0]:source[1] + 1]
            i = slot[1] + 1
        else:
            out.append(lines[i])
            i += 1
    return "".join(out)


def recomment(text: str) -> str:
    """Every comment line dropped, and a comment of the copier's after each ``return``
    and at the end of each assignment to an indexed name."""
    out = []
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if stripped.startswith("return "):
            line = line.rstrip("\n") + "  # done here\n"
        elif re.match(r"\s*\w+\[[^\]]*\] [-+]?= ", line):
            line = line.rstrip("\n") + "  # update in place\n"
        out.append(line)
    return "".join(out)


def disguise(source: Path, target: Path, change) -> Path:
    """A copy of ``source`` with ``change`` applied to the text of each filled file."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    for name in FILLED:
        path = target / name
        path.write_text(change(path.read_text()))
    return target


def build_batch(starter: Path, reference: Path, target: Path) -> Path:
    """The batch of the similarity tests: three independent solutions (``ref``: the
    reference's three files in the starter; ``amy``; ``bo``), four planted copies of amy's
    (verbatim, every variable renamed, functions reordered with comments changed, one
    function rewritten), the starter alone, and the starter plus amy's
    svm_loss_vectorized alone."""
    target.mkdir(parents=True)
    ours = shutil.copytree(starter, target / "ref", ignore=shutil.ignore_patterns("__pycache__"))
    for name in FILLED:
        shutil.copyfile(reference / name, ours / name)
    amy = solution(starter, target / "amy", AMY)
    solution(starter, target / "bo", BO)
    shutil.copytree(amy, target / "copy_verbatim")
    disguise(amy, target / "copy_renamed", rename)
    disguise(amy, target / "copy_reordered", lambda text: recomment(reorder(text)))
    solution(starter, target / "copy_rewritten", {**AMY, SOFTMAX: [AMY[SOFTMAX][0], REWRITTEN_SOFTMAX]})
    shutil.copytree(starter, target / "starter", ignore=shutil.ignore_patterns("__pycache__"))
    solution(starter, target / "one_function", AMY, only={SVM: [None, *AMY[SVM][1:]]})
    return target
