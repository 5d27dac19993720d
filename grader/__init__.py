"""An autograder for CS231n-style deep-learning assignments.

Student code runs only in worker processes (``grader.worker``); everything that
judges it lives here, in the grader's own process.
"""
__version__ = "0.1.0"
