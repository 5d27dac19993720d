"""Writers that turn a grading report into something people read."""
