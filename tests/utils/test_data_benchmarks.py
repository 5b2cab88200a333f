"""The DataLoader benchmark workloads run on both frameworks (at a small size: no timing)."""
import sys
from pathlib import Path

import numpy as np
import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import data_workloads  # noqa: E402


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(data_workloads, "N_IMAGES", 300)
    monkeypatch.setattr(data_workloads, "N_WORK", 100)


@pytest.mark.usefixtures("small")
@pytest.mark.parametrize("wl", data_workloads.WORKLOADS, ids=lambda w: w.name)
@pytest.mark.parametrize("fw", ["ember", "torch"])
def test_workload_runs(wl, fw, request):
    T = pytest.importorskip(fw)
    if fw == "ember":
        request.getfixturevalue("no_leaks")
    step = wl.build(T, wl.data(np.random.default_rng(0)))
    last = step()
    last = step()
    assert tuple(last.shape)[1:] in ((784,), (32, 32)) and str(last.dtype).endswith("float32")
