"""Optimizer step workloads: one ``optimizer.step()`` over the 784-512-256-10 MLP's parameters.

The parameters get fixed random gradients once; each timed iteration is one step of the
optimizer (Adam with its defaults, SGD with momentum 0.9), the same code on ember and torch.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from .workloads import Data, Step, Workload

_SHAPES = ((512, 784), (512,), (256, 512), (256,), (10, 256), (10,))


def _data(rng: np.random.Generator) -> Data:
    d: Data = {}
    for i, shape in enumerate(_SHAPES):
        d[f"p{i}"] = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.05)
        d[f"g{i}"] = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.01)
    return d


def _optim_step(name: str, **kw: Any):
    def build(T: Any, d: Data) -> Step:
        optim = importlib.import_module(f"{T.__name__}.optim")
        params = []
        for i in range(len(_SHAPES)):
            p = T.tensor(d[f"p{i}"], requires_grad=True)
            p.grad = T.tensor(d[f"g{i}"])
            params.append(p)
        opt = getattr(optim, name)(params, **kw)

        def step() -> Any:
            opt.step()
            return params[-1]

        return step

    return build


WORKLOADS: list[Workload] = [
    Workload(
        "optim_adam_step",
        1.5,
        _data,
        _optim_step("Adam", lr=1e-3),
        description="Adam.step() over the 784-512-256-10 MLP parameters (535k floats)",
    ),
    Workload(
        "optim_sgd_momentum_step",
        1.5,
        _data,
        _optim_step("SGD", lr=0.01, momentum=0.9),
        description="SGD(momentum=0.9).step() over the 784-512-256-10 MLP parameters",
    ),
]
