"""Parity of tensor creation (ember/ops/creation.py) with torch: values, dtypes, shapes and
errors of the deterministic creators; shapes, dtypes, ranges and statistics of the random
ones (their values cannot match torch's stream)."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from tests.helpers import assert_same, check_raises, dtype_name


def same(expr, **kw):
    """Evaluate ``expr`` (a function of the module) on both and compare."""
    t = expr(torch, **kw)
    e = expr(ember, **kw)
    assert_same(e, t)
    return e, t


def raises(expr, match=None):
    return check_raises(lambda M: expr(M), match=match)


# --- tensor(): dtype inference and nesting -----------------------------------------------------
DATA = [
    [True, 1], [True, 1.5], [1, 2.0], [], [[]], [[], []], 2, 2.5, True, -2 ** 63, [1, 2 ** 62],
    ((1, 2), (3, 4)), [(1, 2), [3, 4]], range(3), [[[1], [2]], [[3], [4]]], [1e40], 1e400,
    [np.float64(1.5)], np.float64(1.5), [np.float32(1.5), 2], [np.int32(1)], np.int32(1),
    [np.array([1, 2]), np.array([3, 4])], [False, True], [[1.5, 2], [3, 4]], np.bool_(True),
]


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
@pytest.mark.parametrize("data", DATA, ids=[repr(d)[:30] for d in DATA])
def test_tensor_inference(data):
    same(lambda M: M.tensor(data))


def test_tensor_of_tensors_and_sizes():
    same(lambda M: M.tensor([M.tensor(1), M.tensor(2.5)]))
    same(lambda M: M.tensor([M.tensor([1]), M.tensor([2])]))
    same(lambda M: M.tensor([M.tensor(1., dtype=M.float64), 2]))
    same(lambda M: M.tensor([M.tensor(1, dtype=M.int32), 2]))
    same(lambda M: M.tensor([M.tensor(1, dtype=M.int32), M.tensor(2, dtype=M.int32)]))
    same(lambda M: M.tensor(M.Size([2, 3])))
    with pytest.warns(UserWarning, match="copy construct"):
        same(lambda M: M.tensor(M.tensor([1.5, 2.5], dtype=M.float64)))


@pytest.mark.parametrize("data,dt", [
    (3.5, "int64"), ([1.7, -1.7], "int32"), ([1, 2], "bool"), ([0.5, 0], "bool"),
    ([[1], [2]], "float16"), ([-1], "uint8"), ([0.1, 1 / 3], "float64"), ([1, 2], "float64"),
    (np.array([1.5, 2.5]), "float32"), ([True, False], "float32"), (2 ** 40, "int64"),
])
def test_tensor_with_dtype(data, dt):
    same(lambda M: M.tensor(data, dtype=getattr(M, dt)))


def test_tensor_float64_exact():
    # built directly in float64: no float32 rounding on the way
    assert ember.tensor([0.1], dtype=ember.float64).item() == 0.1


def test_tensor_copies_and_requires_grad():
    a = np.zeros(3)
    t = ember.tensor(a)
    t[0] = 1.0
    assert a[0] == 0
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf
    raises(lambda M: M.tensor([1, 2], requires_grad=True))


def test_Tensor_vs_tensor():
    # the legacy constructor: sizes give an uninitialised float tensor; tensor() infers
    assert ember.Tensor(2).shape == torch.Tensor(2).shape
    assert ember.Tensor(2).dtype == ember.float32
    same(lambda M: M.tensor(2))
    assert ember.tensor(2).dtype == ember.int64 and ember.tensor(2).shape == ()
    same(lambda M: M.Tensor([1, 2]))
    assert ember.Tensor(2, 3).shape == (2, 3)


@pytest.mark.parametrize("data", [
    [[1, 2], [3]], [[1, 2], [3, 4, 5]], [[[1]], [[2, 3]]], [[1], []], [[1, 2], 3], [1, [2, 3]],
    "a", [1, "a"], [None], 2 ** 63, [2 ** 64], [1, 2 ** 63], [M for M in [object()]]])
def test_tensor_bad_data(data):
    raises(lambda M: M.tensor(data))


def test_tensor_bad_values_for_dtype():
    for v, dt in [([300], "uint8"), ([-300], "uint8"), ([200], "int8"), ([2 ** 40], "int32"),
                  (float("nan"), "int64"), ([float("inf")], "int32"), ([1e10], "int32")]:
        raises(lambda M, v=v, dt=dt: M.tensor(v, dtype=getattr(M, dt)))


def test_as_tensor_asarray():
    a = np.zeros(3)
    t = ember.as_tensor(a)
    t[0] = 1.0
    assert a[0] == 1.0                       # shares memory
    t2 = ember.as_tensor(a, dtype=ember.float32)
    t2[1] = 5.0
    assert a[1] == 0                         # converted: a copy
    x = ember.ones(2)
    assert ember.as_tensor(x) is x and ember.asarray(x) is x
    same(lambda M: M.as_tensor([1, 2.5]))
    same(lambda M: M.as_tensor([1, 2], dtype=M.float32))
    same(lambda M: M.asarray([1, 2]))
    same(lambda M: M.asarray(M.ones(2), dtype=M.int64))
    b = np.arange(3.0)
    c = ember.asarray(b, copy=True)
    c[0] = 9
    assert b[0] == 0
    raises(lambda M: M.asarray(np.ones(3), copy=False, dtype=M.float32))
    raises(lambda M: M.as_tensor(np.arange(6.0)[::-1]))
    assert ember.asarray([1.0], requires_grad=True).requires_grad


def test_from_numpy_shares_memory():
    a = np.arange(4, dtype=np.int32)
    t = ember.from_numpy(a)
    assert t.dtype == ember.int32
    t[0] = 7
    assert a[0] == 7
    raises(lambda M: M.from_numpy([1, 2]))


# --- by shape --------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("args,kw", [((2, 3), {}), (((2, 3),), {}), (([2, 3],), {}), (((),), {}),
                                     ((0,), {}), ((2,), {"dtype": "int64"}),
                                     ((2, 2), {"dtype": "bool"}), ((), {"size": (2, 1)}),
                                     ((3,), {"dtype": "float64", "requires_grad": True})])
def test_zeros_ones_empty(fn, args, kw):
    def f(M):
        k = dict(kw)
        if "dtype" in k:
            k["dtype"] = getattr(M, k["dtype"])
        r = getattr(M, fn)(*args, **k)
        assert r.requires_grad == kw.get("requires_grad", False)
        return r.detach().zero_() if fn == "empty" else r
    same(f)


@pytest.mark.filterwarnings("ignore:The number of elements in the out tensor")
def test_creation_out():
    for M in (ember, torch):
        o = M.empty(1)
        r = M.zeros(2, 3, out=o)
        assert r is o and tuple(o.shape) == (2, 3) and float(o.abs().sum()) == 0
        M.ones(2, 3, out=o)
        assert float(o.sum()) == 6
        M.arange(4, out=o)
        assert o.tolist() == [0, 1, 2, 3]
        o2 = M.empty(3, dtype=M.float64)
        M.linspace(0, 1, 3, out=o2)
        assert o2.dtype == M.float64 and o2.tolist() == [0, 0.5, 1]


def test_shape_errors():
    raises(lambda M: M.zeros(2, -1))
    raises(lambda M: M.zeros(2.5))
    raises(lambda M: M.ones((2, "a")))
    raises(lambda M: M.full(2, 3))
    raises(lambda M: M.empty(-1))


@pytest.mark.parametrize("size,val,dt", [((2,), 1.5, None), ((2,), 3, None), ((2,), True, None),
                                         ((2, 2), 1.5, "int64"), ((0,), 1, None),
                                         ((), 2.5, None), ((3,), 7, "float64"),
                                         ([2, 1], -1, "int8")])
def test_full(size, val, dt):
    same(lambda M: M.full(size, val, dtype=None if dt is None else getattr(M, dt)))


def test_full_tensor_value_and_likes():
    same(lambda M: M.full((2, 2), M.tensor(3)))
    x = np.arange(6, dtype=np.float64).reshape(2, 3)
    for fn in ["zeros_like", "ones_like"]:
        same(lambda M, fn=fn: getattr(M, fn)(M.from_numpy(x)))
        same(lambda M, fn=fn: getattr(M, fn)(M.from_numpy(x), dtype=M.int32))
    same(lambda M: M.full_like(M.from_numpy(x), 7))
    same(lambda M: M.full_like(M.from_numpy(x), 2.5, dtype=M.float32))
    same(lambda M: M.empty_like(M.from_numpy(x)).zero_())
    same(lambda M: M.scalar_tensor(3))
    same(lambda M: M.scalar_tensor(True))
    same(lambda M: M.ones(2, 3, dtype=M.float64).new_zeros(2))
    same(lambda M: M.ones(2, dtype=M.int32).new_ones((2, 2)))
    same(lambda M: M.ones(2, dtype=M.int32).new_full((3,), 5))
    same(lambda M: M.ones(2, dtype=M.float64).new_tensor([1, 2]))
    same(lambda M: M.ones(2).new_empty(3).zero_())


@pytest.mark.parametrize("args,kw", [((3,), {}), ((2, 3), {"dtype": "int64"}), ((0,), {}),
                                     ((2,), {"dtype": "bool"}), ((3, 1), {}), ((1, 4), {}),
                                     ((2, 0), {})])
def test_eye(args, kw):
    same(lambda M: M.eye(*args, **{k: getattr(M, v) for k, v in kw.items()}))


def test_eye_errors():
    raises(lambda M: M.eye(-1))
    raises(lambda M: M.eye(2, -1))
    raises(lambda M: M.eye(3.0))


ARANGE = [(5,), (0, 1, 0.1), (1, 2.5, 0.5), (0.0, 10, 3), (10, 0, -3), (-1.0, 1.0, 0.2),
          (1, 4, 0.3), (0, 0.3, 0.1), (0.1, 0.7, 0.2), (1, 1.9, 0.3), (2, 2), (3, -1, -0.7),
          (16777217, 16777220), (2 ** 62, 2 ** 62 + 3), (-5, 5, 2), (0, 1, 1e-2)]


@pytest.mark.parametrize("args", ARANGE)
@pytest.mark.parametrize("dt", [None, "float32", "float64", "int64", "int32"])
def test_arange(args, dt):
    if dt == "int64" and any(isinstance(v, float) and 0 < abs(v) < 1 for v in args):
        raises(lambda M: M.arange(*args, dtype=getattr(M, dt)))   # the step truncates to 0
        return
    if dt == "int32" and any(abs(v) > 2 ** 31 for v in args):
        return
    same(lambda M: M.arange(*args, dtype=None if dt is None else getattr(M, dt)))


def test_arange_special():
    same(lambda M: M.arange(M.tensor(3)))
    same(lambda M: M.arange(0.5, 3, dtype=M.int64))
    same(lambda M: M.arange(-2.5, 5, 1.5, dtype=M.int64))
    same(lambda M: M.arange(3, dtype=M.float16))
    same(lambda M: M.arange(5, requires_grad=False, dtype=M.uint8))
    x = ember.arange(3.0, requires_grad=True)
    assert x.requires_grad
    for args in [(0, 10, 0), (0, -1, 0.1), (float("inf"),), (0, float("nan"))]:
        raises(lambda M, args=args: M.arange(*args))
    raises(lambda M: M.arange(3, dtype=M.bool))


@given(st.floats(-50, 50), st.floats(-50, 50), st.floats(0.05, 7), st.booleans())
def test_arange_hypothesis(a, b, step, neg):
    lo, hi = min(a, b), max(a, b)
    if neg:
        lo, hi, step = hi, lo, -step
    t = torch.arange(lo, hi, step)
    e = ember.arange(lo, hi, step)
    assert_same(e, t, rtol=1e-6, atol=1e-5)


LINSPACE = [(0, 1, 5), (0, 1, 1), (0, 1, 0), (-1, 1, 7), (3, -7, 6), (0.3, 7.1, 13), (2, 2, 4),
            (0, 10, 4), (0, 9, 4), (-5, 5, 4)]


@pytest.mark.parametrize("args", LINSPACE)
@pytest.mark.parametrize("dt", [None, "float64", "int64", "int32", "float16"])
def test_linspace(args, dt):
    same(lambda M: M.linspace(*args, dtype=None if dt is None else getattr(M, dt)))


@given(st.floats(-100, 100), st.floats(-100, 100), st.integers(0, 40))
def test_linspace_hypothesis(a, b, n):
    for dt in ("float32", "float64"):
        t = torch.linspace(a, b, n, dtype=getattr(torch, dt))
        e = ember.linspace(a, b, n, dtype=getattr(ember, dt))
        assert_same(e, t, rtol=1e-5, atol=1e-5 * (abs(a) + abs(b) + 1e-3))


def test_linspace_logspace_special():
    same(lambda M: M.linspace(M.tensor(0), M.tensor(2), 3))
    raises(lambda M: M.linspace(0, 1, -1))
    raises(lambda M: M.linspace(0, 1))
    for args in [(0, 2, 3), (-1, 3.5, 5), (0.1, 1.7, 7), (2, 0, 4)]:
        for base in (10.0, 2.0, 3.3):
            same(lambda M, args=args, base=base: M.logspace(*args, base=base))
            same(lambda M, args=args, base=base: M.logspace(*args, base=base,
                                                              dtype=M.float64))
    same(lambda M: M.logspace(0, 3, 4, dtype=M.int64))
    same(lambda M: M.logspace(0, 3, 4, 2, dtype=M.int32))


def test_empty_strided():
    for M in (ember, torch):
        t = M.empty_strided((2, 3), (1, 2))
        assert t.stride() == (1, 2) and tuple(t.shape) == (2, 3)
        t.fill_(1.0)
        assert float(t.sum()) == 6.0
        assert M.empty_strided((2, 3), (3, 1), dtype=M.float64).dtype == M.float64


def test_device_argument():
    assert ember.zeros(2, device="cpu").device == ember.device("cpu")
    assert ember.rand(2, device=ember.device("cpu")).shape == (2,)
    for fn in [lambda: ember.zeros(2, device="cuda"), lambda: ember.rand(2, device="cuda"),
               lambda: ember.tensor([1], device="cuda:0"), lambda: ember.arange(3, device="cuda")]:
        with pytest.raises(AssertionError, match="cuda"):
            fn()


def test_dtype_names():
    assert dtype_name(ember.ones(1, dtype=ember.uint8).dtype) == "uint8"


def test_linspace_last_bit_matches_torch():
    for dt in ("float32", "float64"):
        for args in [(-0.5, 0.5, 7), (0.1, 2.3, 11), (-3.0, 1e-3, 50)]:
            e = ember.linspace(*args, dtype=getattr(ember, dt)).numpy()
            t = torch.linspace(*args, dtype=getattr(torch, dt)).numpy()
            np.testing.assert_array_equal(e, t)
