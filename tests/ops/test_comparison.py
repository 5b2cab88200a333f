"""Comparisons, tests and ordering ops against the torch oracle."""
import operator

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from tests.helpers import check, check_raises, gradcheck, randint, randn

INF = float("inf")
NAN = float("nan")
DTYPES = ["float32", "float64", "int64", "int32", "int8", "uint8", "bool"]


def make(shape, dtype, seed=None):
    if dtype in ("float32", "float64", "float16"):
        x = np.asarray(randn(*shape, dtype=np.dtype(dtype), seed=seed))
        return np.asarray(np.round(x * 2) / 2)      # some equal values across operands
    if dtype == "bool":
        return np.asarray(randint(0, 2, *shape, seed=seed).astype(bool))
    lo = 0 if dtype == "uint8" else -3
    return np.asarray(randint(lo, 4, *shape, dtype=np.dtype(dtype), seed=seed))


def distinct(shape, dtype="float32", seed=0):
    n = int(np.prod(shape)) if shape else 1
    v = np.random.default_rng(seed).permutation(n).reshape(shape) - n // 2
    if dtype in ("float32", "float64"):
        v = v * 0.37 + 0.1
    return np.asarray(v).astype(dtype)


OPS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
       "gt": operator.gt, "ge": operator.ge}
ALIASES = {"greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le",
           "not_equal": "ne"}


# --- element-wise comparisons -----------------------------------------------------------------
@pytest.mark.parametrize("da,db", [("float32", "float32"), ("int64", "int64"), ("bool", "bool"),
                                   ("float32", "float64"), ("int32", "float32"),
                                   ("uint8", "int8"), ("int64", "bool"), ("int8", "int64")])
@pytest.mark.parametrize("sa,sb", [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)),
                                   ((), (3,)), ((0, 3), (3,)), ((), ())])
def test_compare_tensors(da, db, sa, sb):
    a, b = make(sa, da, seed=1), make(sb, db, seed=2)
    for name, op in OPS.items():
        check(lambda M, x, y, op=op: op(x, y), a, b)
        check(lambda M, x, y, n=name: getattr(M, n)(x, y), a, b)
        check(lambda M, x, y, n=name: getattr(x, n)(y), a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scalar", [1, 0.5, True, -1, 257, INF, NAN, -300])
def test_compare_scalars(dtype, scalar):
    a = make((7,), dtype)
    for name, op in OPS.items():
        check(lambda M, x, op=op: op(x, scalar), a)
        check(lambda M, x, op=op: op(scalar, x), a)           # reflected
        check(lambda M, x, n=name: getattr(M, n)(x, scalar), a)
        if dtype != "bool":
            check(lambda M, x, op=op: op(x, np.float64(scalar)), a)


def test_compare_zero_dim_tensor_and_promotion():
    check(lambda M, x, y: x == y, np.array([1, 2], np.int8), np.array(257))
    check(lambda M, x, y: x < y, np.array([1, 2], np.int64), np.array(1.5, np.float32))
    check(lambda M, x: x == 16777217, np.array([16777216.], np.float32))
    check(lambda M, x: x == 0.1, np.array([0.1], np.float32))
    check(lambda M, x, y: x == y, np.array([16777217]), np.array([16777216.], np.float32))


@pytest.mark.parametrize("alias,name", sorted(ALIASES.items()))
def test_aliases(alias, name):
    a, b = make((3, 4), "float32", 1), make((3, 4), "float32", 2)
    check(lambda M, x, y: getattr(M, alias)(x, y), a, b)
    check(lambda M, x, y: getattr(x, alias)(y), a, b)
    check(lambda M, x: getattr(x, alias)(0.5), a)


@pytest.mark.parametrize("name", sorted(OPS) + sorted(ALIASES))
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_compare_inplace(name, dtype):
    def f(M, x, y):
        z = x.clone() if x.dtype.is_floating_point else x
        getattr(z, name + "_")(y)
        return z
    check(f, make((3, 4), dtype, 1), make((4,), dtype, 2), grad=False)
    check(lambda M, x: getattr(x.clone(), name + "_")(0.5), make((3,), dtype), grad=False)


def test_compare_with_grad_and_no_grad_output():
    x = ember.tensor([1., 2.], requires_grad=True)
    r = x > 1
    assert r.dtype == ember.bool and not r.requires_grad and r.grad_fn is None


def test_compare_non_tensor_operands():
    t = ember.tensor([1, 2])
    assert (t == None) is False and (t != None) is True  # noqa: E711
    assert (t == "a") is False and (t == [1, 2]) is False
    check(lambda M, x: (x == None, x != None), np.array([1, 2]), grad=False)  # noqa: E711
    check_raises(lambda M, x: x < None, np.array([1, 2]))
    check_raises(lambda M, x: M.eq(x, None), np.array([1, 2]))
    check_raises(lambda M, x: M.lt(x, "a"), np.array([1, 2]))
    check_raises(lambda M, x: M.eq(1, 2), np.array([1, 2]))


def test_compare_errors():
    check_raises(lambda M, x, y: x == y, randn(2), randn(3))
    check_raises(lambda M, x, y: M.lt(x, y), randn(2, 3), randn(4, 3))
    check_raises(lambda M, x, y: x.le_(y), randn(3), randn(2, 3))


# --- equal / isclose / allclose ---------------------------------------------------------------
def test_equal():
    for a, b in [([1, 2], [1., 2.]), ([1, 2], [1, 2, 3]), ([1, 2], [1, 3]), ([True], [1]),
                 ([[1, 2]], [1, 2]), ([NAN], [NAN]), ([], [])]:
        check(lambda M, x, y: M.equal(x, y), np.array(a), np.array(b), grad=False)
        check(lambda M, x, y: x.equal(y), np.array(a), np.array(b), grad=False)
    assert ember.equal(ember.tensor([1, 2]), ember.tensor([1, 2])) is True
    check_raises(lambda M, x: M.equal(x, [1, 2]), np.array([1, 2]))


ISCLOSE_PAIRS = [
    ([1., 2., 3.], [1. + 1e-6, 2.1, 3.]),
    ([INF, -INF, NAN, 1., INF, NAN], [INF, INF, NAN, INF, 1., 1.]),
    ([0., 1e-9, -1e-9], [1e-8, 0., 0.]),
]


@pytest.mark.parametrize("a,b", ISCLOSE_PAIRS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [{}, {"equal_nan": True}, {"rtol": 0.1}, {"atol": 0.2, "rtol": 0},
                                {"rtol": 0, "atol": 0}])
def test_isclose_allclose(a, b, dtype, kw):
    a, b = np.array(a, dtype), np.array(b, dtype)
    check(lambda M, x, y: M.isclose(x, y, **kw), a, b, grad=False)
    check(lambda M, x, y: x.isclose(y, **kw), a, b, grad=False)
    check(lambda M, x, y: M.allclose(x, y, **kw), a, b, grad=False)
    check(lambda M, x, y: x.allclose(y, **kw), a, b, grad=False)


@pytest.mark.parametrize("kw", [{}, {"rtol": 0.1, "atol": 0}, {"rtol": 0.05, "atol": 0.6},
                                {"rtol": 0, "atol": 0}])
def test_isclose_ints_and_broadcast(kw):
    check(lambda M, x, y: M.isclose(x, y, **kw), np.array([10, 10, -3]), np.array([11, 10, -2]),
          grad=False)
    check(lambda M, x, y: M.isclose(x, y, **kw), np.array([True, False]), np.array([False]),
          grad=False)
    check(lambda M, x, y: M.isclose(x, y, **kw), randn(3, 4), randn(4), grad=False)
    check(lambda M, x, y: M.allclose(x, y, **kw), randn(3, 1), randn(1), grad=False)


def test_isclose_errors():
    check_raises(lambda M, x, y: M.isclose(x, y), np.array([1, 2]), np.array([1., 2.]))
    check_raises(lambda M, x: M.isclose(x, 1.0), np.array([1., 2.]))
    check_raises(lambda M, x, y: M.isclose(x, y, rtol=-1), randn(2), randn(2))
    check_raises(lambda M, x, y: M.isclose(x, y, atol=-1), randn(2), randn(2))
    check_raises(lambda M, x, y: M.allclose(x, y), randn(2), randn(3))


# --- any / all --------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["any", "all"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "uint8"])
@pytest.mark.parametrize("shape,dim", [((), None), ((), 0), ((5,), None), ((5,), 0),
                                       ((3, 4), None), ((3, 4), 1), ((3, 4), -2),
                                       ((2, 3, 4), (0, 2)), ((0,), None), ((0, 3), 0),
                                       ((2, 0), 1), ((2, 3), ())])
@pytest.mark.parametrize("keepdim", [False, True])
def test_any_all(fn, dtype, shape, dim, keepdim):
    x = make(shape, dtype)
    if x.size > 2:
        x.reshape(-1)[::3] = 0
    check(lambda M, x: getattr(M, fn)(x, dim=dim, keepdim=keepdim), x, grad=False)
    check(lambda M, x: getattr(x, fn)(dim, keepdim), x, grad=False)
    if dim is None:
        check(lambda M, x: getattr(x, fn)(), x, grad=False)


def test_any_all_errors():
    check_raises(lambda M, x: x.any(2), randn(2, 3))
    check_raises(lambda M, x: x.all((0, 0)), randn(2, 3))


# --- isnan & co -------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_float_tests(fn, dtype):
    if dtype.startswith("float"):
        x = np.array([[1., NAN, INF], [-INF, 0., -2.5]], dtype)
    else:
        x = make((2, 3), dtype)
    check(lambda M, x: getattr(M, fn)(x), x, grad=False)
    check(lambda M, x: getattr(x, fn)(), x, grad=False)
    check(lambda M, x: getattr(M, fn)(x), np.zeros((0, 2), np.float32), grad=False)
    check(lambda M, x: getattr(M, fn)(x), np.array(NAN, np.float32), grad=False)


# --- sort / argsort / msort -------------------------------------------------------------------
SORT_CASES = [((), 0), ((), -1), ((6,), 0), ((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1),
              ((0, 3), 0), ((2, 0), 1)]


@pytest.mark.parametrize("shape,dim", SORT_CASES)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_sort(shape, dim, descending, dtype):
    x = distinct(shape, dtype)
    out_e, _ = check(lambda M, x: M.sort(x, dim, descending), x)
    assert type(out_e).__name__ == "sort" and out_e.values is out_e[0]
    check(lambda M, x: x.sort(dim=dim, descending=descending), x)
    check(lambda M, x: M.argsort(x, dim, descending), x)
    check(lambda M, x: x.argsort(dim=dim, descending=descending), x)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_sort_stable_ties(descending, dtype):
    x = np.array([[2, 1, 2, 1, 0, 2, 1], [0, 0, 1, 1, 0, 1, 0]]).astype(dtype)
    check(lambda M, x: x.sort(stable=True, descending=descending), x)
    check(lambda M, x: M.sort(x, dim=0, descending=descending, stable=True), x)
    check(lambda M, x: x.argsort(dim=-1, descending=descending, stable=True), x)
    check(lambda M, x: M.argsort(x, dim=0, descending=descending, stable=True), x)


def test_sort_nan_and_inf():
    x = np.array([1., NAN, 3., -INF, INF, NAN, 0.], np.float32)
    check(lambda M, x: x.sort(stable=True), x.copy())
    check(lambda M, x: x.sort(descending=True, stable=True), x.copy())


def test_numpy_style_axis_keepdims():
    check(lambda M, x: x.sort(axis=0), distinct((3, 4)))
    check(lambda M, x: M.topk(x, 2, axis=0), distinct((3, 4)))
    check(lambda M, x: x.any(axis=1, keepdims=True), make((3, 4), "int64"), grad=False)


def test_msort():
    check(lambda M, x: M.msort(x), distinct((4, 3)))
    check(lambda M, x: x.msort(), distinct((4, 3), "int64"))


def test_sort_errors():
    check_raises(lambda M, x: x.sort(2), randn(2, 3))
    check_raises(lambda M, x: x.argsort(-3), randn(2, 3))
    check_raises(lambda M, x: M.sort(x, 0, False, True), randn(3))
    check_raises(lambda M, x: M.argsort(x, 0, False, True), randn(3))
    check_raises(lambda M, x: M.sort(x.tolist()), randn(3))


# --- topk -------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", [((), 0), ((7,), 0), ((3, 6), -1), ((3, 6), 0),
                                       ((2, 5, 3), 1), ((0, 4), 1)])
@pytest.mark.parametrize("k", [0, 1, 2, 3])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_topk(shape, dim, k, largest, dtype):
    x = distinct(shape, dtype)
    n = x.shape[dim] if x.ndim else 1
    f = lambda M, x: M.topk(x, k, dim, largest)  # noqa: E731
    if k > n:
        check_raises(f, x)
        return
    out_e, _ = check(f, x)
    assert type(out_e).__name__ == "topk"
    check(lambda M, x: x.topk(k, dim=dim, largest=largest, sorted=True), x)


def test_topk_unsorted_same_set():
    x = distinct((4, 9))
    for largest in (True, False):
        ve, ie = ember.from_numpy(x).topk(4, largest=largest, sorted=False)
        vt, it = torch.from_numpy(x).topk(4, largest=largest, sorted=False)
        np.testing.assert_array_equal(np.sort(ve.numpy(), -1), np.sort(vt.numpy(), -1))
        np.testing.assert_array_equal(np.sort(ie.numpy(), -1), np.sort(it.numpy(), -1))
        np.testing.assert_array_equal(np.take_along_axis(x, ie.numpy(), -1), ve.numpy())


def test_topk_nan_and_full():
    x = np.array([1., NAN, 3., -INF, 2.], np.float32)
    check(lambda M, x: x.topk(2), x.copy())
    check(lambda M, x: x.topk(2, largest=False), x.copy())
    check(lambda M, x: x.topk(5), distinct((5,)))


def test_topk_errors():
    check_raises(lambda M, x: x.topk(4), randn(3))
    check_raises(lambda M, x: x.topk(-1), randn(3))
    check_raises(lambda M, x: x.topk(1.0), randn(3))
    check_raises(lambda M, x: x.topk(1, 1), randn(3))
    check_raises(lambda M, x: x.topk(2), randn(1)[0].reshape(()))
    check_raises(lambda M, x: x.topk(1), make((3,), "bool"))


# --- kthvalue ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", [((), 0), ((7,), 0), ((3, 6), -1), ((3, 6), 0),
                                       ((2, 5, 3), 1), ((0, 4), 1)])
@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_kthvalue(shape, dim, k, keepdim, dtype):
    x = distinct(shape, dtype)
    n = x.shape[dim] if x.ndim else 1
    f = lambda M, x: M.kthvalue(x, k, dim, keepdim)  # noqa: E731
    if k > n:
        check_raises(f, x)
        return
    out_e, _ = check(f, x)
    assert type(out_e).__name__ == "kthvalue"
    check(lambda M, x: x.kthvalue(k, dim=dim, keepdim=keepdim), x)


def test_kthvalue_nan_and_errors():
    check(lambda M, x: x.kthvalue(4), np.array([1., NAN, 3., -INF], np.float32))
    check(lambda M, x: x.kthvalue(1), np.array([1., NAN, 3., -INF], np.float32))
    check_raises(lambda M, x: x.kthvalue(0), randn(3))
    check_raises(lambda M, x: x.kthvalue(4), randn(3))
    check_raises(lambda M, x: x.kthvalue(1, 1), randn(3))
    check_raises(lambda M, x: x.kthvalue(2), np.array(1.0, np.float32))
    check_raises(lambda M, x: x.kthvalue(1), make((3,), "bool"))


# --- gradients --------------------------------------------------------------------------------
GRAD_FNS = {
    "sort": lambda M, x: (x * x).sort(1).values,
    "sort_desc": lambda M, x: (x * x).sort(0, descending=True)[0],
    "topk": lambda M, x: (x * x).topk(2, 1).values,
    "topk_small": lambda M, x: (x * x).topk(3, 0, largest=False).values,
    "kthvalue": lambda M, x: (x * x).kthvalue(2, 1).values,
    "kthvalue_keep": lambda M, x: (x * x).kthvalue(1, 0, True).values,
}


@pytest.mark.parametrize("name", sorted(GRAD_FNS))
def test_gradcheck(name):
    gradcheck(GRAD_FNS[name], distinct((3, 4), "float64", seed=2) * 0.5, gradgrad=True)


# --- hypothesis -------------------------------------------------------------------------------
@st.composite
def broadcastable(draw):
    a = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    b = list(a[len(a) - draw(st.integers(0, len(a))):])
    b = tuple(1 if draw(st.booleans()) else s for s in b)
    if draw(st.booleans()):
        a, b = b, a
    return a, b


@given(broadcastable(), st.sampled_from(sorted(OPS)), st.sampled_from(DTYPES),
       st.sampled_from(DTYPES))
def test_hypothesis_compare(shapes, name, da, db):
    a, b = make(shapes[0], da, seed=3), make(shapes[1], db, seed=4)
    check(lambda M, x, y: OPS[name](x, y), a, b, grad=False)


@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_hypothesis_sort_topk(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    x = distinct(tuple(shape), "float32", seed=nd)
    k = data.draw(st.integers(0, shape[dim]))
    desc = data.draw(st.booleans())
    check(lambda M, x: x.sort(dim, desc), x)
    check(lambda M, x: x.topk(k, dim, desc), x)
    if k:
        check(lambda M, x: x.kthvalue(k, dim, desc), x)
