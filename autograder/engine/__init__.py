"""The grading runtime: ``make grade`` and the grader inside every Gradescope bundle, one job per module.

Shipped in each autograder.zip (with ``autograder/checking`` and ``autograder/gradescope``); the
authoring side (``autograder/authoring``: release, gate, scaffold) is never shipped and never
imported from here.

    registry      the list of assignments (assignments/<id>/assignment.toml) and the paths of their parts
    suite         load an assignment's test suite (otter test files) into questions and cases
    status        the one vocabulary of what happened to a submission (ok, error, timeout, ...)
    probe_world   build the probe-only world a child sees: probes, their helpers, literal inputs
    confine       confine a forked child: rlimits, tasks, uid, Landlock, a seccomp allowlist, a cgroup, an IPC
                  namespace (applied before the file is read)
    child         the fork server and the confined child (runs inside the probe world, not the project)
    protocol      the child's result events as types, and the parent's strict parser of them
    sandbox       the parent side: one fork server per assignment, deadlines, deaths, figures
    score         turn one run's probe results into points and a status, judged in the parent
    reference     the reference solution's probe results, cached by the fingerprint of what they depend on
    discover      find every student's entry in a submissions folder (.py, .ipynb, .zip, folders), capped
    text          how text derived from a submission is shown: console, Markdown, CSV (escaped, never live)
    progress      the live progress line of a grading run
    report        write results.json, feedback.md, the resume cache, grades.csv, summary.md, histogram.png
    staff_page    grades/<id>/<student>/staff.md: everything staff need about one student
    history       grades/<id>/history.csv: the regrade log
    roster        roster.csv and the learning-management system's import file (canvas.csv)
    similarity    grades/<id>/similarity.md: pairs of submissions whose code is unusually alike (winnowing)
    grade         the ``make grade`` command: plan, resume, grade in parallel, interrupt cleanly
"""
