"""Classifiers of assignment 1, re-exported for `from cs231n.classifiers import ...`."""

from .k_nearest_neighbor import *
from .linear_classifier import *
