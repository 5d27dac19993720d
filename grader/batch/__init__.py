"""Batch grading for course staff: many submissions, a gradebook, exports.

    entries.py    what a batch folder holds: submissions by student id, skipped entries
    engine.py     grade_one(job) -> Graded, run on a local process pool or a Dask cluster
    record.py     Graded (plain data) and the rule that gives a submission its status
    gradebook.py  SQLite: one row per submission and per check, committed as each finishes
    runner.py     run_batch() and export(), what ``grade batch`` and ``grade export`` call

The exports themselves are in ``grader.reports`` (grades, gradescope, feedback, overview).
"""
