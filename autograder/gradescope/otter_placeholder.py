"""otter needs one test file in a bundle; this one never runs: the plugin empties the submission
folder (tests included) before otter's kernel starts.  Were the plugin ever skipped, it fails, so a
bundle graded without the project's engine can only give zero."""
from otter.test_files import test_case

OK_FORMAT = False
name = "trusted_grading"
points = 0


@test_case(points=0, hidden=False)
def grading_needs_the_plugin(env):
    raise AssertionError("this bundle grades through its plugin (autograder.gradescope.plugin), which did not run")
