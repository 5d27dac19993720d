"""An autograder for CS231n-style deep-learning assignments.

Student code runs only in worker processes (``grader.worker``); everything that
judges it lives here, in the grader's own process. ``from grader import check`` gives
the notebook's ``check()`` (``grader.notebook_check``), imported on first use: workers
import this package too, and must not load the grader.
"""
__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "check":
        from .notebook_check import check
        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
