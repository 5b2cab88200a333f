"""Smoke tests for benchmarks/: each workload runs on torch (checks the workload code itself)
and on ember (only that it runs: no timing or value assertions)."""

import sys
from pathlib import Path

import numpy as np
import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # let `pytest` find benchmarks/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.runner import run_workload  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402

by_name = pytest.mark.parametrize("wl", WORKLOADS, ids=[w.name for w in WORKLOADS])


def _run_twice(T, wl):
    step = wl.build(T, wl.data(np.random.default_rng(0)))
    step()  # twice: the second call exercises the per-iteration grad reset
    return step()


@by_name
def test_workload_runs_on_torch(wl):
    torch = pytest.importorskip("torch")
    out = _run_twice(torch, wl)
    assert np.isfinite(out.detach().numpy()).all()


@by_name
def test_workload_runs_on_ember(wl):
    ember = pytest.importorskip("ember")
    _run_twice(ember, wl)


def test_harness_times_torch():
    torch = pytest.importorskip("torch")
    res = run_workload(WORKLOADS[0], {"torch": torch}, repeat=2, round_s=0.005, seed=0)
    assert not res.errors and len(res.per_iter_s["torch"]) == 2
    assert res.time_per_op("torch") > 0 and res.ratio is None


def test_harness_reports_errors():
    res = run_workload(WORKLOADS[0], {"ember": ImportError("boom")}, 1, 0.005, 0)
    assert res.status == "ERROR" and "boom" in res.errors["ember"]
