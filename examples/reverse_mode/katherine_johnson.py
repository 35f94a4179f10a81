"""Example submission: bug -- adjoints are not reset at the start of a sweep.

backward() sets F.grad = 1 and accumulates into whatever the other nodes held before, so it is
right the first time on a fresh graph, but calling backward() twice doubles every grad, and a
sweep from G after one from F adds G's partials to F's.  Only the "backward() twice" check fails.
"""
import math

import numpy as np


class Var:
    def __init__(self, value):
        self.value = float(value)
        self.grad = 0.0
        self.edges = []  # [(parent, d self / d parent)]

    def __repr__(self):
        return "Var(%g, grad=%g)" % (self.value, self.grad)

    @staticmethod
    def make(value, *edges):
        out = Var(value)
        out.edges = list(edges)
        return out

    def __add__(self, o):
        if isinstance(o, Var):
            return Var.make(self.value + o.value, (self, 1.0), (o, 1.0))
        return Var.make(self.value + o, (self, 1.0))

    __radd__ = __add__

    def __sub__(self, o):
        if isinstance(o, Var):
            return Var.make(self.value - o.value, (self, 1.0), (o, -1.0))
        return Var.make(self.value - o, (self, 1.0))

    def __rsub__(self, o):
        return Var.make(o - self.value, (self, -1.0))

    def __mul__(self, o):
        if isinstance(o, Var):
            return Var.make(self.value * o.value, (self, o.value), (o, self.value))
        return Var.make(self.value * o, (self, float(o)))

    __rmul__ = __mul__

    def __truediv__(self, o):
        if isinstance(o, Var):
            q = self.value / o.value
            return Var.make(q, (self, 1 / o.value), (o, -q / o.value))
        return Var.make(self.value / o, (self, 1 / o))

    def __rtruediv__(self, o):
        q = o / self.value
        return Var.make(q, (self, -q / self.value))

    def __pow__(self, o):
        if isinstance(o, Var):
            p = self.value ** o.value
            return Var.make(p, (self, o.value * self.value ** (o.value - 1)), (o, p * math.log(self.value)))
        return Var.make(self.value ** o, (self, o * self.value ** (o - 1) if o else 0.0))

    def __rpow__(self, o):
        p = o ** self.value
        return Var.make(p, (self, p * math.log(o)))

    def __neg__(self):
        return Var.make(-self.value, (self, -1.0))

    def __pos__(self):
        return Var.make(self.value, (self, 1.0))

    def backward(self):
        order = []
        done = {self}
        todo = [(self, 0)]  # (node, index of the next edge to look at)
        while todo:
            v, i = todo.pop()
            if i < len(v.edges):
                todo.append((v, i + 1))
                p = v.edges[i][0]
                if p not in done:
                    done.add(p)
                    todo.append((p, 0))
            else:
                order.append(v)  # all parents are already in order
        # BUG: forgot to reset the grads of the nodes in `order` to 0.0 first
        self.grad = 1.0
        for v in reversed(order):
            for p, d in v.edges:
                p.grad += v.grad * d


def _fn(x, f, df):
    if isinstance(x, Var):
        return Var.make(f(x.value), (x, df(x.value)))
    return f(x)


def sin(x):
    return _fn(x, math.sin, math.cos)


def cos(x):
    return _fn(x, math.cos, lambda u: -math.sin(u))


def exp(x):
    return _fn(x, math.exp, math.exp)


def log(x):
    return _fn(x, math.log, lambda u: 1.0 / u)


def sqrt(x):
    return _fn(x, math.sqrt, lambda u: 0.5 / math.sqrt(u))


def tanh(x):
    return _fn(x, math.tanh, lambda u: 1.0 - math.tanh(u) ** 2)


def grad(f, point):
    xs = [Var(p) for p in point]
    F = f(*xs)
    if not isinstance(F, Var):
        return float(F), np.zeros(len(xs))
    F.backward()
    return F.value, np.array([x.grad for x in xs], dtype=float)
