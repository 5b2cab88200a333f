"""Convolution workloads: conv2d forward+backward (dense and depthwise), a LeNet-5 training
step's forward and backward, and a MobileNetV2 inverted-residual block, written with functions
both frameworks have (``T.conv2d``, ``T.max_pool2d``, ``T.relu``, ``T.log_softmax``,
``T.nn.functional``), the same code on ember and torch."""

from __future__ import annotations

from typing import Any

import numpy as np

from .workloads import Data, Step, Workload


def _uniform(rng: np.random.Generator, fan_in: int, *shape: int) -> np.ndarray:
    b = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-b, b, shape).astype(np.float32)


def _conv_data(n: int, cin: int, cout: int, hw: int):
    def data(rng: np.random.Generator) -> Data:
        return {"x": rng.standard_normal((n, cin, hw, hw), dtype=np.float32),
                "w": _uniform(rng, cin * 9, cout, cin, 3, 3),
                "b": _uniform(rng, cin * 9, cout)}
    return data


def _conv_fwd_bwd(T: Any, d: Data) -> Step:
    x = T.tensor(d["x"], requires_grad=True)
    w, b = T.tensor(d["w"], requires_grad=True), T.tensor(d["b"], requires_grad=True)

    def step() -> Any:
        x.grad = w.grad = b.grad = None
        y = T.conv2d(x, w, b, padding=1)
        y.sum().backward()
        return w.grad

    return step


def _dw_data(n: int, c: int, hw: int):
    def data(rng: np.random.Generator) -> Data:
        return {"x": rng.standard_normal((n, c, hw, hw), dtype=np.float32),
                "w": _uniform(rng, 9, c, 1, 3, 3)}
    return data


def _dw_fwd_bwd(stride: int):
    def build(T: Any, d: Data) -> Step:
        x, w = T.tensor(d["x"], requires_grad=True), T.tensor(d["w"], requires_grad=True)

        def step() -> Any:
            x.grad = w.grad = None
            y = T.conv2d(x, w, None, stride, 1, 1, x.shape[1])
            y.sum().backward()
            return w.grad

        return step
    return build


# MobileNetV2's inverted residual (expand 1x1, depthwise 3x3, project 1x1, each batch-normed,
# ReLU6 after the first two, residual add), training mode
_MB = (("w1", (144, 24, 1, 1)), ("g1", (144,)), ("b1", (144,)), ("w2", (144, 1, 3, 3)),
       ("g2", (144,)), ("b2", (144,)), ("w3", (24, 144, 1, 1)), ("g3", (24,)), ("b3", (24,)))


def _mb_data(rng: np.random.Generator) -> Data:
    d: Data = {"x": rng.standard_normal((8, 24, 56, 56), dtype=np.float32)}
    for name, shape in _MB:
        if name[0] == "w":
            d[name] = _uniform(rng, int(np.prod(shape[1:])), *shape)
        else:
            d[name] = (np.ones if name[0] == "g" else np.zeros)(shape, np.float32)
    return d


def _mb_block(T: Any, d: Data) -> Step:
    F = T.nn.functional
    x = T.tensor(d["x"], requires_grad=True)
    p = {name: T.tensor(d[name], requires_grad=True) for name, _ in _MB}

    def bn(h: Any, i: int) -> Any:
        return F.batch_norm(h, None, None, p[f"g{i}"], p[f"b{i}"], training=True)

    def step() -> Any:
        x.grad = None
        for t in p.values():
            t.grad = None
        h = F.relu6(bn(T.conv2d(x, p["w1"]), 1))
        h = F.relu6(bn(T.conv2d(h, p["w2"], None, 1, 1, 1, 144), 2))
        y = x + bn(T.conv2d(h, p["w3"]), 3)
        (y * y).mean().backward()
        return p["w2"].grad

    return step


_LENET = (("c1", (6, 1, 5, 5)), ("c1b", (6,)), ("c2", (16, 6, 5, 5)), ("c2b", (16,)),
          ("f1", (120, 400)), ("f1b", (120,)), ("f2", (84, 120)), ("f2b", (84,)),
          ("f3", (10, 84)), ("f3b", (10,)))


def _lenet_data(rng: np.random.Generator) -> Data:
    d: Data = {"x": rng.standard_normal((64, 1, 32, 32), dtype=np.float32),
               "y": rng.integers(0, 10, size=64, dtype=np.int64)}
    for name, shape in _LENET:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 25
        d[name] = _uniform(rng, fan_in, *shape)
    return d


def _lenet_fwd_bwd(T: Any, d: Data) -> Step:
    x, y = T.from_numpy(d["x"].copy()), T.from_numpy(d["y"].copy())
    p = {name: T.tensor(d[name], requires_grad=True) for name, _ in _LENET}

    def step() -> Any:
        for t in p.values():
            t.grad = None
        h = T.max_pool2d(T.relu(T.conv2d(x, p["c1"], p["c1b"])), 2)
        h = T.max_pool2d(T.relu(T.conv2d(h, p["c2"], p["c2b"])), 2)
        h = h.reshape(h.shape[0], -1)
        h = T.relu(h @ p["f1"].t() + p["f1b"])
        h = T.relu(h @ p["f2"].t() + p["f2b"])
        z = h @ p["f3"].t() + p["f3b"]
        loss = -T.log_softmax(z, 1).gather(1, y.unsqueeze(1)).mean()
        loss.backward()
        return loss

    return step


WORKLOADS: list[Workload] = [
    Workload("conv2d_3to64_32x32_b32_fwd_bwd", 2.0, _conv_data(32, 3, 64, 32), _conv_fwd_bwd,
             description="conv2d 3->64 ch, 3x3 pad 1, 32x32, batch 32: forward + backward"),
    Workload("conv2d_64to128_16x16_b32_fwd_bwd", 2.5, _conv_data(32, 64, 128, 16),
             _conv_fwd_bwd,
             description="conv2d 64->128 ch, 3x3 pad 1, 16x16, batch 32: forward + backward"),
    Workload("conv_lenet5_b64_fwd_bwd", 2.0, _lenet_data, _lenet_fwd_bwd,
             description="LeNet-5 (conv/relu/maxpool x2, 3 linear, log_softmax NLL), batch 64"),
    Workload("conv2d_depthwise32_56x56_b8_fwd_bwd", 2.0, _dw_data(8, 32, 56), _dw_fwd_bwd(1),
             description="depthwise conv2d (groups=32), 3x3 pad 1, 56x56, batch 8: forward + "
                         "backward"),
    Workload("conv2d_depthwise32_56x56_s2_b8_fwd_bwd", 2.0, _dw_data(8, 32, 56), _dw_fwd_bwd(2),
             description="depthwise conv2d (groups=32), 3x3 stride 2 pad 1, 56x56, batch 8: "
                         "forward + backward"),
    Workload("mobilenet_block_24x56x56_b8_fwd_bwd", 2.5, _mb_data, _mb_block,
             description="MobileNetV2 inverted residual 24->144->24 (1x1, depthwise 3x3, 1x1, "
                         "batch norm, ReLU6, residual), 56x56, batch 8: forward + backward"),
]
