"""The AST mutator behind the suite-strength report: small, valid, deterministic changes."""

import ast

from autograder.engine.strength import mutants

SOURCE = '''
def f(xs, n):
    total = 0
    for i in range(n - 1):
        if xs[i] < xs[i + 1]:
            total = total + xs[i] * 2
    return total / n, f"{n - 1} items"
'''


def test_each_mutant_is_one_valid_change_of_the_source():
    made = mutants(SOURCE, limit=100)
    assert len(made) >= 8  # n - 1, <, xs[i], i + 1, total + ..., * 2, / n, constants
    original = ast.dump(ast.parse(SOURCE))
    for description, source in made:
        assert ast.dump(ast.parse(source)) != original, description
    assert len({source for _, source in made}) == len(made)


def test_kinds_of_change():
    changes = {description.split(": ", 1)[1] for description, _ in mutants(SOURCE, limit=100)}
    assert "`xs[i] < xs[i + 1]` -> `xs[i] <= xs[i + 1]`" in changes  # a comparison loosened
    assert "`total + xs[i] * 2` -> `total`" in changes  # a term dropped
    assert "`xs[i]` -> `xs[i + 1]`" in changes  # an index shifted
    assert "`total / n` -> `total * n`" in changes  # an operator flipped
    assert not any("items" in c for c in changes)  # f-string messages are left alone


def test_the_sample_is_bounded_and_reproducible():
    assert len(mutants(SOURCE, limit=3)) == 3
    assert mutants(SOURCE, limit=3, seed=1) == mutants(SOURCE, limit=3, seed=1)
