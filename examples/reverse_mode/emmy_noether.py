"""Example submission: bug -- breadth-first order instead of a topological order.

backward() walks the graph from F with a queue ("nearest to F first") and a visited set, so every
node is processed once and the cost is linear; but a node is processed as soon as it is first
reached, before the nodes that use it through a LONGER path have added their contributions.  Right
on trees and on graphs whose paths all have the same length (the lecture's example, single
operators, the long chain, the 2^30-path layered graph); wrong on diamonds with paths of different
lengths, shared subexpressions and random graphs.
"""
import math
from collections import deque

import numpy as np


class Var:
    def __init__(self, value, children=(), local_grads=()):
        self.value = float(value)
        self.grad = 0.0
        self._children = children       # the inputs of the operation that made this node
        self._local_grads = local_grads

    def __repr__(self):
        return f"Var(value={self.value:.4f}, grad={self.grad:.4f})"

    @staticmethod
    def lift(x):
        return x if isinstance(x, Var) else Var(x)

    def __add__(self, other):
        other = Var.lift(other)
        return Var(self.value + other.value, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other):
        other = Var.lift(other)
        return Var(self.value * other.value, (self, other), (other.value, self.value))

    __rmul__ = __mul__

    def __neg__(self):
        return Var(-self.value, (self,), (-1.0,))

    def __pos__(self):
        return Var(self.value, (self,), (1.0,))

    def __sub__(self, other):
        other = Var.lift(other)
        return Var(self.value - other.value, (self, other), (1.0, -1.0))

    def __rsub__(self, other):
        return Var.lift(other) - self

    def __truediv__(self, other):
        other = Var.lift(other)
        return Var(self.value / other.value, (self, other),
                   (1.0 / other.value, -self.value / other.value ** 2))

    def __rtruediv__(self, other):
        return Var.lift(other) / self

    def __pow__(self, other):
        if isinstance(other, Var):
            v = self.value ** other.value
            return Var(v, (self, other), (other.value * self.value ** (other.value - 1), v * math.log(self.value)))
        d = other * self.value ** (other - 1) if other != 0 else 0.0
        return Var(self.value ** other, (self,), (d,))

    def __rpow__(self, other):
        v = other ** self.value
        return Var(v, (self,), (v * math.log(other),))

    def backward(self):
        # find every node first (so we can reset them), breadth-first
        seen = {self}
        queue = deque([self])
        order = []
        while queue:
            node = queue.popleft()
            order.append(node)
            for child in node._children:
                if child not in seen:
                    seen.add(child)
                    queue.append(child)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        # BUG: breadth-first order is not a topological order
        for node in order:
            for child, local in zip(node._children, node._local_grads):
                child.grad += node.grad * local


def _apply(x, f, df):
    if isinstance(x, Var):
        return Var(f(x.value), (x,), (df(x.value),))
    return f(x)


def sin(x):
    return _apply(x, math.sin, math.cos)


def cos(x):
    return _apply(x, math.cos, lambda a: -math.sin(a))


def exp(x):
    return _apply(x, math.exp, math.exp)


def log(x):
    return _apply(x, math.log, lambda a: 1 / a)


def sqrt(x):
    return _apply(x, math.sqrt, lambda a: 1 / (2 * math.sqrt(a)))


def tanh(x):
    return _apply(x, math.tanh, lambda a: 1 - math.tanh(a) ** 2)


def grad(f, point):
    xs = [Var(p) for p in point]
    out = f(*xs)
    if not isinstance(out, Var):
        return float(out), np.zeros(len(xs))
    out.backward()
    return out.value, np.array([x.grad for x in xs], dtype=np.float64)
