"""Checkpoint workloads: ``save`` and ``load`` of a 200 MB state_dict (50 float32 tensors of
1000 x 1000) to a file in a temporary directory.

ember's save fsyncs the file and its directory before the atomic rename (a crash cannot
lose the previous checkpoint) and its load verifies every record's CRC-32 (a corrupt
checkpoint is an error, not silently different weights); torch does neither, so both
ratios include that cost. The issue sets no target; 3.0 marks a regression.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from .workloads import Data, Step, Workload

N_TENSORS = 50
SHAPE = (1000, 1000)


def _state_data(rng: np.random.Generator) -> Data:
    base = rng.standard_normal(SHAPE, dtype=np.float32)
    return {f"w{i}": base + i for i in range(N_TENSORS)}


def _state(T: Any, d: Data) -> dict:
    return {k: T.from_numpy(v.copy()) for k, v in d.items()}


def _path(T: Any) -> str:
    folder = tempfile.mkdtemp(prefix=f"bench-{T.__name__}-")
    return os.path.join(folder, "ckpt.pt")


def _save(T: Any, d: Data) -> Step:
    sd, path = _state(T, d), _path(T)

    def step() -> Any:
        T.save(sd, path)

    return step


def _load(T: Any, d: Data) -> Step:
    path = _path(T)
    T.save(_state(T, d), path)

    def step() -> Any:
        return T.load(path, weights_only=True)

    return step


WORKLOADS: list[Workload] = [
    Workload("ckpt_save_200mb", 3.0, _state_data, _save,
             description="save a 200 MB state_dict (ember fsyncs, torch does not)"),
    Workload("ckpt_load_200mb", 3.0, _state_data, _load,
             description="load a 200 MB state_dict (ember verifies CRC-32s, torch does not)"),
]
