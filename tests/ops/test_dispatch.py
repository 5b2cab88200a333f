"""The one dispatch point: tracers see every op by name with its attributes, no-grad
calls build no graph, and ember never imports torch."""
import pathlib
import re

import numpy as np

import ember
from ember.ops import _dispatch


def trace(fn):
    seen = []
    tr = lambda op, args, attrs, out: seen.append((op.opname, dict(attrs)))  # noqa: E731
    _dispatch.add_tracer(tr)
    try:
        fn()
    finally:
        _dispatch.remove_tracer(tr)
    return seen


def test_tracer_sees_ops_with_attrs():
    x = ember.ones(2, 3, requires_grad=True)
    seen = trace(lambda: ((x * 2 + x).exp().sum(dim=1, keepdim=True)).reshape(2))
    names = [n for n, _ in seen]
    assert names == ["mul", "add", "exp", "sum", "reshape"]
    assert seen[3][1]["dim"] == 1 and seen[3][1]["keepdim"] is True
    assert seen[4][1]["shape"] == (2,)


def test_tracer_sees_inplace_and_methods():
    x = ember.ones(3)
    seen = trace(lambda: (x.add_(1), x.mul_(x), x.sum(0)))
    assert [n for n, _ in seen] == ["add", "mul", "sum"]
    assert _dispatch._tracers == []


def test_no_graph_without_grad():
    x = ember.ones(3)
    y = (x * 2 + 1).exp()
    assert y.grad_fn is None and not y.requires_grad
    w = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        z = (w * 2).exp()
    assert z.grad_fn is None


def test_op_classes_define_forward_and_backward_once():
    ops = set()
    stack = list(_dispatch.Op.__subclasses__())
    while stack:
        c = stack.pop()
        ops.add(c)
        stack.extend(c.__subclasses__())
    assert len(ops) > 10
    for c in ops:
        assert "forward" in vars(c) or any("forward" in vars(b) for b in c.__mro__[1:-3]), c
        if c.differentiable:
            assert c.backward is not _dispatch.Op.backward, f"{c.__name__} lacks backward"
        assert c._node_name.endswith(("Backward0", "Backward1", "Backward2", "Backwards",
                                      "CopySlices")) or c._node_name, c


def test_ember_never_imports_torch():
    root = pathlib.Path(ember.__file__).parent
    pat = re.compile(r"^\s*(import torch|from torch)", re.M)
    bad = [str(p) for p in root.rglob("*.py") if pat.search(p.read_text())]
    assert bad == []


def test_numpy_is_the_only_runtime_dependency():
    text = (pathlib.Path(ember.__file__).parent.parent / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.M | re.S).group(1)
    assert [d.strip().strip('"') for d in deps.split(",") if d.strip()] == ["numpy>=2.0"]


def test_scalar_ops_keep_float32():
    x = ember.from_numpy(np.ones(3, np.float32))
    for y in (x * 2.5, 2.5 * x, x + 1, x / 3, 1 - x, x - np.float64(2)):
        assert y.dtype is ember.float32
