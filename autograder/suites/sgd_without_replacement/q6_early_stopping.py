"""Q6 -- early_stopping: stop after `patience` evaluations without a strict improvement; keep the best."""

import numpy as np
from otter.test_files import test_case

from autograder.checking import Mismatch, Raised, check, fmt, seeded
from autograder.checking.judges import raises_naming

OK_FORMAT = False
name = "q6_early_stopping"


# -- judge-side (trusted) helpers -------------------------------------------------------------------

def _rule(val_losses, patience):
    """The contract, read literally: for each evaluation i, count the evaluations since the last
    strict improvement of the best-so-far; training stops at the first i where that count reaches
    `patience`; the answer is the index of the best loss among evaluations 0 .. i (the first one on
    ties), or among all of them if training never stops."""
    since, stop = 0, len(val_losses) - 1
    for i in range(1, len(val_losses)):
        since = 0 if val_losses[i] < min(val_losses[:i]) else since + 1
        if since == patience:
            stop = i
            break
    seen = list(val_losses[:stop + 1])
    return seen.index(min(seen))


def _index_judge(got, expected, val_losses, patience):
    if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
        raise Mismatch(f"early_stopping should return an int index, got {type(got).__name__} {fmt(got)}")
    if int(got) != expected:
        stopped = _stop_index(val_losses, patience)
        when = (f"training stops at evaluation {stopped} ({patience} in a row without a strict improvement)"
                if stopped is not None else "training never stops")
        raise Mismatch(f"expected index {expected}: {when}, and the best loss seen by then is "
                       f"val_losses[{expected}] = {fmt(val_losses[expected])}; got {fmt(got)}")


def _stop_index(val_losses, patience):
    since = 0
    for i in range(1, len(val_losses)):
        since = 0 if val_losses[i] < min(val_losses[:i]) else since + 1
        if since == patience:
            return i
    return None


# -- inputs (seeded) --------------------------------------------------------------------------------

_rng = seeded(2706)
_curve = [float(v) for v in 1.0 / np.arange(1, 41) + 0.02 * np.arange(40) + 0.01 * _rng.standard_normal(40)]
_table = [
    ([5.0], 1),                                  # a single evaluation
    ([3.0, 2.0, 1.0], 1),                        # always improving: never stops
    ([1.0, 2.0, 3.0], 1),                        # stops at once
    ([1.0, 2.0, 0.0], 1),                        # stops before the 0 is seen
    ([1.0, 2.0, 0.0], 2),                        # patience 2 reaches the 0
    ([1.0, 2.0, 3.0, 0.5], 3),                   # the third non-improvement would stop; the 0.5 comes first
    ([1.0, 2.0, 3.0, 4.0, 0.5], 3),              # stops at index 3, so the 0.5 is never seen
    ([2.0, 1.0, 1.0, 1.0, 0.0], 2),              # ties are not improvements: stops at index 3
    ([2.0, 1.0, 1.0, 1.0, 0.0], 3),              # ... unless patience allows one more
    ([1.0, 1.0, 1.0, 1.0], 5),                   # never stops, all tied: the first index
    ([4.0, 3.0, 3.5, 2.0, 2.5, 2.6, 1.0], 2),    # patience counts from the last improvement
    ([4.0, 3.0, 3.5, 2.0, 2.5, 2.6, 2.7, 1.0], 2),
    ([0.9, 0.7, 0.7, 0.8, 0.6, 0.6, 0.6, 0.5], 3),
    ([0.9, 0.7, 0.7, 0.8, 0.6, 0.6, 0.6, 0.5], 4),
    ([3, 1, 2, 1, 0], 3),                        # ints
    (_curve, 1), (_curve, 3), (_curve, 10), (_curve, 40),
    # edges (EDGES.md): length 2 (a tie stops at once with patience 1; an improvement never stops),
    # negative losses, the best at the very end, patience far beyond the length
    ([0.5, 0.5], 1),
    ([2.0, 1.0], 1),
    ([-1.0, -3.0, -2.0, -2.5, -4.0], 2),
    ([5.0, 4.0, 3.0, 2.0, 1.0], 1),
    ([1.0, 3.0, 2.0], 1000),
]


@test_case(name="early_stopping: the lecture's advice -- stop after `patience` evaluations without "
                "improvement, return the best index seen", points=1, hidden=False)
@check(cases=[([5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.9], 3), ([5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.9], 4),
              ([3.0, 2.0, 1.0], 2)],
       expect=_rule, judge=_index_judge,
       describe=lambda losses, patience: f"early_stopping({losses}, patience={patience})")
def lecture_example(m, val_losses, patience):
    return m.early_stopping(list(val_losses), patience)


@test_case(name="early_stopping on a table of cases: ties are not improvements, patience counts from the "
                "last improvement, never stopping returns the overall best", points=1, hidden=True)
@check(cases=_table, expect=_rule, judge=_index_judge,
       describe=lambda losses, patience: f"early_stopping({fmt(losses)}, patience={patience})")
def table(m, val_losses, patience):
    return m.early_stopping(list(val_losses), patience)


def _value_error(got, expected, val_losses, patience, argument):
    """ValueError whose message names the argument at fault: the word itself, any letter case (the
    one rule of every handout, ``raises_naming``); where ``argument`` is None the input is valid
    ("just inside": patience 1, a single loss) and the index must be right, so an early_stopping
    that raises for everything earns nothing."""
    if argument is None:
        if isinstance(got, Raised):
            raise Mismatch(f"early_stopping({val_losses}, patience={patience}) is valid, but it raised {got}")
        return _index_judge(got, _rule(val_losses, patience), val_losses, patience)
    raises_naming(ValueError, argument)(got, expected)


_value_error.accepts_raised = True


@test_case(name="early_stopping raises ValueError for patience < 1 or an empty val_losses (naming the argument), "
                "and not for patience 1 or a single loss", points=1, hidden=True)
@check(cases=[([1.0, 2.0], 0, "patience"), ([1.0, 2.0], -3, "patience"), ([], 2, "val_losses"),
              ([2.0, 1.0, 3.0], 1, None), ([4.0], 1, None)],
       expect=None, judge=_value_error,
       describe=lambda losses, patience, argument: f"early_stopping({losses}, patience={patience})")
def bad_arguments(m, val_losses, patience, argument):
    return m.early_stopping(list(val_losses), patience)
