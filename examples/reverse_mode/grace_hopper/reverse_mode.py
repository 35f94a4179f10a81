"""Example submission: correct -- Kahn's algorithm instead of a depth-first search.

backward() first counts, for every node F depends on, how many edges come into it from the nodes
that use it; a node is processed (and passes its adjoint on) when that count has dropped to zero,
i.e. when every user has delivered its contribution.  Parents and local partials are kept in two
parallel lists.  Submitted as a folder grace_hopper/reverse_mode.py.  Full marks.
"""
import math
from collections import deque

import numpy as np

REAL = (int, float, np.integer, np.floating)


class Var:
    def __init__(self, value):
        self.value = float(value)
        self.grad = 0.0
        self.parents = []   # the Vars this one was computed from
        self.partials = []  # d(this)/d(parent), same order

    def __repr__(self):
        return "Var(value=%r, grad=%r)" % (self.value, self.grad)


def node(value, parents, partials):
    out = Var(value)
    out.parents = list(parents)
    out.partials = list(partials)
    return out


def binary(a, b, value, da, db):
    """a op b where either may be a plain number (a constant, no edge to it)."""
    parents, partials = [], []
    if isinstance(a, Var):
        parents.append(a)
        partials.append(da)
    if isinstance(b, Var):
        parents.append(b)
        partials.append(db)
    return node(value, parents, partials)


def val(a):
    return a.value if isinstance(a, Var) else float(a)


def add(a, b):
    return binary(a, b, val(a) + val(b), 1.0, 1.0)


def sub(a, b):
    return binary(a, b, val(a) - val(b), 1.0, -1.0)


def mul(a, b):
    return binary(a, b, val(a) * val(b), val(b), val(a))


def div(a, b):
    return binary(a, b, val(a) / val(b), 1.0 / val(b), -val(a) / val(b) ** 2)


def power(a, b):
    u, v = val(a), val(b)
    if isinstance(b, Var) and u <= 0:
        raise ValueError("a ** b with b a Var needs a > 0")
    da = v * u ** (v - 1) if v != 0 else 0.0
    db = u ** v * math.log(u) if isinstance(b, Var) else 0.0
    return binary(a, b, u ** v, da, db)


def _ok(other):
    return isinstance(other, (Var,) + REAL)


Var.__add__ = lambda s, o: add(s, o) if _ok(o) else NotImplemented
Var.__radd__ = lambda s, o: add(o, s) if _ok(o) else NotImplemented
Var.__sub__ = lambda s, o: sub(s, o) if _ok(o) else NotImplemented
Var.__rsub__ = lambda s, o: sub(o, s) if _ok(o) else NotImplemented
Var.__mul__ = lambda s, o: mul(s, o) if _ok(o) else NotImplemented
Var.__rmul__ = lambda s, o: mul(o, s) if _ok(o) else NotImplemented
Var.__truediv__ = lambda s, o: div(s, o) if _ok(o) else NotImplemented
Var.__rtruediv__ = lambda s, o: div(o, s) if _ok(o) else NotImplemented
Var.__pow__ = lambda s, o: power(s, o) if _ok(o) else NotImplemented
Var.__rpow__ = lambda s, o: power(o, s) if _ok(o) else NotImplemented
Var.__neg__ = lambda s: node(-s.value, [s], [-1.0])
Var.__pos__ = lambda s: node(s.value, [s], [1.0])


def backward(self):
    # count the edges into each node from the nodes that use it (only inside F's graph)
    pending = {id(self): 0}
    members = [self]
    stack = [self]
    while stack:
        v = stack.pop()
        for p in v.parents:
            if id(p) not in pending:
                pending[id(p)] = 0
                members.append(p)
                stack.append(p)
            pending[id(p)] += 1
    for v in members:
        v.grad = 0.0
    self.grad = 1.0
    # Kahn: a node is ready when all its users have passed their adjoint down
    ready = deque([self])
    while ready:
        v = ready.popleft()
        for p, d in zip(v.parents, v.partials):
            p.grad += v.grad * d
            pending[id(p)] -= 1
            if pending[id(p)] == 0:
                ready.append(p)


Var.backward = backward


def _fn(x, f, df):
    if isinstance(x, Var):
        return node(f(x.value), [x], [df(x.value)])
    return f(x)


def sin(x):
    return _fn(x, math.sin, math.cos)


def cos(x):
    return _fn(x, math.cos, lambda t: -math.sin(t))


def exp(x):
    return _fn(x, math.exp, math.exp)


def log(x):
    return _fn(x, math.log, lambda t: 1.0 / t)


def sqrt(x):
    return _fn(x, math.sqrt, lambda t: 1.0 / (2.0 * math.sqrt(t)))


def tanh(x):
    return _fn(x, math.tanh, lambda t: 1.0 / math.cosh(t) ** 2)


def grad(f, point):
    inputs = [Var(p) for p in point]
    F = f(*inputs)
    g = np.zeros(len(inputs))
    if isinstance(F, Var):
        F.backward()
        g = np.array([v.grad for v in inputs], dtype=float)
        return F.value, g
    return float(F), g
