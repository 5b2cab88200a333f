"""meshgrid, cartesian_prod, combinations and diff against the torch oracle: values, dtypes,
shapes, strides, gradients (first and second order) and errors."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from tests.helpers import check, check_raises, gradcheck, randint, randn


def make(shape, dtype):
    if dtype in ("float32", "float64"):
        return randn(*shape, dtype=np.dtype(dtype))
    if dtype == "bool":
        return randint(0, 2, *shape).astype(bool)
    if dtype == "uint8":
        return randint(0, 255, *shape, dtype=np.uint8)
    return randint(-9, 10, *shape, dtype=np.dtype(dtype))


# --- meshgrid --------------------------------------------------------------------------------
SIZES = [(3,), (3, 2), (2, 0), (1, 4, 2), (0,), ((), 3), ((), ()), (2, (), 3)]


def vectors(sizes, dtype="float32"):
    return [make(() if s == () else (s,), dtype) for s in sizes]


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_meshgrid(sizes, indexing, dtype):
    xs = vectors(sizes, dtype)
    outs, _ = check(lambda M, *ts: M.meshgrid(*ts, indexing=indexing), *xs)
    assert type(outs) is tuple
    check(lambda M, *ts: M.meshgrid(list(ts), indexing=indexing), *xs)
    check(lambda M, *ts: M.meshgrid(tuple(ts), indexing=indexing), *xs)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_views_and_strides(indexing):
    a, b, c = (torch.tensor([1.0, 2, 3]), torch.tensor([4.0, 5]), torch.tensor([6.0, 7, 8, 9]))
    ea, eb, ec = (ember.tensor(t.tolist()) for t in (a, b, c))
    for t, e in zip(torch.meshgrid(a, b, c, indexing=indexing),
                    ember.meshgrid(ea, eb, ec, indexing=indexing)):
        assert e.stride() == t.stride() and tuple(e.shape) == tuple(t.shape)
    # outputs are views: writing to the input shows through
    g = ember.meshgrid(ea, eb, indexing=indexing)
    ea[0] = 10.0
    assert g[0].max().item() == 10.0


def test_meshgrid_default_warns():
    a, b = randn(3), randn(2)
    with pytest.warns(UserWarning, match="indexing argument"):
        check(lambda M, x, y: M.meshgrid(x, y), a, b)
    with pytest.warns(UserWarning, match="indexing argument"):
        ember.meshgrid(ember.tensor([1.0]), indexing=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.meshgrid(ember.tensor([1.0]), indexing="ij")


@pytest.mark.parametrize("ix", ["ij", "xy"])
def test_meshgrid_grad(ix):
    a, b, c = randn(3, dtype=np.float64), randn(2, dtype=np.float64), randn(4, dtype=np.float64)
    gradcheck(lambda M, x, y, z: M.meshgrid(x, y, z, indexing=ix), a, b, c, gradgrad=True)
    gradcheck(lambda M, x, y: M.meshgrid(x, y, indexing=ix), a, np.asarray(2.5), gradgrad=True)
    check(lambda M, x, y: [g * g for g in M.meshgrid(x, y, indexing=ix)], randn(3), randn(2))


def test_meshgrid_errors():
    a = randn(3)
    check_raises(lambda M, x: M.meshgrid(x, M.zeros(2, 2), indexing="ij"), a)
    check_raises(lambda M, x: M.meshgrid(x, x.double(), indexing="ij"), a)
    check_raises(lambda M, x: M.meshgrid(x, x.long(), indexing="xy"), a)
    check_raises(lambda M, x: M.meshgrid(x, x, indexing="foo"), a)
    check_raises(lambda M, x: M.meshgrid(x, indexing=1), a)
    check_raises(lambda M, x: M.meshgrid(x, 3, indexing="ij"), a)
    check_raises(lambda M: M.meshgrid(indexing="ij"))
    check_raises(lambda M: M.meshgrid([], indexing="ij"))


# --- cartesian_prod --------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [(3,), (3, 2), (2, 0), (1, 4, 2), (2, 2, 2, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_cartesian_prod(sizes, dtype):
    check(lambda M, *ts: M.cartesian_prod(*ts), *vectors(sizes, dtype))


def test_cartesian_prod_single_and_grad():
    a = ember.tensor([1.0, 2.0])
    assert ember.cartesian_prod(a) is a
    gradcheck(lambda M, x, y: M.cartesian_prod(x, y), randn(3), randn(2), gradgrad=True)
    gradcheck(lambda M, x, y: M.cartesian_prod(x, y, x), randn(3), randn(2), gradgrad=True)


def test_cartesian_prod_errors():
    a = randn(3)
    check_raises(lambda M, x: M.cartesian_prod(x, M.zeros(2, 2)), a)
    check_raises(lambda M, x: M.cartesian_prod(x, M.tensor(1.0)), a)
    check_raises(lambda M, x: M.cartesian_prod(x, x.long()), a)
    check_raises(lambda M: M.cartesian_prod())


# --- combinations ----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 3, 5])
@pytest.mark.parametrize("r", [0, 1, 2, 3, 6])
@pytest.mark.parametrize("with_replacement", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_combinations(n, r, with_replacement, dtype):
    x = make((n,), dtype)
    check(lambda M, x: M.combinations(x, r, with_replacement), x)
    check(lambda M, x: M.combinations(x, r=r, with_replacement=with_replacement), x)


def test_combinations_default_and_grad():
    check(lambda M, x: M.combinations(x), randn(4))
    gradcheck(lambda M, x: M.combinations(x, 2), randn(4), gradgrad=True)
    gradcheck(lambda M, x: M.combinations(x, 3, True), randn(3), gradgrad=True)


def test_combinations_errors():
    check_raises(lambda M, x: M.combinations(x, -1), randn(3))
    check_raises(lambda M, x: M.combinations(x, 2.0), randn(3))
    check_raises(lambda M, x: M.combinations(x), randn(2, 2))
    check_raises(lambda M, x: M.combinations(x), randn())


# --- diff ------------------------------------------------------------------------------------
DIFF_CASES = [((4,), -1), ((4,), 0), ((3, 5), 0), ((3, 5), 1), ((3, 5), -2), ((2, 3, 4), 1),
              ((0,), 0), ((3, 0), 0), ((3, 0), 1), ((1,), 0)]


@pytest.mark.parametrize("shape,dim", DIFF_CASES)
@pytest.mark.parametrize("n", [0, 1, 2, 5])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_diff(shape, dim, n, dtype):
    x = make(shape, dtype)
    check(lambda M, x: M.diff(x, n, dim), x)
    check(lambda M, x: x.diff(n=n, dim=dim), x)


@pytest.mark.parametrize("dtype,pdtype", [("float32", "float32"), ("int64", "int64"),
                                          ("int8", "int64"), ("int64", "float32"),
                                          ("bool", "int64"), ("bool", "bool"),
                                          ("float32", "float64")])
@pytest.mark.parametrize("n", [0, 1, 2, 6])
def test_diff_prepend_append(dtype, pdtype, n):
    x, p, a = make((3, 4), dtype), make((3, 2), pdtype), make((3, 1), pdtype)
    check(lambda M, x, p, a: M.diff(x, n, prepend=p, append=a), x, p, a)
    check(lambda M, x, p: M.diff(x, n, 1, p), x, p)
    check(lambda M, x, a: M.diff(x, n, append=a), x, a)
    check(lambda M, x, p: M.diff(x, n, 0, None, p), x, make((1, 4), pdtype))


def test_diff_grad():
    gradcheck(lambda M, x: M.diff(x), randn(5), gradgrad=True)
    gradcheck(lambda M, x: M.diff(x, 2, 0), randn(4, 3), gradgrad=True)
    gradcheck(lambda M, x: M.diff(x, 3, -1), randn(2, 5), gradgrad=True)
    gradcheck(lambda M, x, p, a: M.diff(x, 2, 1, p, a), randn(2, 3), randn(2, 1), randn(2, 2),
              gradgrad=True)
    gradcheck(lambda M, x: M.diff(x, 0), randn(3), gradgrad=True)
    r = ember.diff(ember.tensor([1.0, 2.0], requires_grad=True), 0)
    assert r.grad_fn is not None


def test_diff_errors():
    x = randint(0, 9, 2, 2)
    check_raises(lambda M, x: M.diff(x), np.asarray(3))
    check_raises(lambda M, x: M.diff(x, dim=0), np.asarray(3))
    check_raises(lambda M, x: M.diff(x, -1), x)
    check_raises(lambda M, x: M.diff(x, 1.5), x)
    check_raises(lambda M, x: M.diff(x, None), x)
    check_raises(lambda M, x: M.diff(x, True), x)
    check_raises(lambda M, x: M.diff(x, dim=2), x)
    check_raises(lambda M, x: M.diff(x, dim=1.0), x)
    check_raises(lambda M, x: M.diff(x, prepend=M.tensor([1])), x)
    check_raises(lambda M, x: M.diff(x, prepend=M.tensor(1)), x)
    check_raises(lambda M, x: M.diff(x, prepend=M.tensor([[1]])), x)
    check_raises(lambda M, x: M.diff(x, append=M.tensor([[1], [2], [3]])), x)
    check_raises(lambda M, x: M.diff(x, prepend=5), x)
    check_raises(lambda M: M.diff([1, 2]))


@given(st.lists(st.integers(0, 4), min_size=1, max_size=3), st.integers(0, 4), st.data())
def test_diff_fuzz(shape, n, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    dtype = data.draw(st.sampled_from(["float32", "int64", "bool"]))
    check(lambda M, x: M.diff(x, n, dim), make(tuple(shape), dtype))
