"""DataLoader workloads: one iteration is one epoch, so ember/torch time ratios are the
inverse of their samples/s ratios.

* ``data_tensor_w0`` / ``data_tensor_w2``: a TensorDataset of 60 000 x 784 float32 images and
  int64 labels, batch 128, shuffled, with 0 and 2 worker processes (worker start-up counts:
  it is part of every epoch with the default ``persistent_workers=False``);
* ``data_numpy_w2``: a map-style dataset whose ``__getitem__`` does about 50 us of NumPy work
  and returns a NumPy array and an int (``default_collate`` makes the tensors), 2 workers.

The default start method of the platform is used (fork on Linux). Workers compete with the
main process for the CPU: on a machine with 2 cores the worker figures measure transport
and scheduling as much as loading.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from .workloads import Data, Step, Workload

N_IMAGES = 60_000
IMAGE = 784
BATCH = 128
N_WORK = 8_192
WORK_BATCH = 64
_WORK_ROUNDS = 6  # matmul + tanh rounds on a 32x32 block: about 50 us per sample


def _data_mod(T: Any) -> Any:
    return importlib.import_module(T.__name__ + ".utils.data")


def _images_data(rng: np.random.Generator) -> Data:
    return {
        "x": rng.standard_normal((N_IMAGES, IMAGE), dtype=np.float32),
        "y": rng.integers(0, 10, size=N_IMAGES, dtype=np.int64),
    }


def _epoch(loader: Any) -> Step:
    def step() -> Any:
        last = None
        for xb, _yb in loader:
            last = xb
        return last

    return step


def _tensor_epoch(num_workers: int):
    def build(T: Any, d: Data) -> Step:
        data = _data_mod(T)
        ds = data.TensorDataset(T.from_numpy(d["x"]), T.from_numpy(d["y"]))
        return _epoch(data.DataLoader(ds, batch_size=BATCH, shuffle=True,
                                      num_workers=num_workers))

    return build


class NumpyWorkDataset:
    """About 50 us of NumPy per sample; the same code serves both frameworks."""

    def __init__(self, base: np.ndarray, n: int) -> None:
        self.base = base
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        a = self.base[i % len(self.base)]
        for _ in range(_WORK_ROUNDS):
            a = np.tanh(a @ a.T * np.float32(0.05))
        return a, i % 10


def _work_data(rng: np.random.Generator) -> Data:
    return {"base": rng.standard_normal((64, 32, 32), dtype=np.float32)}


def _work_epoch(T: Any, d: Data) -> Step:
    data = _data_mod(T)
    ds = NumpyWorkDataset(d["base"], N_WORK)
    return _epoch(data.DataLoader(ds, batch_size=WORK_BATCH, shuffle=True, num_workers=2))


WORKLOADS: list[Workload] = [
    Workload(
        "data_tensor_w0",
        1.2,
        _images_data,
        _tensor_epoch(0),
        description="epoch: TensorDataset 60000x784 f32 + labels, batch 128, shuffle, 0 workers",
    ),
    Workload(
        "data_tensor_w2",
        1.2,
        _images_data,
        _tensor_epoch(2),
        description="epoch: TensorDataset 60000x784 f32 + labels, batch 128, shuffle, 2 workers",
    ),
    Workload(
        "data_numpy_w2",
        1.2,
        _work_data,
        _work_epoch,
        description="epoch: 8192 samples x ~50 us NumPy __getitem__, batch 64, 2 workers",
    ),
]
