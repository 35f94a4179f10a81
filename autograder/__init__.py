"""MIT 18.065 Lecture 27 autograder: shared checking API (``checking``), the sandboxed grading
engine (``engine``) and the per-assignment test suites (``suites/<assignment id>/``)."""
