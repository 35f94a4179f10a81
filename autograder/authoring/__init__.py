"""The authoring side: ``make new-assignment`` and ``make release``, one job per module.

Imports the grading runtime (``autograder.engine``), never the other way round; nothing here is
shipped in a Gradescope bundle or a student kit.

    scaffold      ``make new-assignment``: every part of a new assignment, ready to release
    handout       what a handout repeats from the suite (its points table, its "check your work" block)
    public_tests  rewrite a test file into its public version for the student kit
    degenerate    trivial submissions generated from a template (each must score 0)
    strength      how many example bugs, degenerate submissions and mutants each check catches
    bundle        build the three zips: autograder.zip (otter generate), the student kit, solutions.zip
    gate          every reason a release must not ship, found at once, each in one sentence
    release       the ``make release`` command: build, gate, reuse what did not change, in parallel
"""
