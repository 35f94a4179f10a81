"""Example submission: bug -- wrong sign in the quotient rule: d(a/b)/db = +a/b^2.

Everything else is right (closures for the local rules, iterative topological sort).  Loses the
quotient-rule check and the random graphs (which divide by Vars); x / c with a real c, and
everything without a division, stays right.
"""
import math

import numpy as np


class Var:
    def __init__(self, value, parents=(), backward_rule=None):
        self.value = float(value)
        self.grad = 0.0
        self.parents = parents
        self.backward_rule = backward_rule  # pushes self.grad to the parents

    def __repr__(self):
        return f"Var(value={self.value}, grad={self.grad})"

    def __add__(self, other):
        if not isinstance(other, Var):
            other = Var(other)
        out = Var(self.value + other.value, (self, other))

        def rule():
            self.grad += out.grad
            other.grad += out.grad
        out.backward_rule = rule
        return out

    def __radd__(self, other):
        return self + other

    def __neg__(self):
        out = Var(-self.value, (self,))

        def rule():
            self.grad -= out.grad
        out.backward_rule = rule
        return out

    def __pos__(self):
        return self + 0.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if not isinstance(other, Var):
            other = Var(other)
        out = Var(self.value * other.value, (self, other))

        def rule():
            self.grad += other.value * out.grad
            other.grad += self.value * out.grad
        out.backward_rule = rule
        return out

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        if not isinstance(other, Var):
            other = Var(other)
        out = Var(self.value / other.value, (self, other))

        def rule():
            self.grad += out.grad / other.value
            other.grad += self.value / other.value ** 2 * out.grad   # BUG: the minus sign is missing
        out.backward_rule = rule
        return out

    def __rtruediv__(self, other):
        return Var(other) / self

    def __pow__(self, other):
        if isinstance(other, Var):
            return exp(other * log(self))
        out = Var(self.value ** other, (self,))

        def rule():
            if other != 0:
                self.grad += other * self.value ** (other - 1) * out.grad
        out.backward_rule = rule
        return out

    def __rpow__(self, other):
        return exp(self * math.log(other))

    def backward(self):
        order, seen, stack = [], {self}, [(self, iter(self.parents))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                order.append(node)
            elif nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(nxt.parents)))
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            if node.backward_rule is not None:
                node.backward_rule()


def _unary(x, f, df):
    if not isinstance(x, Var):
        return f(x)
    out = Var(f(x.value), (x,))

    def rule():
        x.grad += df(x.value) * out.grad
    out.backward_rule = rule
    return out


def sin(x):
    return _unary(x, math.sin, math.cos)


def cos(x):
    return _unary(x, math.cos, lambda t: -math.sin(t))


def exp(x):
    return _unary(x, math.exp, math.exp)


def log(x):
    return _unary(x, math.log, lambda t: 1 / t)


def sqrt(x):
    return _unary(x, math.sqrt, lambda t: 0.5 / math.sqrt(t))


def tanh(x):
    return _unary(x, math.tanh, lambda t: 1 - math.tanh(t) ** 2)


def grad(f, point):
    xs = [Var(p) for p in point]
    F = f(*xs)
    if not isinstance(F, Var):
        return float(F), np.zeros(len(xs))
    F.backward()
    return F.value, np.array([x.grad for x in xs])
