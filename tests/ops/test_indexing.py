"""Indexing and selection against the torch oracle: ``x[i]`` / ``x[i] = v`` (views, layouts,
version counters, gradients, errors; hypothesis-generated index expressions) and the
index/gather/scatter/mask/where functions."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from tests.helpers import check, check_raises, gradcheck, randint, randn

DTYPES = ["float32", "float64", "int64"]


def make(shape, dtype="float32", seed=None):
    if dtype in ("float32", "float64"):
        return np.asarray(randn(*shape, dtype=np.dtype(dtype), seed=seed))
    if dtype == "bool":
        return np.asarray(randint(0, 2, *shape, seed=seed).astype(bool))
    return np.asarray(randint(-9, 10, *shape, dtype=np.dtype(dtype), seed=seed))


def both(arr):
    return ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


def conv(M, idx):
    """An index expression with NumPy arrays turned into M's tensors."""
    if isinstance(idx, tuple):
        return tuple(conv(M, i) for i in idx)
    if isinstance(idx, np.ndarray) and idx.dtype in (np.int64, np.int32, np.bool_):
        return M.from_numpy(idx.copy())
    return idx


def same_layout(e, t):
    assert tuple(e.shape) == tuple(t.shape)
    assert e.is_contiguous() == t.is_contiguous()
    if t.numel():
        assert e.stride() == t.stride(), (e.stride(), t.stride())
        assert e.storage_offset() == t.storage_offset()


X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
I2 = np.array([0, 1])
M3 = np.array([True, False, True])

# --- basic indexing: views -----------------------------------------------------------------------
BASIC = [0, -1, (1, 2), (1, 2, 3), (-1, -1, -1), slice(None), slice(1, None), (slice(None), 1),
         (Ellipsis, 0), (Ellipsis,), (), None, (None, 1, None, Ellipsis, None),
         (slice(None), None, 1), (0, slice(None), None), (slice(0, 2, 2), slice(None, None, 2)),
         (slice(5, 10),), (slice(-10, 1),), (slice(1, 0),), (Ellipsis, None),
         (Ellipsis, None, 0), (1, Ellipsis, None, 0), (Ellipsis, Ellipsis),
         (slice(None), slice(1, 3), slice(0, 4, 3)), (np.int64(1), np.array(2)),
         (slice(np.int64(1), None),)]


@pytest.mark.parametrize("idx", BASIC)
def test_basic_index_is_view(idx):
    e, t = both(X)
    ve, vt = e[conv(ember, idx)], t[conv(torch, idx)]
    np.testing.assert_array_equal(ve.numpy(), vt.numpy())
    assert ve.dtype == ember.float32
    same_layout(ve, vt)
    if vt.numel():
        assert np.shares_memory(ve.numpy(), e.numpy())
        ve.mul_(2)
        vt.mul_(2)
        assert ve._version == e._version == 1
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    check(lambda M, x: x[conv(M, idx)] * 2, X)


def test_basic_index_0d_and_tensor_ints():
    check(lambda M, x: x[...], make(()))
    check(lambda M, x: x[None], make(()))
    check(lambda M, x: x[None, ..., None], make(()))
    check(lambda M, x: x[M.tensor(1), M.tensor(-1)], X)
    check(lambda M, x: x[M.tensor(1):M.tensor(2)], X)
    check(lambda M, x: x[::M.tensor(2)], X)
    e = ember.from_numpy(X.copy())
    s = e[1, 2, 3]
    assert s.shape == () and s.storage_offset() == 23 and np.shares_memory(s.numpy(), e.numpy())
    assert e[ember.tensor(1)]._data.base is not None


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_basic_index_dtypes(dtype):
    a = make((3, 4), dtype)
    check(lambda M, x: x[1:, ::2], a)
    check(lambda M, x: x[-1], a)
    check(lambda M, x: x[None, 0, 1], a)


# --- advanced indexing: copies -----------------------------------------------------------------
ADVANCED = [
    I2, [0, 1], [[0, 1], [1, 0]], [1], [], (I2,), (slice(None), [0, 2]), (Ellipsis, I2),
    (I2, slice(None), I2), (0, slice(None), [0, 1]), (I2, 1), (slice(1, None), [0, 1], None),
    ([0, 1], None, [0, 1]), (None, [0, 1], Ellipsis, [0, 1]), (slice(None), None, [0, 1], [0]),
    ([[0], [1]], slice(None), [0, 1, 2]), (0, [0, 1], None, [1, 2]), (True, [0, 1], 1),
    ([0, 1], True), ([0, 1], 1, True), (True,), (False,), (slice(None), M3),
    ([1, 0], M3), (slice(None), M3, [0, 1]), ([[0], [1]], M3), (np.array([-1, -2]),),
    (slice(None), np.array([[2, -1], [0, 0]])), ([True, False],), (X > 5,),
    (1, X[0] > 5), (X[:, :, 0] > 5, [1, 2, 3, 0]), (slice(None), np.array([], dtype=np.int64)),
    ([0, 0, 1],), (slice(None), [1, 1, 1], slice(None, None, 2)), (np.array(1), [0, 2]),
    (np.array([1, 0], dtype=np.int32),), (np.array([1, 0], dtype=np.int16), 0),
]


@pytest.mark.parametrize("idx", ADVANCED)
def test_advanced_index(idx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x: x[conv(M, idx)] * 3, X)
        check(lambda M, x: x[idx], X)                  # NumPy arrays / lists as given
        e, t = both(X)
        re, rt = e[conv(ember, idx)], t[conv(torch, idx)]
        same_layout(re, rt)
        if rt.numel():
            assert not np.shares_memory(re.numpy(), e.numpy())


@pytest.mark.parametrize("dtype", DTYPES + ["bool"])
def test_advanced_index_dtypes(dtype):
    a = make((4, 3), dtype)
    check(lambda M, x: x[M.tensor([3, 0, 3])], a)
    check(lambda M, x: x[x > 0] if x.dtype != M.bool else x[x], a)
    check(lambda M, x: x[:, M.tensor([[2, 2], [0, 1]])], a)


def test_index_with_int32_and_uint8_tensors():
    check(lambda M, x: x[M.tensor([1, 0], dtype=M.int32)], X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x: x[M.tensor([1, 0], dtype=M.uint8)], X)
    check(lambda M, x: x[M.tensor(True)], X)
    check(lambda M, x: x[M.tensor(False)], X)
    check(lambda M, x: x[True], make(()))
    check(lambda M, x: x[M.tensor(True)], make(()))


def test_sequence_as_tuple():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x: x[[[0, 1], [1, 2]]], X)           # nested list: a tuple
        check(lambda M, x: x[[slice(None), 0]], X)
        check(lambda M, x: x[[0., 1.]], X)                  # floats in a list: cast to long
        check(lambda M, x: x[[True, False]], X)


def test_duplicate_indices_accumulate_gradient():
    check(lambda M, x: x[M.tensor([0, 0, 1, 0])] * 2, make((3, 2)))
    check(lambda M, x: x[:, [1, 1]] * x[:, [1, 2]], make((3, 4)))
    big = make((64, 80))
    idx = randint(0, 64, 300)
    check(lambda M, x: x[M.from_numpy(idx.copy())] ** 2, big)      # sort + reduceat path


ERRORS = [5, -4, (0, 5), (slice(None), 3), ([0, 2],), (slice(None), [0, 3]), (0, 0, 0, 0),
          (M3,), ([0, 1], [0, 1, 2]), (slice(None, None, -1),), (slice(None, None, 0),),
          (1.5,), ("a",), (Ellipsis, 4), (slice(0.5, None),),
          (X[0, :2] > 5,), (np.array([True, False, True]), np.array([0, 1, 0]))]


@pytest.mark.parametrize("idx", ERRORS)
def test_index_errors(idx):
    def f(M, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return x[conv(M, idx) if not isinstance(idx, tuple) or "a" not in idx else idx]
    check_raises(f, X)
    if not isinstance(idx, str):
        check_raises(lambda M, x: x.__setitem__(conv(M, idx), 1.0), X)


def test_index_error_types_more():
    check_raises(lambda M, x: x[0], make(()))
    check_raises(lambda M, x: x[M.tensor([0.0])], X)
    check_raises(lambda M, x: x[M.tensor([0], dtype=M.int8)], X)
    e = ember.from_numpy(X.copy())
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        e[5]
    with pytest.raises(IndexError, match="index 7 is out of bounds"):
        e[:, [0, 7]]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        e[::-1]


# --- __setitem__ -------------------------------------------------------------------------------
SETS = [
    (0, 1.5), ((1, 2), -1), ((1, 2, 3), 7.0), (slice(None), 2), ((Ellipsis, 0), "v1"),
    ((slice(None), None, 1), "v1"), ((0, slice(None), [0, 1]), "vt"), ((I2, 1), "vt"),
    ((X > 5,), "vt"), ((X > 5,), 0.0), (([0, 1], slice(None), [0, 1]), "vt"),
    ((slice(None), M3), "v1"), ((None, 1), "v1"), ((Ellipsis,), 3), ((True,), "v1"),
    ((slice(None), [2, 0]), "vt"), ((0,), "lead1"), ((I2,), "lead1"),
]


def _value(M, kind, x, idx):
    target = torch.from_numpy(X.copy())[conv(torch, idx)].shape
    if kind == "v1":
        return M.from_numpy(np.arange(1, 1 + (target[-1] if target else 1),
                                      dtype=np.float32).copy())
    if kind == "vt":
        return M.from_numpy(-np.arange(int(np.prod(target)), dtype=np.float32).reshape(target))
    if kind == "lead1":
        return M.from_numpy(np.ones((1, 1) + tuple(target), np.float32))
    return kind


@pytest.mark.parametrize("idx,kind", SETS)
def test_setitem(idx, kind):
    e, t = both(X)
    ve = e[0]                      # an existing view sees the write
    e[conv(ember, idx)] = _value(ember, kind, e, idx)
    t[conv(torch, idx)] = _value(torch, kind, t, idx)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    np.testing.assert_array_equal(ve.numpy(), t[0].numpy())
    assert e._version == 1 and ve._version == 1

    def fn(M, x, v):
        y = x * 1
        if isinstance(kind, str):
            val = _value(M, kind, x, idx)
            y[conv(M, idx)] = val * v
        else:
            y[conv(M, idx)] = kind
        return y * y
    check(fn, X, np.float32(1.5))


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float64"])
def test_setitem_casts(dtype):
    def fn(M, x):
        x = x.clone()
        x[0] = 2.7
        x[1, :2] = M.tensor([True, False])
        x[-1] = M.tensor(-3.9, dtype=M.float64)
        return x
    check(fn, make((3, 4), dtype))


def test_setitem_value_requires_grad_into_plain():
    def fn(M, x, v):
        y = M.zeros(3, 4)
        y[1:, ::2] = v * 2
        y[0, [1, 1, 2]] = v[0, :1] * 5
        return y
    check(fn, make((3, 4)), make((2, 2)))


def test_setitem_duplicates_last_wins():
    check(lambda M, x: x.index_put((M.tensor([0, 0]),), M.tensor([1.0, 2.0])), make((3,)),
          grad=False)
    e = ember.zeros(3)
    e[[0, 0]] = ember.tensor([1.0, 2.0])
    assert e[0].item() == 2.0


def test_setitem_errors():
    check_raises(lambda M, x: x.__setitem__(0, M.ones(2)), make((2, 3)))
    check_raises(lambda M, x: x.__setitem__(0, M.ones(2, 3)), make((2, 3)))
    check_raises(lambda M, x: x.__setitem__([0, 1], M.ones(2)), make((2, 3)))
    check_raises(lambda M, x: x.__setitem__(0, [1, 2, 3]), make((2, 3)))
    check_raises(lambda M, x: x.requires_grad_().__setitem__(0, 1.0), make((2, 3)))
    check_raises(lambda M, x: x.requires_grad_()[:1].__setitem__(0, 1.0), make((2, 3)))
    check_raises(lambda M, x: x.expand(3, 3).__setitem__(Ellipsis, M.ones(3)), make((1, 3)))
    check_raises(lambda M, x: x.expand(3, 3).__setitem__((slice(None), 0), 1.0), make((1, 3)))
    check_raises(lambda M, x: x.expand(3, 3).scatter_(1, M.tensor([[0]]), 1.0), make((1, 3)))
    for v in (np.float32(1), np.bool_(True), np.ones(3), (1, 2, 3)):
        check_raises(lambda M, x, v=v: x.__setitem__(0, v), make((2, 3)))
    # a region without self-overlap, and indexed writes (deprecated): allowed
    for fn in (lambda M, x: x.__setitem__(0, M.ones(3)),
               lambda M, x: x.__setitem__([0, 1], M.ones(3) * 2),
               lambda M, x: x.masked_fill_(M.ones(3, 3, dtype=M.bool), 3.0),
               lambda M, x: x.index_put_((M.tensor([0, 1]),), M.tensor(4.0)),
               lambda M, x: x.index_fill_(1, M.tensor([0]), 5.0)):
        e, t = both(make((1, 3)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(ember, e.expand(3, 3))
            fn(torch, t.expand(3, 3))
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    for v in (np.int64(2), np.float64(2.5), True):
        e, t = both(make((2, 3)))
        e[0] = v
        t[0] = v
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    with ember.no_grad():
        p = ember.zeros(3, requires_grad=True)
        p[0] = 1.0
    assert p[0].item() == 1.0 and p._version == 1


def test_setitem_saved_tensor_modified():
    """A tensor saved for backward and then written by x[i] = v: PyTorch's error."""
    for M in (ember, torch):
        x = M.ones(3, requires_grad=True)
        y = x * 2
        z = y * y
        y[0] = 5.0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_iadd_through_index():
    def fn(M, x, v):
        y = x * 1
        y[1:] += v
        y[[0, 0]] += v[0]
        return y
    check(fn, make((3, 4)), make((2, 4)))


def test_setitem_overlapping_value():
    e, t = both(np.arange(6, dtype=np.float32))
    e[1:] = e[:-1].clone()
    t[1:] = t[:-1].clone()
    np.testing.assert_array_equal(e.numpy(), t.numpy())


# --- index_select / masked_select / masked_fill -----------------------------------------------
@pytest.mark.parametrize("dim,idx", [(0, [1, 0, 1]), (1, [2]), (-1, [0, 3, 3]), (1, []),
                                     (0, 1)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_index_select(dim, idx, dtype):
    a = make((2, 3, 4), dtype)
    i = np.array(idx, dtype=np.int64)
    check(lambda M, x, i: M.index_select(x, dim, i), a, i)
    check(lambda M, x, i: x.index_select(dim, i.int()), a, i)


def test_index_select_large_and_errors():
    big = make((50, 100))
    i = randint(0, 50, 200)
    check(lambda M, x, i: x.index_select(0, i), big, i)
    check(lambda M, x, i: x.index_select(1, i), big.T.copy(), i)
    check(lambda M, x, i: M.index_select(x, 0, i), make(()), np.array([0]))
    for fn, i in [(lambda M, x, i: x.index_select(1, i), np.array([3])),
                  (lambda M, x, i: x.index_select(1, i), np.array([-1])),
                  (lambda M, x, i: x.index_select(1, i), np.array([[0]])),
                  (lambda M, x, i: x.index_select(1, i), np.array([1.0])),
                  (lambda M, x, i: x.index_select(2, i), np.array([0])),
                  (lambda M, x, i: M.index_select(M.tensor(5.0), 0, i), np.array([0, 0]))]:
        check_raises(fn, make((2, 3)), i)


@pytest.mark.parametrize("xs,ms", [((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 3), (3,)),
                                   ((2, 1), (1, 3)), ((), ()), ((0, 3), (3,))])
@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_select(xs, ms, dtype):
    check(lambda M, x, m: M.masked_select(x, m), make(xs, dtype), make(ms, "bool"))
    check(lambda M, x, m: x.masked_select(m), make(xs, dtype), make(ms, "bool"))


def test_masked_select_errors():
    check_raises(lambda M, x, m: M.masked_select(x, m), make((2, 3)), make((2, 3), "int64"))
    check_raises(lambda M, x, m: M.masked_select(x, m), make((2, 3)),
                 make((2, 3), "bool").astype(np.uint8))
    check_raises(lambda M, x, m: M.masked_select(x, m), make((2, 3)), make((4,), "bool"))


@pytest.mark.parametrize("xs,ms", [((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 3), (3,)), ((), ()),
                                   ((2, 0), (2, 1))])
@pytest.mark.parametrize("value", [-1.5, 2, True, "t", "t64"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_fill(xs, ms, value, dtype):
    def v(M):
        if value == "t":
            return M.tensor(4.25)
        if value == "t64":
            return M.tensor(3)
        return value
    a, m = make(xs, dtype), make(ms, "bool")
    check(lambda M, x, m: M.masked_fill(x, m, v(M)), a, m)
    check(lambda M, x, m: x.masked_fill(m, v(M)), a, m)
    if np.broadcast_shapes(xs, ms) == xs:
        check(lambda M, x, m: x.clone().masked_fill_(m, v(M)), a, m)
    else:
        check_raises(lambda M, x, m: x.clone().masked_fill_(m, v(M)), a, m)


def test_masked_fill_value_grad():
    check(lambda M, x, m, v: x.masked_fill(m, v * 2), make((2, 3)), make((2, 3), "bool"),
          np.float32(0.5))
    gradcheck(lambda M, x, v: x.masked_fill(x > 0, v * v) ** 2, make((2, 3)), np.float64(0.7),
              gradgrad=True)


def test_masked_fill_errors():
    check_raises(lambda M, x, m: x.masked_fill(m, 0), make((2, 3)), make((2, 3)))
    check_raises(lambda M, x, m: x.masked_fill(m, M.tensor([1.0])), make((2, 3)),
                 make((2, 3), "bool"))
    check_raises(lambda M, x, m: x.masked_fill(m, 0), make((2, 3)), make((4,), "bool"))
    check_raises(lambda M, x, m: x.masked_fill(m.byte(), 0), make((2, 3)),
                 make((2, 3), "bool"))


# --- where / nonzero / argwhere ----------------------------------------------------------------
@pytest.mark.parametrize("a,b", [("f32", "f32"), ("f32", 0.0), (1, 0), (1.0, 0), ("i64", 2.5),
                                 ("i32", "i64_0d"), ("f32", "f64_0d"), ("f32", "f64"),
                                 ("bool", "bool"), ("i64", True), (0.5, "f32_col")])
def test_where(a, b):
    def arg(M, spec, x):
        if not isinstance(spec, str):
            return spec
        return {"f32": x, "f64": x.double() * 2, "i64": (x * 10).long(),
                "i32": (x * 10).int(), "i64_0d": M.tensor(5), "f64_0d": M.tensor(5.0,
                                                                                dtype=M.float64),
                "bool": x > 0, "f32_col": x[:, :1] * 3}[spec]

    def fn(M, x):
        return M.where(x > 0.2, arg(M, a, x), arg(M, b, x))
    check(fn, make((3, 4)))
    check(lambda M, x: arg(M, a, x).where(x > 0, arg(M, b, x)) if isinstance(a, str) else x,
          make((3, 4)))


def test_where_errors_and_forms():
    check_raises(lambda M, x: M.where(x, x, x), make((3,)))
    check_raises(lambda M, x: M.where(x > 0, x, M.zeros(4)), make((2, 3)))
    check(lambda M, x: M.where(x > 0), make((2, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x: M.where((x > 0).byte(), x, -x), make((2, 3)))
    gradcheck(lambda M, x, y: M.where(x > y, x * y, y * y), make((3, 4)), make((4,)),
              gradgrad=True)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 0, 3), (2, 3, 2)])
@pytest.mark.parametrize("dtype", DTYPES + ["bool"])
def test_nonzero(shape, dtype):
    a = make(shape, dtype)
    if dtype != "bool":
        a = np.asarray(a * (make(shape, "bool")))
    check(lambda M, x: M.nonzero(x), a)
    check(lambda M, x: x.nonzero(as_tuple=True), a)
    check(lambda M, x: M.argwhere(x), a)
    check(lambda M, x: x.argwhere(), a)
    check(lambda M, x: M.nonzero(x > 1), np.asarray(make(()) + 2))


# --- gather / scatter ---------------------------------------------------------------------------
@pytest.mark.parametrize("dim,ishape", [(0, (2, 3)), (1, (2, 2)), (1, (2, 5)), (-1, (1, 1)),
                                        (0, (0, 3))])
@pytest.mark.parametrize("dtype", DTYPES)
def test_gather(dim, ishape, dtype):
    a = make((3, 4), dtype)
    n = a.shape[dim]
    i = randint(0, n, *ishape)
    check(lambda M, x, i: M.gather(x, dim, i), a, i)
    check(lambda M, x, i: x.gather(dim, i.int()), a, i)
    check(lambda M, x, i: M.take_along_dim(x, i, dim), a, i) if ishape[1 - dim % 2] in (
        1, a.shape[1 - dim % 2]) else None


def test_gather_0d_and_errors():
    check(lambda M, x, i: M.gather(x, 0, i), make(()), np.array(0))
    a = make((2, 3))
    for fn, i in [(lambda M, x, i: x.gather(1, i), np.array([[0, 5]])),
                  (lambda M, x, i: x.gather(1, i), np.array([[0, -1]])),
                  (lambda M, x, i: x.gather(1, i), np.array([0, 1])),
                  (lambda M, x, i: x.gather(1, i), np.zeros((3, 2), np.int64)),
                  (lambda M, x, i: x.gather(1, i), np.zeros((2, 2))),
                  (lambda M, x, i: x.gather(2, i), np.zeros((2, 2), np.int64))]:
        check_raises(fn, a, i)


SCATTER_IDX = np.array([[0, 2], [1, 0]])


@pytest.mark.parametrize("src", ["same", "big", 5.0, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_scatter(src, dtype):
    a = make((2, 3), dtype)

    def s(M, x):
        if src == "same":
            return (x[:, :2] * 2)
        if src == "big":
            return (x.repeat(2, 2) - 1)
        return src

    g = src != "big"            # PyTorch's backward rejects a src larger than the index
    check(lambda M, x, i: M.scatter(x, 1, i, s(M, x)), a, SCATTER_IDX, grad=g)
    check(lambda M, x, i: x.scatter(0, i[:1] % 2, s(M, x)[:1] if src == "same" else s(M, x)),
          a, SCATTER_IDX, grad=g)
    check(lambda M, x, i: (x * 1).scatter_(1, i, s(M, x)), a, SCATTER_IDX, grad=g)
    if not isinstance(src, float):
        check(lambda M, x, i: M.scatter_add(x, 1, i, s(M, x) if not isinstance(src, int)
                                            else M.ones_like(x)), a, SCATTER_IDX, grad=g)


def test_scatter_value_kw_reduce_and_scatter_add_():
    check(lambda M, x, i: x.scatter(1, i, value=3.0), make((2, 3)), SCATTER_IDX)
    dup = np.array([[0, 0], [1, 1]])
    check(lambda M, x, i: x.scatter_add(1, i, x[:, :2] * 2), make((2, 3)), dup)
    check(lambda M, x, i: (x * 1).scatter_add_(1, i, x[:, :2] * 2), make((2, 3)), dup)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda M, x, i: x.scatter(1, i, x[:, :2], reduce="add"), make((2, 3)), dup,
              grad=False)
        check(lambda M, x, i: x.scatter(1, i, 2.0, reduce="multiply"), make((2, 3)), dup,
              grad=False)
    check(lambda M, x, i: M.zeros(()).scatter(0, i, x), make(()), np.array(0))


def test_scatter_errors():
    a = make((2, 3))
    i = SCATTER_IDX
    for fn in [lambda M, x, i: x.scatter(1, i, x.double()),
               lambda M, x, i: x.scatter(1, i, x[:, :1]),
               lambda M, x, i: x.scatter(1, i * 7, x),
               lambda M, x, i: x.scatter(1, i.double(), x),
               lambda M, x, i: x.scatter(1, i[0], x),
               lambda M, x, i: x.scatter_add(1, i, 1.0),
               lambda M, x, i: x.scatter(1, i, x, reduce="max"),
               lambda M, x, i: x.scatter_add(1, i, x.double())]:
        check_raises(fn, a, i)


# --- take / take_along_dim ---------------------------------------------------------------------
@pytest.mark.parametrize("ishape", [(4,), (2, 2), (), (0,)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_take(ishape, dtype):
    a = make((2, 3), dtype)
    i = randint(-6, 6, *ishape)
    check(lambda M, x, i: M.take(x, i), a, i)
    check(lambda M, x, i: x.t().take(i), a, i)


def test_take_errors():
    check_raises(lambda M, x, i: M.take(x, i), make((2, 3)), np.array([6]))
    check_raises(lambda M, x, i: M.take(x, i), make((2, 3)), np.array([-7]))
    check_raises(lambda M, x, i: M.take(x, i), make((2, 3)), np.array([1], np.int32))


def test_take_along_dim():
    a = make((3, 4))
    check(lambda M, x, i: M.take_along_dim(x, i), a, np.array([11, 0, 5]))
    check_raises(lambda M, x, i: M.take_along_dim(x, i), a, np.array([11, 0, -1]))
    check(lambda M, x, i: M.take_along_dim(x, i, 1), a, np.array([[0], [3], [-2]]))
    check(lambda M, x, i: M.take_along_dim(x, i, 1), a, np.array([[0, 1]]))
    check(lambda M, x, i: M.take_along_dim(x[:1], i, 0), a, np.array([[0], [0]]))
    check(lambda M, x, i: x.take_along_dim(i, dim=-1), a, np.array([[1, 2]]))
    check_raises(lambda M, x, i: M.take_along_dim(x, i, 0), a, np.array([[0, 1]]))
    check_raises(lambda M, x, i: M.take_along_dim(x, i, 1), a, np.array([0, 1]))
    # PyTorch reads out of bounds here without an error; ember raises
    with pytest.raises(RuntimeError, match="out of bounds"):
        ember.take_along_dim(ember.from_numpy(a), ember.tensor([[4]]), 1)


# --- index_put / index_add / index_fill / index_copy -------------------------------------------
@pytest.mark.parametrize("acc", [False, True])
def test_index_put(acc):
    a = make((3, 4))
    i0, i1 = np.array([0, 2, 0]), np.array([1, 1, 3])
    check(lambda M, x, i, j, v: M.index_put(x, (i, j), v * 2, accumulate=acc), a, i0, i1,
          make((3,)))
    check(lambda M, x, i, v: x.index_put([i], v, acc), a, i0, make((4,)))
    check(lambda M, x, i, v: (x * 1).index_put_((i,), v, accumulate=acc), a, i0, make((3, 4)))
    check(lambda M, x, m, v: x.index_put((m,), v, accumulate=acc), a, make((3, 4), "bool"),
          np.array(2.5, np.float32))
    check_raises(lambda M, x, i, v: x.index_put((i,), v, accumulate=acc), make(()),
                 np.array(0), np.array(2.5, np.float32))
    big = make((64, 80))
    i = randint(0, 64, 300)
    check(lambda M, x, i, v: x.index_put((i,), v, accumulate=acc) if acc else x, big, i,
          make((300, 80)))


def test_index_put_errors():
    a = make((3,))
    for fn, v in [(lambda M, x, v: x.index_put((M.tensor([0, 2]),), v.double()), make((2,))),
                  (lambda M, x, v: x.index_put((M.tensor([0, 2]),), v.long()), make((2,))),
                  (lambda M, x, v: x.index_put((M.tensor([0, 2]),), v), make((3,))),
                  (lambda M, x, v: x.index_put((M.tensor([0, 3]),), v), make((2,))),
                  (lambda M, x, v: x.index_put((None,), v), make((2,))),
                  (lambda M, x, v: x.index_put(M.tensor([0]), v), make((1,))),
                  (lambda M, x, v: x.index_put((M.tensor([0.0]),), v), make((1,)))]:
        check_raises(fn, a, v)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", DTYPES)
def test_index_add_fill_copy(dim, dtype):
    a = make((3, 4), dtype)
    n = a.shape[dim]
    i = np.array([0, n - 1, 0])
    src_shape = list(a.shape)
    src_shape[dim] = 3
    s = make(tuple(src_shape), dtype)
    check(lambda M, x, i, s: M.index_add(x, dim, i, s), a, i, s)
    check(lambda M, x, i, s: x.index_add(dim, i, s, alpha=2), a, i, s)
    check(lambda M, x, i, s: x.clone().index_add_(dim, i, s), a, i, s)
    check(lambda M, x, i: M.index_fill(x, dim, i, -2), a, i)
    check(lambda M, x, i: x.clone().index_fill_(dim, i, M.tensor(3)), a, i)
    u = np.array([n - 1, 0])
    s2 = s.take([0, 1], axis=dim % 2)
    check(lambda M, x, i, s: M.index_copy(x, dim, i, s), a, u, s2)
    check(lambda M, x, i, s: x.clone().index_copy_(dim, i, s), a, u, s2)


def test_index_add_large_and_value_grads():
    big = make((50, 70))
    i = randint(0, 50, 200)
    check(lambda M, x, i, s: x.index_add(0, i, s), big, i, make((200, 70)))
    check(lambda M, x, i, s: x.index_add(1, i, s), big.T.copy(), i, make((70, 200)))
    check(lambda M, x, i, v: x.index_fill(1, i, v * 2), make((2, 3)), np.array([0, 2, 0]),
          np.float32(1.5))


def test_index_add_fill_copy_errors():
    a = make((2, 3))
    i = np.array([0, 0])
    for fn in [lambda M, x, i: x.index_add(1, i, M.ones(2, 2, dtype=M.float64)),
               lambda M, x, i: x.index_add(1, i, M.ones(2, 3)),
               lambda M, x, i: x.index_add(1, i + 5, M.ones(2, 2)),
               lambda M, x, i: x.index_add(1, i, M.ones(3, 2)),
               lambda M, x, i: x.index_fill(1, i + 5, 1.0),
               lambda M, x, i: x.index_fill(1, i, M.ones(2)),
               lambda M, x, i: x.index_copy(1, i, M.ones(2, 3)),
               lambda M, x, i: x.index_copy(1, i, M.ones(2, 2, dtype=M.float64))]:
        check_raises(fn, a, i)


# --- gradients: finite differences, first and second order -------------------------------------
GRAD_FNS = [
    (lambda M, x: x[1, ::2] ** 2, ()),
    (lambda M, x: x[None, :, 1:] ** 2, ()),
    (lambda M, x: x[[0, 2, 0]] ** 2, ()),
    (lambda M, x: x[:, [1, 1]] * x[x > 0].sum(), ()),
    (lambda M, x: x[[0, 1], None, [2, 2]] ** 2, ()),
    (lambda M, x, i: x.index_select(1, i) ** 2, (np.array([2, 0, 2]),)),
    (lambda M, x, i: x.gather(1, i) ** 2, (np.array([[0, 0], [3, 1], [2, 2]]),)),
    (lambda M, x, i: M.take(x, i) ** 2, (np.array([0, -1, 0]),)),
    (lambda M, x, i: M.take_along_dim(x, i, 1) ** 2, (np.array([[1], [0], [3]]),)),
    (lambda M, x: M.masked_select(x, x > 0) ** 2, ()),
    (lambda M, x: x.masked_fill(x < 0, 0.5) ** 2, ()),
    (lambda M, x: M.where(x > 0, x, x * x), ()),
    (lambda M, x, i: x.scatter(1, i, x[:, :2] * 3) ** 2, (np.array([[0, 1], [1, 2], [3, 0]]),)),
    (lambda M, x, i: x.scatter_add(1, i, x ** 2) ** 2, (np.array([[0, 0, 1, 1]] * 3),)),
    (lambda M, x, i: x.index_add(1, i, x[:, :2] ** 2) ** 2, (np.array([3, 3]),)),
    (lambda M, x, i: x.index_fill(1, i, 0.0) ** 2, (np.array([3, 0]),)),
    (lambda M, x, i: x.index_copy(0, i, x[1:] ** 2) ** 2, (np.array([2, 0]),)),
    (lambda M, x, i: x.index_put((i,), x[0] ** 2, accumulate=True) ** 2, (np.array([1, 1]),)),
    (lambda M, x, i: x.index_put((i,), x[0] ** 2) ** 2, (np.array([1, 2]),)),
]


def _setitem_fn(M, x):
    y = x * 2
    y[1:, [0, 2]] = x[:2, :2] ** 2
    y[0] = y[0] + 3
    return y ** 2


@pytest.mark.parametrize("fn,extra", GRAD_FNS + [(_setitem_fn, ())])
def test_gradcheck(fn, extra):
    a = randn(3, 4, dtype=np.float64, seed=5)
    gradcheck(fn, a, *extra, gradgrad=True)
    check(fn, a.astype(np.float32), *extra)


# --- hypothesis: random index expressions ------------------------------------------------------
@st.composite
def index_case(draw):
    nd = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=nd, max_size=nd)))

    def item(s):
        """One index item consuming a dimension of size ``s``."""
        kinds = ["slice", "array", "list"] + (["int"] if s else [])
        k = draw(st.sampled_from(kinds))
        if k == "int":
            return draw(st.integers(-s, s - 1))
        if k == "slice":
            a = draw(st.none() | st.integers(-s - 1, s + 1))
            b = draw(st.none() | st.integers(-s - 1, s + 1))
            return slice(a, b, draw(st.none() | st.integers(1, 3)))
        n = draw(st.integers(0, 3))
        vals = draw(st.lists(st.integers(-s, s - 1), min_size=n, max_size=n)) if s else []
        arr = np.array(vals, dtype=np.int64)
        if draw(st.booleans()) and arr.size == 2:
            arr = arr.reshape(2, 1)
        return arr if k == "array" else [int(v) for v in vals] or np.array([], np.int64)

    items = []
    d = 0
    ell_at = draw(st.integers(0, nd)) if draw(st.booleans()) else None
    k_front = ell_at if ell_at is not None else draw(st.integers(0, nd))
    while d < k_front:
        if d + 2 <= k_front and draw(st.integers(0, 4)) == 0:   # a 2-D mask
            items.append(draw(_mask(shape[d:d + 2])))
            d += 2
            continue
        if draw(st.integers(0, 4)) == 0:
            items.append(draw(_mask(shape[d:d + 1])))
        else:
            items.append(item(shape[d]))
        d += 1
    if ell_at is not None:
        items.append(Ellipsis)
        back = draw(st.integers(0, nd - d))
        items.extend(item(s) for s in shape[nd - back:])
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), draw(st.sampled_from([None, None, True])))
    return shape, tuple(items)


@st.composite
def _mask(draw, shape):
    n = int(np.prod(shape))
    vals = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return np.array(vals, dtype=bool).reshape(shape)


def _torch_ok(shape, idx):
    t = torch.zeros(shape)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return t[conv(torch, idx)].shape
    except (IndexError, RuntimeError, ValueError):
        return None


@settings(max_examples=150)
@given(index_case())
def test_getitem_fuzz(case):
    shape, idx = case
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    if _torch_ok(shape, idx) is None:
        check_raises(lambda M, x: x[conv(M, idx)], a)
        return
    out_e, out_t = check(lambda M, x: x[conv(M, idx)] * 2, a)
    e, t = both(a)
    re, rt = e[conv(ember, idx)], t[conv(torch, idx)]
    same_layout(re, rt)
    is_view = rt._base is not None
    if rt.numel():
        assert np.shares_memory(re.numpy(), e.numpy()) == is_view


@settings(max_examples=150)
@given(index_case(), st.sampled_from(["scalar", "full", "row"]))
def test_setitem_fuzz(case, vkind):
    shape, idx = case
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    tshape = _torch_ok(shape, idx)
    if tshape is None:
        return
    # tensor values only where no element is written twice (PyTorch leaves the order open)
    pos = torch.arange(int(np.prod(shape))).reshape(shape)[conv(torch, idx)]
    if vkind != "scalar" and pos.unique().numel() != pos.numel():
        vkind = "scalar"
    if vkind == "scalar":
        val = np.array(-7, np.float32)
    elif vkind == "full":
        val = np.asarray(-np.arange(int(np.prod(tshape)), dtype=np.float32)
                         .reshape(tuple(tshape)) - 1)
    else:
        val = -np.arange(tshape[-1] if len(tshape) else 1, dtype=np.float32) - 1

    def fn(M, x, v):
        y = x * 1
        y[conv(M, idx)] = v * 2
        return y * y
    check(fn, a, val)


# --- masked_scatter ----------------------------------------------------------------------------
@pytest.mark.parametrize("xs,ms", [((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 3), (3,)), ((), ()),
                                   ((2, 1), (1, 3))])
@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_scatter(xs, ms, dtype):
    a, m = make(xs, dtype), make(ms, "bool")
    n = int(np.prod(np.broadcast_shapes(xs, ms)))
    src = make((n + 1,), dtype).reshape(-1)
    check(lambda M, x, m, s: M.masked_scatter(x, m, s * 2), a, m, src)
    check(lambda M, x, m, s: x.masked_scatter(m, s.reshape(1, -1)), a, m, src)
    if np.broadcast_shapes(xs, ms) == xs:
        check(lambda M, x, m, s: (x * 1).masked_scatter_(m, s), a, m, src)
    else:
        check_raises(lambda M, x, m, s: (x * 1).masked_scatter_(m, s), a, m, src)


def test_masked_scatter_errors_and_grad():
    a, m = make((2, 3)), make((2, 3), "bool")
    check_raises(lambda M, x, m, s: x.masked_scatter(m, s), a, np.ones((2, 3), bool), make((5,)))
    check_raises(lambda M, x, m, s: x.masked_scatter(m.float(), s), a, m, make((6,)))
    check_raises(lambda M, x, m, s: x.masked_scatter(m, s.double()), a, m, make((6,)))
    gradcheck(lambda M, x, s: x.masked_scatter(x > 0, s * s) ** 2, make((2, 3)), make((7,)),
              gradgrad=True)


def test_writes_through_views_reach_the_base_gradient():
    def fn(M, x):
        y = x * 1
        y[0].mul_(2)
        y[1][2] = 5.0
        y.t()[0, 1:] = x[0, :2] * 3
        y.diagonal().add_(1)
        y[:, ::2].transpose(0, 1)[1] = x[:, 0] * 7
        return y * y
    check(fn, make((3, 4)))
