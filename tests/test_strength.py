"""The AST mutator behind the suite-strength report: small, valid, deterministic changes."""

import ast

from autograder.authoring.strength import mutants

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


# -- the mutation score per question ---------------------------------------------------------------

from autograder.authoring import strength  # noqa: E402

CLASSY = '''
class Dual:
    def __add__(self, other):
        return self.value + other.value

    def __mul__(self, other):
        def inner(a):
            return a * 2
        return inner(self.value) - 1


def helper(xs):
    return xs[0] + 1
'''


def test_each_mutant_names_the_function_it_changes():
    owners = {d.split(" line ")[0] for d, _ in mutants(CLASSY)}
    assert owners == {"Dual.__add__", "Dual.__mul__", "helper"}  # a nested function belongs to its method
    for description, _ in mutants(CLASSY):
        key = strength.survivor_key(description)
        assert " line " not in key and key.startswith(strength.owner_of(description) + ": `")


def test_every_suite_declares_the_subject_of_each_question():
    for assignment in ("forward_mode", "reverse_mode", "sgd_without_replacement", "matrix_chain"):
        subjects = strength.subjects(assignment)
        questions = {p.stem for p in (strength.ROOT / "autograder" / "suites" / assignment).glob("q*.py")}
        assert set(subjects) == questions, assignment
        tree = ast.parse((strength.ROOT / "solutions" / f"{assignment}.py").read_text())
        owner = strength.owners(tree)
        owners = {owner.get(position, "?") for position, _ in strength._sites(tree)}  # every mutant's function
        unowned = [o for o in owners if not any(strength._in_subject(o, p) for p in subjects.values())]
        assert not unowned, f"{assignment}: mutants of {unowned} belong to no question"


def test_mutation_scores_count_each_questions_own_kills_and_explained_survivors(monkeypatch):
    monkeypatch.setattr(strength, "subjects", lambda a: {"q1": ("f",), "q2": ("g", "h*")})
    monkeypatch.setattr(strength, "explained_survivors", lambda a: "- g: `a < b` -> `a <= b`: ties are equal\n")
    who = {"m1": ("mutant", "f line 3: `x + 1` -> `x - 1`"), "m2": ("mutant", "g line 7: `a < b` -> `a <= b`"),
           "m3": ("mutant", "h2 line 9: `0` -> `1`"), "m4": ("mutant", "f line 4: `y` -> `y + 1`")}
    caught = {"q1:a": {"mutant": ["m1"]}, "q2:b": {"mutant": ["m3", "m4"]}}  # q2 kills m4, which is q1's
    table, survivors, low = strength._mutation_scores("x", ["q1", "q2"], list(caught), caught, who, list(who), 0.95)
    rows = {line.split(" | ")[0].strip("| "): line for line in table if line.startswith("| q")}
    assert "| 2 | 1 | 50% | 0 | 50% |" in rows["q1"]          # m4 survives q1: another question's kill
    assert "| 2 | 1 | 50% | 1 | 100% |" in rows["q2"]         # m2 explained in SURVIVORS.md
    assert low == ["q1: 50%"]
    assert "- f: `y` -> `y + 1`" in survivors and any("(explained in SURVIVORS.md)" in s for s in survivors)


MORE = '''
def g(xs, seen, a, b):
    if a in seen and b > 0:
        return -min(xs) + 0.5
    return max(xs) * 1.0
'''


def test_more_kinds_of_change():
    changes = {description.split(": ", 1)[1] for description, _ in mutants(MORE)}
    assert "`a in seen` -> `a not in seen`" in changes            # membership negated
    assert "`a in seen and b > 0` -> `a in seen or b > 0`" in changes  # and / or
    assert "`-min(xs)` -> `min(xs)`" in changes                     # a minus sign dropped
    assert "`min(xs)` -> `max(xs)`" in changes and "`max(xs)` -> `min(xs)`" in changes
    assert "`0.5` -> `1.5`" in changes and "`1.0` -> `2.0`" in changes  # small float constants
