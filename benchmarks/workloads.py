"""Benchmark workloads, each written once against a framework module ``T``.

``T`` is either ``ember`` or ``torch``.  Only API that exists under the same name in both is
used, so the very same code is timed on both frameworks (``import ember as torch`` semantics).

A workload has two halves:

* ``data(rng)`` makes the NumPy inputs from a seeded generator, so both frameworks see
  identical numbers;
* ``build(T, data)`` turns them into tensors of framework ``T`` and returns ``step()``, one
  timed iteration.  ``step`` returns its result so tests can look at it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Data = dict[str, np.ndarray]
Step = Callable[[], Any]


@dataclass(frozen=True)
class Workload:
    name: str
    target: float  # largest acceptable ember/torch time ratio
    data: Callable[[np.random.Generator], Data]
    build: Callable[[Any, Data], Step]
    ops_per_iter: int = 1  # reported times are per op: time per iteration / ops_per_iter
    description: str = ""


def _randn(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape, dtype=np.float32)


def _const(T: Any, arr: np.ndarray) -> Any:
    """A tensor without grad (a private copy: ``from_numpy`` shares memory)."""
    return T.from_numpy(arr.copy())


def _leaf(T: Any, arr: np.ndarray) -> Any:
    """A leaf tensor that requires grad."""
    return T.tensor(arr, requires_grad=True)


# --- 1. tiny elementwise ops: per-op dispatch overhead ---------------------------------------


def _tiny_mul_add_data(rng: np.random.Generator) -> Data:
    return {"a": _randn(rng, 8), "b": _randn(rng, 8)}


def _tiny_mul_add(T: Any, d: Data) -> Step:
    a, b = _const(T, d["a"]), _const(T, d["b"])

    def step() -> Any:
        return a * b + a

    return step


# --- 2. tiny autograd graph: graph recording + backward overhead -----------------------------


def _tiny_graph_data(rng: np.random.Generator) -> Data:
    return {"x": _randn(rng, 8), "w": _randn(rng, 8)}


def _tiny_graph_fwd_bwd(T: Any, d: Data) -> Step:
    x, w = _leaf(T, d["x"]), _leaf(T, d["w"])

    def step() -> Any:
        x.grad = None
        w.grad = None
        y = ((x * w) + x).sum()
        y.backward()
        return y

    return step


# --- 3. large matmul: BLAS throughput --------------------------------------------------------


def _matmul_data(rng: np.random.Generator) -> Data:
    return {"a": _randn(rng, 1024, 1024), "b": _randn(rng, 1024, 1024)}


def _matmul_1024(T: Any, d: Data) -> Step:
    a, b = _const(T, d["a"]), _const(T, d["b"])

    def step() -> Any:
        return a @ b

    return step


# --- 4. MLP training step without nn ---------------------------------------------------------

_MLP_SIZES = (784, 512, 256, 10)
_MLP_BATCH = 128


def _mlp_data(rng: np.random.Generator) -> Data:
    d: Data = {
        "x": _randn(rng, _MLP_BATCH, _MLP_SIZES[0]),
        "y": rng.integers(0, _MLP_SIZES[-1], size=_MLP_BATCH, dtype=np.int64),
    }
    for i, (fan_in, fan_out) in enumerate(zip(_MLP_SIZES, _MLP_SIZES[1:]), start=1):
        bound = 1.0 / np.sqrt(fan_in)  # same scale as nn.Linear's default init
        d[f"W{i}"] = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        d[f"b{i}"] = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
    return d


def _mlp_fwd_bwd(T: Any, d: Data) -> Step:
    x, y = _const(T, d["x"]), _const(T, d["y"])
    W1, b1, W2, b2, W3, b3 = (_leaf(T, d[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    params = (W1, b1, W2, b2, W3, b3)

    def step() -> Any:
        for p in params:
            p.grad = None
        h = (x @ W1.t() + b1).relu()
        h = (h @ W2.t() + b2).relu()
        z = h @ W3.t() + b3
        loss = (z.logsumexp(dim=1) - z.gather(1, y.unsqueeze(1)).squeeze(1)).mean()
        loss.backward()
        return loss

    return step


WORKLOADS: list[Workload] = [
    Workload(
        "tiny_mul_add",
        2.0,
        _tiny_mul_add_data,
        _tiny_mul_add,
        ops_per_iter=2,
        description="a * b + a on float32 (8,), no grad; time per op",
    ),
    Workload(
        "tiny_graph_fwd_bwd",
        2.0,
        _tiny_graph_data,
        _tiny_graph_fwd_bwd,
        description="((x * w) + x).sum().backward() on (8,) leaves",
    ),
    Workload(
        "matmul_1024",
        1.25,
        _matmul_data,
        _matmul_1024,
        description="float32 1024x1024 @ 1024x1024",
    ),
    Workload(
        "mlp_fwd_bwd",
        1.3,
        _mlp_data,
        _mlp_fwd_bwd,
        description="784-512-256-10 MLP, batch 128, cross-entropy fwd+bwd, no nn",
    ),
]
