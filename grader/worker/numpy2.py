"""What NumPy 2 removed or renamed, and what replaces it: the one table.

The worker recognises these in an exception (``recognise``: the status ``numpy2``), the
grader words the hint from the same table (``replacement``), and with
``Limits.numpy_compat`` (``grade --numpy-compat``) the worker puts the old names back
before any submitted code runs (``restore``), so that a folder written for NumPy 1
grades on what it computes. This module lives in ``grader.worker`` because the worker,
inside the sandbox where only ``grader/worker`` is mounted, uses it too.
"""
from __future__ import annotations

import re

# np.NAME -> what to write instead. The type aliases went in NumPy 1.24, the rest in 2.0-2.4.
REMOVED = {
    "int": "int (or np.int64)", "float": "float (or np.float64)", "bool": "bool (or np.bool_)",
    "object": "object", "long": "int", "complex": "complex", "str": "str", "unicode": "str",
    "float_": "np.float64", "complex_": "np.complex128", "cfloat": "np.complex128", "string_": "np.bytes_",
    "unicode_": "np.str_", "int0": "np.intp", "uint0": "np.uintp", "bool8": "np.bool_", "object0": "np.object_",
    "str0": "np.str_", "bytes0": "np.bytes_", "void0": "np.void", "longfloat": "np.longdouble",
    "singlecomplex": "np.complex64", "longcomplex": "np.clongdouble", "clongfloat": "np.clongdouble",
    "NaN": "np.nan", "NAN": "np.nan", "Inf": "np.inf", "PINF": "np.inf", "infty": "np.inf", "Infinity": "np.inf",
    "NINF": "-np.inf", "product": "np.prod", "cumproduct": "np.cumprod", "alltrue": "np.all", "sometrue": "np.any",
    "round_": "np.round", "asscalar": "a.item()", "in1d": "np.isin", "trapz": "np.trapezoid",
    "row_stack": "np.vstack", "msort": "np.sort(a, axis=0)", "asfarray": "np.asarray(a, dtype=float)",
    "mat": "np.asmatrix",
}
# ndarray methods NumPy 2 removed (these cannot be put back on the array type).
METHODS = {"ptp": "np.ptp(a)", "itemset": "a[index] = value", "newbyteorder": "a.view(a.dtype.newbyteorder())",
           "tostring": "a.tobytes()"}
# keyword arguments renamed: keyword -> (function, what to write instead)
KEYWORDS = {"newshape": ("reshape", "np.reshape(a, shape)")}
NO_COPY = "Unable to avoid copy while creating an array"

_PATTERNS = (
    (re.compile(r"module 'numpy' has no attribute '(\w+)'"), "name"),
    (re.compile(r"`np\.(\w+)` was removed in the NumPy 2\.0 release"), "name"),
    (re.compile(r"'numpy\.ndarray' object has no attribute '(\w+)'"), "method"),
    (re.compile(r"(\w+)\(\) got an unexpected keyword argument '(\w+)'"), "keyword"),
)


def recognise(message: str) -> str | None:
    """What NumPy 2 removed that ``message`` (``"TypeName: text"`` of an exception) is
    about, as it was written (``"np.product"``, ``"a.ptp()"``, ``"np.reshape(newshape=)"``,
    ``"np.array(copy=False)"``), or None."""
    if NO_COPY in message and message.startswith("ValueError"):
        return "np.array(copy=False)"
    for pattern, kind in _PATTERNS:
        found = pattern.search(message)
        if not found:
            continue
        if kind == "name" and (found.group(1) in REMOVED or "was removed" in found.group(0)):
            return f"np.{found.group(1)}"
        if kind == "method" and found.group(1) in METHODS:
            return f"a.{found.group(1)}()"
        if kind == "keyword" and KEYWORDS.get(found.group(2), ("",))[0] == found.group(1):
            return f"np.{found.group(1)}({found.group(2)}=)"
    return None


def replacement(removed: str) -> str:
    """What to write instead of ``removed`` (as ``recognise`` names it)."""
    if removed == "np.array(copy=False)":
        return "np.asarray(a) (or copy=None: a copy only where needed)"
    if removed.startswith("a."):
        return METHODS.get(removed[2:-2], "")
    if removed.endswith("=)"):
        return KEYWORDS.get(removed[removed.index("(") + 1:-2], ("", ""))[1]
    return REMOVED.get(removed[3:], "what the error message names")


def hint(message: str) -> str:
    """The hint for a ``numpy2`` failure, from the table only (never from the message's text)."""
    removed = recognise(message)
    if removed is None:
        return "this uses something NumPy 2 removed; see the error message for what replaces it"
    change = "raises in NumPy 2 where a copy is needed" if removed == "np.array(copy=False)" else \
        "was removed in NumPy 2"
    return f"{removed} {change}: use {replacement(removed)} instead"


def restore() -> list[str]:
    """Put NumPy 1's names back into ``numpy`` (those this NumPy lacks), each as what
    replaces it, and let ``np.reshape`` take ``newshape=`` and ``np.array`` take
    ``copy=False`` again; returns what was restored."""
    import builtins

    import numpy as np

    def in1d(ar1, ar2, assume_unique=False, invert=False, **kwargs):
        return np.isin(np.asarray(ar1).ravel(), ar2, assume_unique=assume_unique, invert=invert, **kwargs)

    def asfarray(a, dtype=np.float64):
        return np.asarray(a, dtype=dtype if np.dtype(dtype).kind in "fc" else np.float64)

    special = {"asscalar": lambda a: a.item(), "in1d": in1d, "msort": lambda a: np.sort(a, axis=0),
               "asfarray": asfarray, "NINF": -np.inf}
    restored = []
    for name, instead in REMOVED.items():
        word = instead.split()[0]
        value = special[name] if name in special else \
            getattr(np, word[3:], None) if word.startswith("np.") else getattr(builtins, word)
        if name not in vars(np) and value is not None:
            setattr(np, name, value)
            restored.append(name)
    reshape, array = np.reshape, np.array

    def reshape_(a, *args, newshape=None, **kwargs):
        if newshape is not None and not args and "shape" not in kwargs:
            args = (newshape,)
        return reshape(a, *args, **kwargs)

    def array_(*args, **kwargs):
        if kwargs.get("copy", True) is False:
            kwargs["copy"] = None  # NumPy 1's meaning: copy only where needed
        return array(*args, **kwargs)

    np.reshape, np.array = reshape_, array_
    return restored + ["reshape(newshape=)", "array(copy=False)"]


def note() -> str:
    """The report's note when the grader ran with ``numpy_compat``."""
    import numpy as np

    missing = ", ".join(f"np.{name}" for name in REMOVED if name not in vars(np))
    return (f"numpy-compat: NumPy 2 removals restored in the worker (NumPy {np.__version__}): {missing}, "
            f"np.reshape(newshape=), np.array(copy=False); the removed ndarray methods "
            f"({', '.join(f'a.{m}()' for m in METHODS)}) cannot be restored")
