"""Memory and depth: training loops do not leak, graphs are freed as soon as nothing refers
to them (by reference counting alone: no cycles), and very deep graphs neither hit Python's
recursion limit in backward nor crash when they are dropped."""
import gc
import inspect
import os
import subprocess
import sys
import weakref

import numpy as np
import pytest
import torch

import ember

STATM = "/proc/self/statm"


def rss_bytes():
    """Resident set size of this process (Linux)."""
    with open(STATM) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def graph_nodes(t):
    """Weak references to every node of the graph behind ``t``."""
    refs, seen, stack = [], set(), [t.grad_fn]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        refs.append(weakref.ref(n))
        stack.extend(c for c, _ in n.next_functions)
    return refs


class MLP:
    """A 2-layer MLP on ember (or torch) tensors, trained by manual SGD under no_grad; the
    forward pass uses in-place ops (relu_, a masked write) so rebased history is exercised."""

    def __init__(self, M, seed=0):
        r = np.random.default_rng(seed)
        f = lambda *s: M.from_numpy((r.standard_normal(s) * 0.2).astype(np.float32))  # noqa
        self.M = M
        self.x = f(32, 16)
        self.y = f(32, 1)
        self.params = [f(16, 32).requires_grad_(), M.zeros(32, requires_grad=True),
                       f(32, 1).requires_grad_(), M.zeros(1, requires_grad=True)]

    def step(self, lr=0.05):
        w1, b1, w2, b2 = self.params
        h = self.x @ w1 + b1
        h[:, :4] = h[:, :4] * 0.5
        h.relu_()
        out = h @ w2 + b2
        loss = ((out - self.y) ** 2).mean()
        loss.backward()
        with self.M.no_grad():
            for p in self.params:
                p -= lr * p.grad
                p.grad.zero_()
        return loss


@pytest.mark.skipif(not os.path.exists(STATM), reason="resident memory is read from /proc")
def test_training_loop_does_not_grow_memory():
    model = MLP(ember)
    ref = MLP(torch)
    first = [float(model.step().detach()), float(ref.step().detach())]
    assert first[0] == pytest.approx(first[1], rel=1e-5)
    for _ in range(999):
        model.step()
    gc.collect()
    before = rss_bytes()
    objects = len(gc.get_objects())
    for _ in range(9000):
        loss = model.step()
    gc.collect()
    grown = rss_bytes() - before
    assert grown < 5 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"
    assert len(gc.get_objects()) - objects < 100, "Python objects pile up"
    assert float(loss.detach()) < first[0]


def test_graph_freed_after_backward_without_gc():
    """Nodes, saved tensors and intermediates go the moment the last reference does:
    reference counting alone, no cycles for the collector to find."""
    gc.collect()
    gc.disable()
    try:
        model = MLP(ember)
        w1, b1, w2, b2 = model.params
        h = model.x @ w1 + b1
        h[:, :4] = h[:, :4] * 0.5
        h.t()[1].mul_(2)
        h.relu_()
        loss = ((h @ w2 + b2 - model.y) ** 2).mean()
        nodes = graph_nodes(loss)
        assert len(nodes) > 10
        names = {r().name() for r in nodes}
        assert {"CopySlices", "ReluBackward0", "AccumulateGrad", "MeanBackward0"} <= names
        inter = weakref.ref(h)
        loss.backward()
        assert all(r() is not None for r in nodes)    # still reachable from loss and h
        del loss, h
        assert inter() is None
        assert [r().name() for r in nodes if r() is not None] == []
    finally:
        gc.enable()


@pytest.mark.parametrize("backward", ["none", "retain_graph"])
def test_graph_freed_when_dropped(backward):
    """A graph never backpropagated (or kept with retain_graph) goes with its last tensor;
    the leaf's AccumulateGrad, cached weakly on the leaf, goes too."""
    gc.collect()
    gc.disable()
    try:
        x = ember.ones(4, 3, requires_grad=True)
        y = x * 2
        y[0] = 1.0
        z = (y.exp() @ x.t()).sum()
        nodes = graph_nodes(z)
        if backward == "retain_graph":
            z.backward(retain_graph=True)
        del y, z
        assert [r().name() for r in nodes if r() is not None] == []
    finally:
        gc.enable()


def test_backward_through_10000_op_chain():
    """No recursion in backward (even under a low recursion limit), and the right gradient."""
    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    y = x
    for _ in range(10000):
        y = y * 1.0001 + 0.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)
    try:
        y.sum().backward()
    finally:
        sys.setrecursionlimit(limit)
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10000] * 2, rtol=1e-10)


def test_double_backward_through_deep_chain():
    x = ember.tensor(0.5, dtype=ember.float64, requires_grad=True)
    y = x
    for _ in range(2000):
        y = y * 1.0001 + 0.0
    y = y * y
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    (gg,) = ember.autograd.grad(g, x)
    c = 1.0001 ** 2000
    assert float(g) == pytest.approx(2 * c * c * 0.5, rel=1e-10)
    assert float(gg) == pytest.approx(2 * c * c, rel=1e-10)


def test_backward_through_deep_inplace_chain():
    """4 000 in-place writes (half of them through views) rebase history 4 000 times."""
    x = ember.ones(2, 3, dtype=ember.float64, requires_grad=True)
    y = x * 1
    for i in range(2000):
        y.mul_(1.0001)
        y[i % 2].add_(0.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 1.0001 ** 2000), rtol=1e-10)


_DROP = """
import sys
import ember
sys.setrecursionlimit(200)
x = ember.ones(2, requires_grad=True)
y = x
for _ in range({n}):
    y = y * 1.0001
z = x * 1
for _ in range({m}):
    z.mul_(1.0001)
del y, z
print("dropped")
"""


def test_dropping_a_100000_op_graph_does_not_crash():
    """Freeing a very deep chain of nodes must not recurse (Python frees deep reference
    chains iteratively only where told to): run it in a child, where a C-stack overflow
    shows up as a crash instead of taking the test run down."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-c", _DROP.format(n=100000, m=10000)], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    assert r.stdout.strip() == "dropped"
