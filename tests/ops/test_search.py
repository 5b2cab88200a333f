"""Searching, counting and binning against the torch oracle: bincount, histc, histogram,
unique, unique_consecutive, bucketize, searchsorted (values, dtypes, shapes, errors, and the
autograd behaviour of ops without a derivative)."""
import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from tests.helpers import assert_same, check, check_raises, randint, randn

NAN = float("nan")
INF = float("inf")

# torch warns about non-contiguous sequences (a performance note ember has no cause for)
pytestmark = pytest.mark.filterwarnings("ignore:torch.searchsorted.*non-contiguous:UserWarning")

INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8"]


def arr(values, dtype):
    return np.asarray(values, dtype=dtype)


def fw(M, name):
    return getattr(M, name)


def no_grad_parity(fn, *arrays, error=None):
    """Inputs that require grad: outputs' ``requires_grad`` match torch's, and when torch
    records a node its backward raises the same exception type in ember."""
    outs = []
    for M in (torch, ember):
        ins = [M.from_numpy(a.copy()).requires_grad_(a.dtype.kind == "f") for a in arrays]
        out = fn(M, *ins)
        flat = list(out) if isinstance(out, tuple) else [out]
        outs.append((flat, ins))
    (ft, _), (fe, _) = outs
    assert [o.requires_grad for o in fe] == [o.requires_grad for o in ft]
    for e, t in zip(fe, ft):
        assert_same(e, t)
    if error is not None:
        with pytest.raises(error):
            ft[0].sum().backward()
        with pytest.raises(error):
            fe[0].sum().backward()


# --- bincount --------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("minlength", [0, 3, 9])
def test_bincount(dtype, minlength):
    x = arr([1, 2, 2, 5, 0, 2], dtype)
    check(lambda M, x: M.bincount(x, minlength=minlength), x)
    check(lambda M, x: x.bincount(None, minlength), x)


@pytest.mark.parametrize("wdtype", ["float32", "float64", "int64", "int32", "bool", "float16"])
def test_bincount_weights_dtype(wdtype):
    x = arr([1, 2, 2, 5], "int64")
    w = arr([1.5, 2, 3, 4], "float64").astype(wdtype)
    check(lambda M, x, w: M.bincount(x, weights=w), x, w, grad=False)
    check(lambda M, x, w: M.bincount(x, w, 7), x, w, grad=False)


def test_bincount_empty_and_special():
    e = np.zeros(0, np.int64)
    check(lambda M, x: M.bincount(x), e)
    check(lambda M, x: M.bincount(x, minlength=4), e)
    # empty input: int64 zeros even with (mismatched) weights, as in PyTorch
    check(lambda M, x, w: M.bincount(x, w, 2), e, arr([1.0], "float32"), grad=False)
    check(lambda M, x, w: M.bincount(x, w), arr([1, 2], "int64"), arr([NAN, INF], "float32"),
          grad=False)


def test_bincount_grad():
    no_grad_parity(lambda M, x, w: M.bincount(x, w), arr([1, 2, 2], "int64"),
                   arr([1.0, 2.0, 3.0], "float32"), error=RuntimeError)


def test_bincount_errors():
    i = arr([1, 2], "int64")
    check_raises(lambda M, x: M.bincount(x), arr([1, -2], "int64"))
    check_raises(lambda M, x: M.bincount(x), arr([[1, 2]], "int64"))
    check_raises(lambda M, x: M.bincount(x), arr(3, "int64"))
    check_raises(lambda M, x: M.bincount(x), arr([1.0, 2.0], "float32"))
    check_raises(lambda M, x: M.bincount(x), arr([True, False], "bool"))
    check_raises(lambda M, x: M.bincount(x, minlength=-1), i)
    check_raises(lambda M, x: M.bincount(x, minlength=1.5), i)
    check_raises(lambda M, x: M.bincount(x, minlength=True), i)
    check_raises(lambda M, x: M.bincount(x, minlength=None), i)
    check_raises(lambda M, x, w: M.bincount(x, w), i, arr([1.0, 2, 3], "float32"))
    check_raises(lambda M, x, w: M.bincount(x, w), i, arr([[1.0, 2]], "float32"))
    check_raises(lambda M, x: M.bincount(x, weights=[1.0, 2.0]), i)
    check_raises(lambda M: M.bincount([1, 2]))
    e, _ = check_raises(lambda M, x: M.bincount(x), arr([1.0], "float64"))
    assert "Double" in str(e)


@given(st.lists(st.integers(0, 12), max_size=20), st.integers(0, 15), st.booleans())
def test_bincount_fuzz(values, minlength, weighted):
    x = arr(values, "int64")
    if weighted:
        w = randn(len(values), dtype=np.float64)
        check(lambda M, x, w: M.bincount(x, w, minlength), x, w, grad=False)
    else:
        check(lambda M, x: M.bincount(x, minlength=minlength), x)


# --- histc -----------------------------------------------------------------------------------
HISTC_DATA = [
    [1.0, 2.0, 1.0],
    [0.0, 1.0, 2.0],
    [0.1, 0.2, 0.3],
    [1.0, 2.0, 1.0, 5.0, -1.0],
    [1.0, 1.0, 1.0],
    [],
]


@pytest.mark.parametrize("data", HISTC_DATA)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bins,lo,hi", [(100, 0, 0), (4, 0, 3), (3, 0.1, 0.4), (2, 0, 2),
                                        (3, 1, 1), (5, -1, 1.5), (1, 0, 1)])
def test_histc(data, dtype, bins, lo, hi):
    x = arr(data, dtype)
    check(lambda M, x: M.histc(x, bins, lo, hi), x, grad=False)
    check(lambda M, x: x.histc(bins=bins, min=lo, max=hi), x, grad=False)


@pytest.mark.parametrize("shape", [(), (3, 4), (2, 0, 3), (2, 3, 2)])
def test_histc_shapes(shape):
    check(lambda M, x: M.histc(x, bins=5), randn(*shape), grad=False)
    check(lambda M, x: M.histc(x, 7, -1, 1), randn(*shape, dtype=np.float64), grad=False)


def test_histc_special_values():
    # out-of-range values, infinities and NaN are dropped when the range is given
    x = arr([NAN, 1.0, INF, -INF, 3.0, 2.0, 0.0], "float32")
    check(lambda M, x: M.histc(x, 2, min=0.0, max=2), x, grad=False)
    check(lambda M, x: M.histc(x, 3, min=1.5, max=1.5), arr([1.0, 2.0], "float32"), grad=False)
    check(lambda M, x: M.histc(x, 2, min=INF, max=INF), arr([1.0, 2.0], "float32"), grad=False)
    check(lambda M, x: M.histc(x, 2, min=1, max=M.tensor(2.0)), arr([1.0, 2.0], "float32"),
          grad=False)
    check(lambda M, x: M.histc(x, 3), arr([1.0, 2.0, 1.0], "float16"), grad=False)


def test_histc_no_grad_and_out():
    no_grad_parity(lambda M, x: M.histc(x, 3), randn(6))
    for M in (torch, ember):
        o = M.zeros(0)
        r = M.histc(M.tensor([1.0, 2.0, 1.0]), 3, out=o)
        assert r is o and o.tolist() == [2.0, 0.0, 1.0]


def test_histc_errors():
    f = arr([1.0, 2.0, 1.0], "float32")
    check_raises(lambda M, x: M.histc(x, 3), arr([1, 2, 1], "int64"))
    check_raises(lambda M, x: M.histc(x, 3), arr([True], "bool"))
    check_raises(lambda M, x: M.histc(x, 0), f)
    check_raises(lambda M, x: M.histc(x, -1), f)
    check_raises(lambda M, x: M.histc(x, 3.5), f)
    check_raises(lambda M, x: M.histc(x, True), f)
    check_raises(lambda M, x: M.histc(x, 3, min=3, max=1), f)
    check_raises(lambda M, x: M.histc(x, 3, min="a"), f)
    check_raises(lambda M, x: M.histc(x, 3), arr([1.0, NAN], "float32"))
    check_raises(lambda M, x: M.histc(x, 3), arr([1.0, INF], "float32"))
    check_raises(lambda M, x: M.histc(x, 3, min=NAN, max=1), f)
    check_raises(lambda M, x: M.histc(x, 3, min=0, max=INF), f)
    check_raises(lambda M, x: M.histc(x, 3, min=-INF, max=INF), f)
    check_raises(lambda M, x: M.histc(x, 3, min=-1e40, max=2), f)


@given(st.lists(st.integers(-20, 20), max_size=25), st.integers(1, 12),
       st.sampled_from([(0, 0), (0, 1), (-1, 1), (-0.7, 0.3), (0.1, 0.4), (-2, 2)]),
       st.sampled_from(["float32", "float64"]), st.sampled_from([0.1, 0.25, 1 / 7]))
def test_histc_fuzz(values, bins, rng, dtype, scale):
    x = (np.asarray(values, np.float64) * scale).astype(dtype)
    check(lambda M, x: M.histc(x, bins, *rng), x, grad=False)


# --- histogram -------------------------------------------------------------------------------
HIST_X = [1.0, 2.0, 1.0, 4.0, 2.5]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [{}, {"bins": 4}, {"bins": 4, "range": (0.0, 5.0)},
                                {"bins": 4, "range": (0, 5)}, {"bins": 3, "density": True},
                                {"bins": 2, "range": (1.0, 1.0)}, {"bins": 6, "range": (-0.5, 0.5)},
                                {"bins": 7, "range": (-0.4, 0.3)}])
def test_histogram(dtype, kw):
    x = arr(HIST_X, dtype)
    check(lambda M, x: M.histogram(x, **kw), x, grad=False)
    check(lambda M, x: x.histogram(**kw), x, grad=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogram_weight_and_edges(dtype):
    x, w = arr(HIST_X, dtype), arr([1.0, 2, 3, 4, 5], dtype)
    check(lambda M, x, w: M.histogram(x, 4, weight=w), x, w, grad=False)
    check(lambda M, x, w: M.histogram(x, 4, weight=w, density=True), x, w, grad=False)
    check(lambda M, x, w: M.histogram(x, 2, weight=w.reshape(1, 5)), x, w, grad=False)
    e = arr([0.0, 1.5, 2, 4], dtype)
    check(lambda M, x, e: M.histogram(x, e), x, e, grad=False)
    check(lambda M, x, e: M.histogram(x, bins=e, density=True), x, e, grad=False)
    check(lambda M, x, e, w: M.histogram(x, e, weight=w), x, e, w, grad=False)


@pytest.mark.parametrize("shape", [(), (0,), (3, 4), (2, 0)])
def test_histogram_shapes(shape):
    check(lambda M, x: M.histogram(x, 3), randn(*shape), grad=False)
    check(lambda M, x: M.histogram(x, 3, density=True), randn(*shape), grad=False)
    check(lambda M, x: M.histogram(x, 2, range=(0.0, 0.0)), randn(*shape), grad=False)


def test_histogram_result_type_and_grad():
    r = ember.histogram(ember.tensor([1.0, 2.0]), 2)
    assert type(r).__name__ == "histogram" and r.hist is r[0] and r.bin_edges is r[1]
    e = ember.tensor([0.0, 1.0, 5.0])
    assert ember.histogram(ember.tensor([1.0]), e).bin_edges.data_ptr() != e.data_ptr()
    no_grad_parity(lambda M, x: M.histogram(x, 3), randn(5), error=RuntimeError)
    no_grad_parity(lambda M, x, e: M.histogram(x.detach(), e), randn(5),
                   arr([-1.0, 0.0, 2.0], "float32"), error=RuntimeError)


def test_histogram_errors():
    x = arr(HIST_X, "float32")
    check_raises(lambda M, x: M.histogram(x, 3), arr([1, 2], "int64"))
    check_raises(lambda M, x: M.histogram(x, 3), arr([1, 2], "float16"))
    check_raises(lambda M, x: M.histogram(x, 0), x)
    check_raises(lambda M, x: M.histogram(x, 2.5), x)
    check_raises(lambda M, x: M.histogram(x, [0.0, 1.0]), x)
    check_raises(lambda M, x: M.histogram(x, 3, range=(3.0, 1.0)), x)
    check_raises(lambda M, x: M.histogram(x, 3, range=(1, 2, 3)), x)
    check_raises(lambda M, x: M.histogram(x, 3, range=(0.0, INF)), x)
    check_raises(lambda M, x: M.histogram(x, 3, range=(1e40, 2e40)), x)
    check_raises(lambda M, x: M.histogram(x, 3), arr([1.0, NAN], "float32"))
    check_raises(lambda M, x: M.histogram(x, 3), arr([1.0, INF], "float32"))
    check_raises(lambda M, x, e: M.histogram(x, e), x, arr([1.0], "float32"))
    check_raises(lambda M, x, e: M.histogram(x, e), x, arr(1.0, "float32"))
    check_raises(lambda M, x, e: M.histogram(x, e), x, arr([[1.0, 2.0]], "float32"))
    check_raises(lambda M, x, e: M.histogram(x, e), x, arr([1.0, 2.0], "float64"))
    check_raises(lambda M, x, e: M.histogram(x, e, range=(0.0, 1.0)), x, arr([1.0, 2], "float32"))
    check_raises(lambda M, x, w: M.histogram(x, 3, weight=w), x, arr([1.0, 2], "float32"))
    check_raises(lambda M, x, w: M.histogram(x, 3, weight=w), x, arr([1, 2, 3, 4, 5], "int64"))
    check_raises(lambda M, x, w: M.histogram(x, 3, weight=w), x, arr(HIST_X, "float64"))


@given(st.lists(st.integers(-20, 20), max_size=25), st.integers(1, 10),
       st.sampled_from([None, (0.0, 1.0), (-1.0, 1.0), (-0.7, 0.3), (-0.5, 0.5), (2.0, 2.0)]),
       st.sampled_from(["float32", "float64"]), st.booleans(), st.booleans())
def test_histogram_fuzz(values, bins, rng, dtype, weighted, density):
    x = (np.asarray(values, np.float64) / 10).astype(dtype)
    args = (x, randn(len(values), dtype=np.dtype(dtype))) if weighted else (x,)
    check(lambda M, x, *w: M.histogram(x, bins, range=rng, weight=w[0] if w else None,
                                       density=density), *args, grad=False)


# --- unique ----------------------------------------------------------------------------------
FLAGS = [(False, False), (True, False), (False, True), (True, True)]


def uniq_kw(inv, cnt, **kw):
    return {"return_inverse": inv, "return_counts": cnt, **kw}


@pytest.mark.parametrize("inv,cnt", FLAGS)
@pytest.mark.parametrize("data", [[3, 1, 2, 3, 1, 1], [[3, 1, 2], [3, 1, 1]], 4, [], [[]],
                                  [7, 7, 7]])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32", "float64", "bool"])
def test_unique(inv, cnt, data, dtype):
    x = arr(data, dtype)
    check(lambda M, x: M.unique(x, **uniq_kw(inv, cnt)), x, grad=False)
    check(lambda M, x: x.unique(False, inv, cnt), x, grad=False)


@pytest.mark.parametrize("inv,cnt", FLAGS)
def test_unique_float_specials(inv, cnt):
    for data in ([1.0, NAN, NAN, 1.0], [1.0, -0.0, 0.0], [0.0, -0.0, 1.0],
                 [1.0, 0.0, -0.0, 0.0], [INF, -INF, NAN, 2.0, INF]):
        x = arr(data, "float32")
        check(lambda M, x: M.unique(x, **uniq_kw(inv, cnt)), x, grad=False)
        check(lambda M, x: M.unique_consecutive(x, **uniq_kw(inv, cnt)), x, grad=False)
        out = ember.unique(ember.tensor(data))
        ref = torch.unique(torch.tensor(data))
        assert np.array_equal(np.signbit(out.numpy()), np.signbit(ref.numpy()))


UNIQUE_DIM_CASES = [
    ([[1, 2], [1, 2], [0, 5]], [0, 1, -1, -2]),
    ([[2, 1, 2], [0, 0, 0]], [0, 1]),
    ([[[1, 2], [3, 4]], [[1, 2], [3, 4]], [[0, 2], [3, 4]]], [0, 1, 2]),
    ([3, 1, 3], [0]),
    (np.zeros((0, 3)), [0]),
    (np.zeros((2, 0, 3)), [1]),
    (np.zeros(0), [0]),
]


@pytest.mark.parametrize("data,dims", UNIQUE_DIM_CASES)
@pytest.mark.parametrize("inv,cnt", FLAGS)
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_unique_dim(data, dims, inv, cnt, dtype):
    x = arr(data, dtype)
    for d in dims:
        check(lambda M, x, d=d: M.unique(x, **uniq_kw(inv, cnt, dim=d)), x, grad=False)
        check(lambda M, x, d=d: M.unique_consecutive(x, **uniq_kw(inv, cnt, dim=d)), x, grad=False)
        check(lambda M, x, d=d: x.unique(True, inv, cnt, d), x, grad=False)


def test_unique_dim_float_specials():
    for data in ([[1.0, NAN], [1.0, NAN]], [[-0.0, 1.0], [0.0, 1.0]], [[0.0, 1.0], [-0.0, 1.0]]):
        check(lambda M, x: M.unique(x, dim=0, return_inverse=True, return_counts=True),
              arr(data, "float64"), grad=False)


@pytest.mark.parametrize("inv,cnt", FLAGS)
@pytest.mark.parametrize("data", [[1, 1, 2, 2, 3, 1, 1, 2], [[1, 1], [2, 2]], 3, [], [5]])
@pytest.mark.parametrize("dtype", ["int64", "float32", "bool"])
def test_unique_consecutive(inv, cnt, data, dtype):
    x = arr(data, dtype)
    check(lambda M, x: M.unique_consecutive(x, **uniq_kw(inv, cnt)), x, grad=False)
    check(lambda M, x: x.unique_consecutive(inv, cnt), x, grad=False)


def test_unique_consecutive_dim():
    x = arr([[1, 2], [1, 2], [0, 5], [1, 2]], "int64")
    for d in (0, 1, -1):
        check(lambda M, x, d=d: M.unique_consecutive(x, return_inverse=True, return_counts=True,
                                                     dim=d), x)
        check(lambda M, x, d=d: x.unique_consecutive(True, True, d), x)


@pytest.mark.parametrize("inv,cnt", FLAGS)
@pytest.mark.parametrize("low,high,dtype", [(-2 ** 40, 2 ** 40, "int64"), (-128, 128, "int8"),
                                            (0, 50, "int32"), (-3, 3, "float64")])
def test_unique_larger(inv, cnt, low, high, dtype):
    # the counting path (narrow integer ranges) and the sorting path (wide ranges, floats)
    x = randint(low, high, 200, seed=3)
    x[100:] = x[:100]
    x = x.astype(dtype)
    check(lambda M, x: M.unique(x, **uniq_kw(inv, cnt)), x, grad=False)
    check(lambda M, x: M.unique(x.reshape(20, 10), **uniq_kw(inv, cnt)), x, grad=False)


def test_unique_results_are_tuples():
    x = ember.tensor([2, 1, 2])
    assert isinstance(ember.unique(x), ember.Tensor)
    r = ember.unique(x, return_inverse=True)
    assert type(r) is tuple and len(r) == 2
    assert type(ember.unique_consecutive(x, True, True)) is tuple


def test_unique_grad():
    x = arr([1.0, 2.0, 1.0], "float32")
    no_grad_parity(lambda M, x: M.unique(x), x, error=NotImplementedError)
    no_grad_parity(lambda M, x: M.unique(x, return_inverse=True, return_counts=True), x,
                   error=NotImplementedError)
    no_grad_parity(lambda M, x: M.unique(x.reshape(3, 1), dim=0), x, error=NotImplementedError)
    no_grad_parity(lambda M, x: M.unique_consecutive(x), x, error=NotImplementedError)
    no_grad_parity(lambda M, x: M.unique_consecutive(x.reshape(3, 1), dim=0), x,
                   error=NotImplementedError)
    assert ember.unique(ember.tensor([1.0], requires_grad=True)).grad_fn.name() == \
        "Unique2Backward0"


@pytest.mark.parametrize("f", ["unique", "unique_consecutive"])
def test_unique_errors(f):
    x = arr([[1, 2], [1, 2], [0, 5]], "int64")
    check_raises(lambda M, x: fw(M, f)(x, dim=2), x)
    check_raises(lambda M, x: fw(M, f)(x, dim=1.5), x)
    check_raises(lambda M, x: fw(M, f)(x, dim=0), arr(3, "int64"))
    check_raises(lambda M, x: fw(M, f)(x, dim=0), np.zeros((3, 0)))
    check_raises(lambda M, x: fw(M, f)(x, dim=1), np.zeros((0, 0)))
    check_raises(lambda M, x: fw(M, f)(x, return_inverse=1), x)
    check_raises(lambda M, x: fw(M, f)(x, return_counts=None), x)
    check_raises(lambda M: fw(M, f)([1, 2]))
    if f == "unique":
        check_raises(lambda M, x: M.unique(x, sorted=1), x)
        check_raises(lambda M, x: M.unique(x, sorted=None), x)


@given(st.lists(st.integers(-3, 3), min_size=0, max_size=12), st.integers(1, 3),
       st.booleans(), st.booleans(), st.sampled_from(["int64", "float32", "int8"]))
def test_unique_fuzz(values, cols, inv, cnt, dtype):
    n = len(values) // cols * cols
    x = arr(values[:n], dtype).reshape(-1, cols)
    check(lambda M, x: M.unique(x, **uniq_kw(inv, cnt)), x, grad=False)
    check(lambda M, x: M.unique_consecutive(x, **uniq_kw(inv, cnt)), x, grad=False)
    if n:
        for d in (0, 1):
            check(lambda M, x, d=d: M.unique(x, **uniq_kw(inv, cnt, dim=d)), x, grad=False)
            check(lambda M, x, d=d: M.unique_consecutive(x, **uniq_kw(inv, cnt, dim=d)), x,
                  grad=False)


# --- bucketize / searchsorted ----------------------------------------------------------------
BOUND = [1, 3, 5, 7, 9]
VALS = [[3, 6, 9], [3, 6, 9]]


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("out_int32", [False, True])
@pytest.mark.parametrize("vdtype,bdtype", [("int64", "int64"), ("float32", "int64"),
                                           ("int64", "float32"), ("int32", "int64"),
                                           ("float64", "float32"), ("bool", "int64"),
                                           ("int64", "bool"), ("float32", "float32")])
def test_bucketize(right, out_int32, vdtype, bdtype):
    v, b = arr(VALS, vdtype), arr(BOUND, bdtype)
    kw = {"right": right, "out_int32": out_int32}
    check(lambda M, v, b: M.bucketize(v, b, **kw), v, b, grad=False)
    check(lambda M, v, b: M.searchsorted(b, v, **kw), v, b, grad=False)


@pytest.mark.parametrize("value", [3, 3.5, 0, 10, True, -2.5])
@pytest.mark.parametrize("right", [False, True])
def test_scalar_values(value, right):
    b = arr(BOUND, "int64")
    check(lambda M, b: M.bucketize(value, b, right=right), b, grad=False)
    check(lambda M, b: M.searchsorted(b, value, right=right), b, grad=False)
    check(lambda M, b: M.searchsorted(b, M.tensor(value), right=right), b, grad=False)
    check(lambda M, b: M.searchsorted(b.float(), value, right=right), b, grad=False)


def test_search_promotion():
    # comparisons run in the promoted dtype; 0-d tensors and Python numbers don't widen
    b32 = arr([0.1], "float32")
    for v in (arr([0.1], "float64"), arr(0.1, "float64")):
        check(lambda M, b, v: M.searchsorted(b, v, right=True), b32, v, grad=False)
        check(lambda M, b, v: M.bucketize(v, b, right=True), b32, v, grad=False)
    check(lambda M, b: M.searchsorted(b, 0.1, right=True), b32, grad=False)
    check(lambda M, b, v: M.searchsorted(b, v), arr([1, 5, 9], "uint8"), arr([-1], "int64"),
          grad=False)


@pytest.mark.parametrize("right", [False, True])
def test_search_nan_and_inf(right):
    b = arr([0.0, 1.0, NAN], "float32")
    v = arr([NAN, 1.0, INF, -INF, 0.5], "float32")
    check(lambda M, v, b: M.bucketize(v, b, right=right), v, b, grad=False)
    check(lambda M, b, v: M.searchsorted(b, v, right=right), arr([0.0, 1.0, 2.0], "float64"),
          arr([NAN, INF, -INF, 1.0], "float64"), grad=False)
    check(lambda M, b, v: M.searchsorted(b, v, right=right), arr([[0.0, NAN], [1.0, 2.0]],
                                                                 "float64"),
          arr([[NAN, 0.0, 5.0], [1.0, INF, NAN]], "float64"), grad=False)


@pytest.mark.parametrize("side,right", [(None, False), (None, True), ("left", False),
                                        ("right", False), ("right", True)])
def test_searchsorted_nd(side, right):
    ss = arr([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]], "int64")
    vv = arr(VALS, "int64")
    kw = {"side": side, "right": right}
    check(lambda M, s, v: M.searchsorted(s, v, **kw), ss, vv, grad=False)
    check(lambda M, s, v: M.searchsorted(s, v, out_int32=True, **kw), ss, vv, grad=False)
    check(lambda M, s, v: M.searchsorted(s[0], v, **kw), ss, vv, grad=False)
    s3, v3 = np.sort(randn(2, 3, 6), -1), randn(2, 3, 4)
    check(lambda M, s, v: M.searchsorted(s, v, **kw), s3, v3, grad=False)
    # long rows (searched row by row)
    s3, v3 = np.sort(randn(2, 3, 20), -1), randn(2, 3, 100) * 2
    check(lambda M, s, v: M.searchsorted(s, v, **kw), s3, v3, grad=False)
    check(lambda M, s, v: M.searchsorted(s.expand(2, 3, 5), v.reshape(2, 3, 1), **kw),
          ss.reshape(2, 1, 5), vv, grad=False)


def test_searchsorted_keywords():
    ss, vv = arr([1, 3, 5], "int64"), arr([2, 3], "int64")
    check(lambda M, s, v: M.searchsorted(sorted_sequence=s, input=v), ss, vv)
    check(lambda M, s, v: M.searchsorted(s, v, out_int32=False, right=False, side=None,
                                         sorter=None), ss, vv)


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_sorter(right):
    s = arr([[5, 1, 3], [2, 9, 4]], "int64")
    v = arr([[3, 6], [3, 9]], "int64")
    srt = np.argsort(s, -1, kind="stable")
    check(lambda M, s, v, o: M.searchsorted(s, v, right=right, sorter=o), s, v, srt)
    check(lambda M, s, o: M.searchsorted(s[0], 3, right=right, sorter=o[0]), s, srt)
    f = randn(7)
    check(lambda M, s, v, o: M.searchsorted(s, v, right=right, sorter=o), f, randn(5),
          np.argsort(f))


@pytest.mark.parametrize("sshape,vshape", [((5,), (0,)), ((0,), (3,)), ((2, 0), (2, 3)),
                                           ((0, 5), (0, 3)), ((2, 5), (2, 0)), ((0,), ())])
def test_searchsorted_empty(sshape, vshape):
    check(lambda M, s, v: M.searchsorted(s, v), np.sort(randn(*sshape), -1), randn(*vshape),
          grad=False)


def test_search_out_and_no_grad():
    for M in (torch, ember):
        o = M.zeros(2, dtype=M.int64)
        r = M.searchsorted(M.tensor([1, 3]), M.tensor([2, 4]), out=o)
        assert r is o and o.tolist() == [1, 2]
        o = M.zeros(2, dtype=M.int64)
        r = M.bucketize(M.tensor([2, 4]), M.tensor([1, 3]), out=o)
        assert r is o and o.tolist() == [1, 2]
    no_grad_parity(lambda M, s, v: M.searchsorted(s, v), np.sort(randn(5)), randn(3))
    assert not hasattr(ember.Tensor, "searchsorted") and not hasattr(ember.Tensor, "bucketize")


def test_search_errors():
    ss, vv = arr([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]], "int64"), arr(VALS, "int64")
    b = arr(BOUND, "int64")
    check_raises(lambda M, s, v: M.searchsorted(s, v, side="left", right=True), ss, vv)
    check_raises(lambda M, s, v: M.searchsorted(s, v, side="middle"), ss, vv)
    check_raises(lambda M, s, v: M.searchsorted(s, v, side=1), ss, vv)
    check_raises(lambda M, s, v: M.searchsorted(s, v, right=None), ss, vv)
    check_raises(lambda M, s, v: M.searchsorted(s, v, out_int32=1), ss, vv)
    check_raises(lambda M, s, v: M.searchsorted(s, v, True), ss, vv)
    check_raises(lambda M, s: M.searchsorted(s, 5), ss)
    check_raises(lambda M, s: M.searchsorted(s, M.tensor(5)), ss)
    check_raises(lambda M, s, v: M.searchsorted(s, v[0]), ss, vv)
    check_raises(lambda M, s, v: M.searchsorted(s, v[:1]), ss, vv)
    check_raises(lambda M, s, v: M.searchsorted(s[:1], v), ss, vv)
    check_raises(lambda M, v: M.searchsorted(M.tensor(5), v), vv)
    check_raises(lambda M, s: M.searchsorted(s, [1, 2]), b)
    check_raises(lambda M, s, v: M.searchsorted(s, v, sorter=[0, 1, 2, 3, 4]), b, vv)
    check_raises(lambda M, s, v, o: M.searchsorted(s, v, sorter=o), b, vv,
                 arr([0, 1, 2, 3, 4], "int32"))
    check_raises(lambda M, s, v, o: M.searchsorted(s, v, sorter=o), b, vv,
                 arr([0, 1, 2, 3, 4], "float32"))
    check_raises(lambda M, s, v, o: M.searchsorted(s, v, sorter=o), b, vv, arr([0, 1, 2], "int64"))
    check_raises(lambda M, s, v, o: M.searchsorted(s, v, sorter=o), b, vv,
                 arr([0, 1, 2, 3, 5], "int64"))
    check_raises(lambda M, s, v, o: M.searchsorted(s, v, sorter=o), b, vv,
                 arr([0, 1, 2, 3, -1], "int64"))
    check_raises(lambda M, v, b: M.bucketize(v, b.reshape(5, 1)), vv, b)
    check_raises(lambda M, v: M.bucketize(v, M.tensor(3)), vv)
    check_raises(lambda M, v, b: M.bucketize(v, b, True), vv, b)
    check_raises(lambda M, v: M.bucketize(v, [1, 2]), vv)
    check_raises(lambda M, b: M.bucketize([1], b), b)


@st.composite
def search_case(draw):
    lead = draw(st.lists(st.integers(0, 3), max_size=2))
    m = draw(st.integers(0, 6))
    k = draw(st.integers(0, 4))
    one_d = draw(st.booleans())
    sshape = (m,) if one_d else tuple(lead) + (m,)
    vshape = tuple(lead) + (k,)
    seed = draw(st.integers(0, 2 ** 16))
    dtype = draw(st.sampled_from(["int64", "float32", "float64", "int32"]))
    s = np.sort(randint(-5, 6, *sshape, seed=seed), -1).astype(dtype)
    v = randint(-6, 7, *vshape, seed=seed + 1).astype(dtype)
    return s, v, draw(st.booleans()), draw(st.booleans())


@given(search_case())
def test_searchsorted_fuzz(case):
    s, v, right, out_int32 = case
    check(lambda M, s, v: M.searchsorted(s, v, right=right, out_int32=out_int32), s, v,
          grad=False)
    if s.ndim == 1:
        check(lambda M, s, v: M.bucketize(v, s, right=right), s, v, grad=False)
