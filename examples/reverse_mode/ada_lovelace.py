"""Example submission: correct -- closures (like micrograd) and a creation-order tape.

Each node stores a little closure `_backward` that pushes its adjoint to its parents.  Every Var
gets a serial number when it is created; since a node is always created after its parents,
sorting the nodes F depends on by serial number is a topological order (the "tape"), so no
depth-first search is needed.  Real numbers are wrapped as constant leaf Vars.  Full marks.
"""

import itertools
import math

import numpy as np

_serial = itertools.count()


def _wrap(other):
    # treat a plain number as a constant node (nobody ever reads its grad)
    return other if isinstance(other, Var) else Var(other)


class Var:
    def __init__(self, value, _parents=()):
        self.value = float(value)
        self.grad = 0.0
        self._parents = _parents
        self._backward = lambda: None
        self._id = next(_serial)  # creation time

    def __repr__(self):
        return f"Var({self.value:.6g}, grad={self.grad:.6g})"

    def __add__(self, other):
        other = _wrap(other)
        out = Var(self.value + other.value, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __mul__(self, other):
        other = _wrap(other)
        out = Var(self.value * other.value, (self, other))

        def _backward():
            self.grad += other.value * out.grad
            other.grad += self.value * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __pow__(self, k):
        if isinstance(k, Var):
            return exp(k * log(self))  # u^v = e^(v log u)
        out = Var(self.value ** k, (self,))

        def _backward():
            if k != 0:
                self.grad += k * self.value ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def __rpow__(self, c):
        return exp(self * math.log(c))  # c^u = e^(u log c)

    def __neg__(self):
        return self * -1.0

    def __pos__(self):
        return self * 1.0

    def __sub__(self, other):
        return self + (-_wrap(other))

    def __rsub__(self, other):
        return _wrap(other) + (-self)

    def __truediv__(self, other):
        return self * _wrap(other) ** -1

    def __rtruediv__(self, other):
        return _wrap(other) * self ** -1

    def backward(self):
        # 1) everything F depends on (explicit stack: no recursion limit)
        seen = {self}
        stack = [self]
        while stack:
            v = stack.pop()
            for p in v._parents:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        # 2) creation order is a topological order
        tape = sorted(seen, key=lambda v: v._id)
        for v in tape:
            v.grad = 0.0
        self.grad = 1.0
        # 3) replay the tape backwards
        for v in reversed(tape):
            v._backward()


def _unary(x, f, df):
    if not isinstance(x, Var):
        return f(x)
    out = Var(f(x.value), (x,))

    def _backward():
        x.grad += df(x.value) * out.grad

    out._backward = _backward
    return out


def sin(x):
    return _unary(x, math.sin, math.cos)


def cos(x):
    return _unary(x, math.cos, lambda v: -math.sin(v))


def exp(x):
    return _unary(x, math.exp, math.exp)


def log(x):
    return _unary(x, math.log, lambda v: 1 / v)


def sqrt(x):
    return _unary(x, math.sqrt, lambda v: 0.5 / math.sqrt(v))


def tanh(x):
    return _unary(x, math.tanh, lambda v: 1 - math.tanh(v) ** 2)


def grad(f, point):
    xs = [Var(p) for p in point]
    out = f(*xs)
    if not isinstance(out, Var):  # constant function
        return float(out), np.zeros(len(xs))
    out.backward()
    return out.value, np.array([x.grad for x in xs])
