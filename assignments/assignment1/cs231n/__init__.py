"""Course package for assignment 1: classifiers, layers, optimizers and tools."""
