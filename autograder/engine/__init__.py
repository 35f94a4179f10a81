"""The grading engine: ``make grade`` and ``make release``, one job per module.

    registry      the list of assignments (assignments/<id>/assignment.toml) and the paths of their parts
    suite         load an assignment's test suite (otter test files) into questions and cases
    sandbox       run a submission's probes in a child process under a memory, output and time limit
    child         the sandboxed child process: load the suite probe-only, import the submission, probe
    score         turn one run's probe results into points and a status, judged in the parent
    reference     the reference solution's probe results, cached by the fingerprint of what they depend on
    report        write results.json, feedback.md, grades.csv, summary.md and histogram.png
    grade         the ``make grade`` command: find submissions, resume, grade them in parallel
    public_tests  rewrite a test file into its public version for student.zip
    release       the ``make release`` command: build autograder/student/solutions.zip and gate them
"""
