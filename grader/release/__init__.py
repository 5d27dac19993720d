"""Releasing an assignment: what students get (a starter zip, a grader wheel with the
public fixtures, no reference) and what Gradescope gets (an autograder zip with the
reference and the secret seed). ``build.build_release`` makes them; ``autograder`` is
what runs on Gradescope; ``command`` is ``grade release``."""
