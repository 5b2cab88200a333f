"""Reductions against the torch oracle: values, dtypes, shapes, gradients, errors."""
import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from tests.helpers import check, check_raises, gradcheck, randint, randn

INF = float("inf")
NAN = float("nan")

# both frameworks warn about std/var with correction >= number of elements
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")

# (shape, dims to try); dims may be None, an int, or a tuple
CASES = [
    ((), [None, 0, -1]),
    ((5,), [None, 0, -1]),
    ((3, 4), [None, 0, 1, -1, (0, 1)]),
    ((2, 3, 4), [None, 1, (0, 2), (-1, 0)]),
    ((0,), [None, 0]),
    ((2, 0, 3), [None, 1, 2, (0, 2)]),
]
SHAPE_DIM = [(s, d) for s, ds in CASES for d in ds]
SHAPE_INTDIM = [(s, d) for s, d in SHAPE_DIM if not isinstance(d, tuple)]
NONEMPTY_INTDIM = [(s, d) for s, d in SHAPE_INTDIM if 0 not in s]


def make(shape, dtype, seed=None):
    if dtype in ("float32", "float64"):
        return np.asarray(randn(*shape, dtype=np.dtype(dtype), seed=seed))
    if dtype == "bool":
        return np.asarray(randint(0, 2, *shape, seed=seed).astype(bool))
    return np.asarray(randint(-4, 5, *shape, dtype=np.dtype(dtype), seed=seed))


def distinct(shape, dtype="float32", seed=0):
    """Values without ties (so every index choice is unambiguous)."""
    n = int(np.prod(shape)) if shape else 1
    v = np.random.default_rng(seed).permutation(n).reshape(shape) - n // 2
    if dtype in ("float32", "float64"):
        v = v * 0.37 + 0.1
    return np.asarray(v).astype(dtype)


def kw(dim, **extra):
    return {"dim": dim, **extra}


# --- sum / nansum / mean / nanmean ------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", SHAPE_DIM)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_sum(shape, dim, keepdim, dtype):
    check(lambda M, x: M.sum(x, **kw(dim, keepdim=keepdim)), make(shape, dtype))
    check(lambda M, x: x.sum(**kw(dim, keepdim=keepdim)), make(shape, dtype))


@pytest.mark.parametrize("dtype", [torch.float64, torch.int32, torch.float32])
def test_sum_dtype(dtype):
    check(lambda M, x: x.sum(1, dtype=getattr(M, str(dtype)[6:])), make((3, 4), "float32"),
          grad=dtype.is_floating_point)
    check(lambda M, x: M.sum(x, dtype=getattr(M, str(dtype)[6:])), make((3, 4), "int64"))


def test_numpy_style_axis_keepdims():
    check(lambda M, x: x.sum(axis=1, keepdims=True), randn(2, 3))
    check(lambda M, x: M.mean(x, axis=(0, 1)), randn(2, 3))
    check(lambda M, x: x.max(axis=0), randn(2, 3))
    check(lambda M, x: x.std(axis=0, keepdims=True), randn(2, 3))
    check(lambda M, x: M.cumsum(x, axis=1), randn(2, 3))
    check(lambda M, x: x.argmax(axis=1), randn(2, 3))


def test_sum_positional_and_list_dims():
    check(lambda M, x: M.sum(x, 1, True), randn(2, 3, 4))
    check(lambda M, x: x.sum([0, 2]), randn(2, 3, 4))
    check(lambda M, x: x.sum(()), randn(2, 3))


@pytest.mark.parametrize("shape,dim", SHAPE_DIM)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_nansum(shape, dim, keepdim, dtype):
    x = make(shape, dtype)
    if dtype.startswith("float") and x.size:
        x.reshape(-1)[::3] = np.nan
    check(lambda M, x: M.nansum(x, **kw(dim, keepdim=keepdim)), x)


@pytest.mark.parametrize("shape,dim", SHAPE_DIM)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mean(shape, dim, keepdim, dtype):
    check(lambda M, x: M.mean(x, **kw(dim, keepdim=keepdim)), make(shape, dtype))
    check(lambda M, x: x.mean(**kw(dim, keepdim=keepdim)), make(shape, dtype))


def test_mean_dtype_and_errors():
    check(lambda M, x: x.mean(dtype=M.float32), make((3, 4), "int64"))
    check(lambda M, x: x.mean(0, dtype=M.float64), make((3, 4), "float32"))
    for dt in ("int64", "int32", "bool"):
        e, _ = check_raises(lambda M, x: x.mean(), make((3,), dt))
        assert "mean" in str(e)
        check_raises(lambda M, x: M.mean(x, 0), make((3,), dt))


@pytest.mark.parametrize("shape,dim", SHAPE_DIM)
@pytest.mark.parametrize("keepdim", [False, True])
def test_nanmean(shape, dim, keepdim):
    x = make(shape, "float64")
    if x.size:
        x.reshape(-1)[::2] = np.nan
    check(lambda M, x: M.nanmean(x, **kw(dim, keepdim=keepdim)), x)
    check(lambda M, x: x.nanmean(**kw(dim, keepdim=keepdim)), make(shape, "float32"))


def test_nanmean_errors():
    check_raises(lambda M, x: M.nanmean(x), make((3,), "int64"))
    check(lambda M, x: M.nanmean(x, dtype=M.float32), make((3,), "float64"))


# --- prod -------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", SHAPE_INTDIM)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_prod(shape, dim, keepdim, dtype):
    if dim is None:
        check(lambda M, x: M.prod(x), make(shape, dtype))
        check(lambda M, x: x.prod(dtype=M.float64), make(shape, dtype))
    else:
        check(lambda M, x: M.prod(x, dim, keepdim), make(shape, dtype))
        check(lambda M, x: x.prod(dim=dim, keepdim=keepdim), make(shape, dtype))


@pytest.mark.parametrize("zeros", [[1], [0, 3], [1, 2, 4]])
def test_prod_grad_with_zeros(zeros):
    x = randn(3, 5)
    x[1, zeros] = 0
    x[2, zeros[0]] = 0
    check(lambda M, x: x.prod(), x.copy())
    check(lambda M, x: x.prod(1), x.copy())
    check(lambda M, x: x.prod(0, keepdim=True), x.copy())
    check(lambda M, x: x.prod(-1, keepdim=True), x.copy())
    gradcheck(lambda M, x: x.prod(1), x.copy(), gradgrad=True)
    gradcheck(lambda M, x: x.prod(), x[1].copy(), gradgrad=True)


def test_prod_errors():
    check_raises(lambda M, x: M.prod(x, (0, 1)), randn(2, 3))
    check_raises(lambda M, x: M.prod(x, 2), randn(2, 3))
    check_raises(lambda M, x: M.prod(x, 1.0), randn(2, 3))


# --- max / min / amax / amin / argmax / argmin ------------------------------------------------
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_min_all(shape, dtype, fn):
    x = distinct(shape, dtype) if dtype != "bool" else make(shape, "bool")
    check(lambda M, x: getattr(M, fn)(x), x)
    check(lambda M, x: getattr(x, fn)(), x)


@pytest.mark.parametrize("shape,dim", [(s, d) for s, d in NONEMPTY_INTDIM if d is not None]
                         + [((2, 0, 3), 2), ((0, 3), 1)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("fn", ["max", "min"])
def test_max_min_dim(shape, dim, keepdim, dtype, fn):
    x = distinct(shape, dtype) if dtype != "bool" else make(shape, "bool")   # bool: ties
    out_e, out_t = check(lambda M, x: getattr(M, fn)(x, dim, keepdim), x)
    assert type(out_e).__name__ == fn and out_e.values is out_e[0]
    assert out_e.indices is out_e[1]
    check(lambda M, x: getattr(x, fn)(dim=dim, keepdim=keepdim), x)


def test_max_bool_ties_first_index():
    check(lambda M, x: x.max(1), np.array([[False, True, True], [False, False, False]]))
    check(lambda M, x: x.min(0), np.array([[True, False], [False, False]]))


def test_max_min_ties():
    x = np.array([[1., 3., 3., 2.], [5., 5., 5., 5.]], np.float32)
    for fn in ("max", "min", "amax", "amin"):
        check(lambda M, x, fn=fn: getattr(x, fn)(), x.copy())          # even split among ties
        check(lambda M, x, fn=fn: getattr(x, fn)(1), x.copy())         # dim: first index only
        check(lambda M, x, fn=fn: getattr(x, fn)(1, True), x.copy())
    x = np.array([1., NAN, 2., NAN], np.float32)
    check(lambda M, x: x.max(), x.copy())
    check(lambda M, x: x.min(0), x.copy())
    check(lambda M, x: x.argmax(), x.copy())
    check(lambda M, x: x.amax(), x.copy())


def test_max_returns_namedtuple():
    r = ember.tensor([[1., 5.], [4., 2.]]).max(1)
    v, i = r
    assert isinstance(r, tuple) and r.values is v and r.indices is i
    assert "values=" in repr(r) and "indices=" in repr(r)
    r2 = pickle.loads(pickle.dumps(r))
    assert type(r2) is type(r) and ember.equal(r2.values, v)
    assert ember.return_types.max is type(r)


def test_max_min_with_other():
    check(lambda M, x, y: M.max(x, y), randn(3, 4), randn(4))
    check(lambda M, x, y: M.min(x, y), randn(3, 4), randn(4))
    check(lambda M, x, y: x.max(y), randn(3, 4), randn(3, 1))
    check(lambda M, x, y: M.max(x, other=y), randn(3), randn(3))


@pytest.mark.parametrize("shape,dim", SHAPE_DIM)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize("fn", ["amax", "amin"])
def test_amax_amin(shape, dim, keepdim, dtype, fn):
    x = distinct(shape, dtype) if dtype != "bool" else make(shape, "bool")
    f = lambda M, x: getattr(M, fn)(x, **kw(dim, keepdim=keepdim))  # noqa: E731
    dims = () if dim is None else (dim if isinstance(dim, tuple) else (dim,))
    if 0 in shape and (dim is None or any(shape[d] == 0 for d in dims)):
        check_raises(f, x)
    else:
        check(f, x)
        check(lambda M, x: getattr(x, fn)(**kw(dim, keepdim=keepdim)), x)


@pytest.mark.parametrize("shape,dim", SHAPE_INTDIM)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "int64", "int32"])
@pytest.mark.parametrize("fn", ["argmax", "argmin"])
def test_argmax_argmin(shape, dim, keepdim, dtype, fn):
    x = distinct(shape, dtype)
    f = lambda M, x: getattr(M, fn)(x, **kw(dim, keepdim=keepdim))  # noqa: E731
    empty_dim = 0 in shape and (dim is None or shape[dim] == 0)
    if empty_dim:
        check_raises(f, x)
    else:
        check(f, x)
        check(lambda M, x: getattr(x, fn)(dim, keepdim), x)


def test_argmax_ties_and_errors():
    check(lambda M, x: x.argmax(1), np.array([[1, 3, 3], [2, 2, 0]]))
    check(lambda M, x: x.argmin(), np.array([[1, 0, 3], [0, 2, 0]]))
    check_raises(lambda M, x: x.argmax(), make((3,), "bool"))
    check_raises(lambda M, x: x.argmax((0, 1)), randn(2, 3))
    check_raises(lambda M, x: x.argmax(2), randn(2, 3))


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_aminmax(dim, keepdim):
    out_e, _ = check(lambda M, x: M.aminmax(x, dim=dim, keepdim=keepdim), distinct((3, 4)))
    assert out_e.min is out_e[0] and out_e.max is out_e[1]
    check(lambda M, x: x.aminmax(dim=dim, keepdim=keepdim), distinct((3, 4), "int64"))


def test_reduction_without_identity_errors():
    for fn in ("max", "min", "amax", "amin", "argmax", "argmin", "aminmax"):
        check_raises(lambda M, x, fn=fn: getattr(M, fn)(x), randn(0))
        check_raises(lambda M, x, fn=fn: getattr(M, fn)(x), randn(2, 0))
    for fn in ("max", "min", "argmax", "argmin", "median", "mode", "amax", "aminmax",
               "nanmedian"):
        check_raises(lambda M, x, fn=fn: getattr(M, fn)(x, dim=0), randn(0, 3))
    check(lambda M, x: x.max(1), randn(0, 3))


def test_max_min_arg_errors():
    check_raises(lambda M, x: x.max(2), randn(2, 3))
    check_raises(lambda M, x: x.max((0, 1)), randn(2, 3))
    check_raises(lambda M, x: x.max(1.0), randn(2, 3))
    check_raises(lambda M, x: x.amax((0, 0)), randn(2, 3))
    check_raises(lambda M, x: x.amax(3), randn(2, 3))
    check_raises(lambda M, x: M.max([1, 2]), randn(2, 3))


# --- std / var --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", SHAPE_DIM)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("fn", ["std", "var"])
@pytest.mark.parametrize("correction", [None, 0, 2])
def test_std_var(shape, dim, keepdim, fn, correction):
    extra = {} if correction is None else {"correction": correction}
    check(lambda M, x: getattr(M, fn)(x, **kw(dim, keepdim=keepdim, **extra)), randn(*shape))
    check(lambda M, x: getattr(x, fn)(**kw(dim, keepdim=keepdim, **extra)),
          randn(*shape, dtype=np.float64))


@pytest.mark.parametrize("fn", ["std", "var", "std_mean", "var_mean"])
def test_std_var_legacy_signatures(fn):
    check(lambda M, x: getattr(M, fn)(x, False), randn(3, 4))
    check(lambda M, x: getattr(M, fn)(x, 0, False), randn(3, 4))
    check(lambda M, x: getattr(M, fn)(x, 1, True, True), randn(3, 4))
    check(lambda M, x: getattr(M, fn)(x, [0, 1], unbiased=False), randn(3, 4))
    check(lambda M, x: getattr(M, fn)(x, dim=1, correction=0.5, keepdim=True), randn(3, 4))
    check(lambda M, x: getattr(M, fn)(x, dim=None, keepdim=True), randn(3, 4))


def test_std_var_special():
    check(lambda M, x: x.std(), np.ones(4, np.float32))          # zero std: zero grad
    check(lambda M, x: x.std(1), np.array([[1., 1.], [1., 2.]], np.float32))
    check(lambda M, x: x.var(), np.ones(1, np.float32))          # N - correction = 0
    check(lambda M, x: x.std(0), randn(1, 3))
    check(lambda M, x: x.var(correction=3), randn(2), grad=False)   # negative dof
    with pytest.warns(UserWarning, match="degrees of freedom"):
        ember.ones(1).std()
    check_raises(lambda M, x: x.std(), make((3,), "int64"))
    check_raises(lambda M, x: x.var(0), make((3,), "bool"))
    check_raises(lambda M, x: x.var(2), randn(2, 3))


# --- norm -------------------------------------------------------------------------------------
PS = [2, "fro", 1, INF, -INF, 0, 3, 0.5, -1, 1.5, 2.5]


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("shape,dim", [((), None), ((5,), None), ((5,), 0), ((3, 4), None),
                                       ((3, 4), 1), ((3, 4), (0, 1)), ((2, 3, 4), (0, 2)),
                                       ((2, 3, 4), -1), ((2, 0), 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_norm(p, shape, dim, keepdim):
    if p == "fro" and isinstance(dim, tuple) and len(dim) > 2:
        return
    f = lambda M, x: M.norm(x, p, dim, keepdim)  # noqa: E731
    if isinstance(p, float) and abs(p) == INF and 0 in shape and dim is None:
        check_raises(f, randn(*shape))
        return
    check(f, distinct(shape, "float64"), rtol=1e-5)
    check(lambda M, x: x.norm(p=p, dim=dim, keepdim=keepdim), distinct(shape, "float32"),
          rtol=1e-5)


@pytest.mark.parametrize("p", PS)
def test_norm_grad_at_zero(p):
    check(lambda M, x: x.norm(p), np.zeros(3, np.float32))
    check(lambda M, x: x.norm(p, 1), np.array([[0., 0.], [0., 2.]], np.float32))


def test_norm_other_args():
    check(lambda M, x: x.norm(dtype=M.float64), randn(3, 4))
    check(lambda M, x: M.norm(x, 2, [0, 1]), randn(3, 4))
    check(lambda M, x: M.norm(x, p="fro", dim=0), randn(3, 4))
    check(lambda M, x: x.norm(), randn(2, 3, dtype=np.float16), grad=False, rtol=1e-3)
    check(lambda M, x: x.norm(INF), np.array([-3., 1., 3.], np.float32))   # ties
    check_raises(lambda M, x: x.norm(), make((3,), "int64"))
    check_raises(lambda M, x: x.norm(p="abc"), randn(3, 3))
    check_raises(lambda M, x: x.norm(p="fro", dim=(0, 1, 2)), randn(2, 2, 2))
    check_raises(lambda M, x: x.norm(INF), randn(0))


# --- cumsum / cumprod -------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", [(s, d) for s, d in SHAPE_INTDIM if d is not None])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
@pytest.mark.parametrize("fn", ["cumsum", "cumprod"])
def test_cumsum_cumprod(shape, dim, dtype, fn):
    check(lambda M, x: getattr(M, fn)(x, dim), make(shape, dtype))
    check(lambda M, x: getattr(x, fn)(dim=dim), make(shape, dtype))


@pytest.mark.parametrize("fn", ["cumsum", "cumprod"])
def test_cum_dtype_and_errors(fn):
    check(lambda M, x: getattr(x, fn)(0, dtype=M.float64), make((4, 3), "int32"))
    check(lambda M, x: getattr(x, fn)(1, dtype=M.float64), make((4, 3), "float32"))
    check(lambda M, x: getattr(x, fn)(1, dtype=M.int32), make((4, 3), "int64"))
    check_raises(lambda M, x: getattr(x, fn)(2), randn(2, 3))
    check_raises(lambda M, x: getattr(M, fn)(x), randn(2, 3))
    check_raises(lambda M, x: getattr(x, fn)(1.0), randn(2, 3))


def test_cumsum_long_accuracy():
    check(lambda M, x: x.cumsum(0), randn(20000) + 10, rtol=1e-6)


@pytest.mark.parametrize("fn", ["cumsum", "cumprod"])
def test_cum_inplace(fn):
    def f(M, x):
        y = x * 1
        getattr(y, fn + "_")(1)
        return y
    check(f, randn(3, 4))
    check(f, make((3, 4), "int64"))


@pytest.mark.parametrize("x", [
    [2., 0., 3., 0., 5.], [0., 2., 3.], [2., 3., 0.], [0., 0., 0.], [1.5, -2., 0., 4., 3.]])
def test_cumprod_grad_with_zeros(x):
    x = np.array(x, np.float64)
    check(lambda M, x: x.cumprod(0), x.copy())
    xx = np.stack([x, x[::-1], np.arange(1., len(x) + 1)], 1)
    check(lambda M, x: x.cumprod(0), xx.copy())
    gradcheck(lambda M, x: x.cumprod(0), xx.copy(), gradgrad=True)


def test_cumprod_double_backward_with_zeros_matches_torch():
    x = np.array([[2., 0., 3., 0., 5.], [1., 2., 0., 4., 1.5]])
    g = np.random.default_rng(3).standard_normal(x.shape)
    res = []
    for M in (ember, torch):
        t = M.tensor(x, requires_grad=True)
        y = t.cumprod(1)
        (gx,) = M.autograd.grad(y, t, M.tensor(g), create_graph=True)
        (ggx,) = M.autograd.grad((gx * gx).sum(), t)
        res.append((gx.detach().numpy(), ggx.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-10)


# --- logsumexp --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", [(s, d) for s, d in SHAPE_DIM if d is not None])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_logsumexp(shape, dim, keepdim, dtype):
    check(lambda M, x: M.logsumexp(x, dim, keepdim), make(shape, dtype))
    check(lambda M, x: x.logsumexp(dim=dim, keepdim=keepdim), make(shape, dtype))


def test_logsumexp_stable_and_infinite():
    check(lambda M, x: x.logsumexp(1), np.array([[1000., 1000.], [-1000., -1001.]], np.float32))
    check(lambda M, x: x.logsumexp(0), np.array([INF, 1.], np.float32), grad=False)
    check(lambda M, x: x.logsumexp(1), np.array([[-INF, -INF], [1., 2.]], np.float32))
    check(lambda M, x: x.logsumexp(0), np.array([-INF, 2.], np.float32))
    check_raises(lambda M, x: M.logsumexp(x), randn(3))
    check_raises(lambda M, x: x.logsumexp(1), randn(3))


# --- median / nanmedian / mode ----------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (1,), (5,), (6,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_median_all(shape, dtype):
    check(lambda M, x: M.median(x), distinct(shape, dtype))
    check(lambda M, x: x.nanmedian(), distinct(shape, dtype))


def test_median_all_special():
    check(lambda M, x: x.median(), np.array([1., 3., 3., 2., 3.], np.float32))    # ties
    check(lambda M, x: x.median(), np.array([3., 3., 1., 3.], np.float32))
    check(lambda M, x: x.median(), np.array([1., NAN, 2.], np.float32))
    check(lambda M, x: x.nanmedian(), np.array([1., NAN, 2., 3.], np.float32))
    check(lambda M, x: x.nanmedian(), np.array([NAN, NAN], np.float32))
    check(lambda M, x: x.median(), np.zeros(0, np.float32))
    check_raises(lambda M, x: x.median(), make((3,), "bool"))
    check_raises(lambda M, x: x.median(0), make((3,), "bool"))


@pytest.mark.parametrize("shape,dim", [(s, d) for s, d in NONEMPTY_INTDIM if d is not None]
                         + [((2, 0, 3), 2), ((4, 6), 1)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("fn", ["median", "nanmedian", "mode"])
def test_median_mode_dim(shape, dim, keepdim, dtype, fn):
    x = distinct(shape, dtype)
    check(lambda M, x: getattr(M, fn)(x, dim, keepdim), x)
    check(lambda M, x: getattr(x, fn)(dim=dim, keepdim=keepdim), x)


def test_median_dim_nan():
    x = np.array([[1., NAN, 3.], [2., 1., 0.], [NAN, NAN, NAN], [4., NAN, NAN]], np.float32)
    check(lambda M, x: x.median(1), x.copy())
    check(lambda M, x: x.nanmedian(1), x.copy())


@pytest.mark.parametrize("x", [
    [3, 1, 2, 3, 1, 5], [[5, 5, 2, 2, 7], [0, 9, 9, 0, 1]], [4, 1, 4, 1, 0], [7], [2, 2, 2],
    [[1, 1, 1, 2, 2, 2], [3, 1, 2, 0, 5, 4]]])
def test_mode_ties(x):
    x = np.array(x)
    check(lambda M, x: x.mode(), x)
    check(lambda M, x: x.mode(0, True), x)
    check(lambda M, x: x.mode(), x.astype(np.float32))
    check(lambda M, x: x.mode(), (x % 2).astype(bool))


def test_mode_default_dim():
    check(lambda M, x: M.mode(x), np.array([[3., 1.], [3., 3.]], np.float32))
    check(lambda M, x: x.mode(), np.array(4.0, np.float32))


# --- count_nonzero ----------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", SHAPE_DIM)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_count_nonzero(shape, dim, dtype):
    x = make(shape, dtype)
    if dtype != "bool" and x.size:
        x.reshape(-1)[::2] = 0
    check(lambda M, x: M.count_nonzero(x, **kw(dim)), x)
    check(lambda M, x: x.count_nonzero(**kw(dim)), x)


def test_count_nonzero_errors():
    check_raises(lambda M, x: x.count_nonzero((1, -1)), randn(2, 3))
    check_raises(lambda M, x: x.count_nonzero(2), randn(2, 3))


# --- dims: errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["sum", "mean", "nansum", "std", "var", "logsumexp",
                                "count_nonzero", "amax", "amin", "nanmean"])
def test_bad_dims(fn):
    check_raises(lambda M, x: getattr(M, fn)(x, 2), randn(2, 3))
    check_raises(lambda M, x: getattr(M, fn)(x, -3), randn(2, 3))
    check_raises(lambda M, x: getattr(M, fn)(x, (0, 0)), randn(2, 3))
    check_raises(lambda M, x: getattr(M, fn)(x, (1, -1)), randn(2, 3))
    check_raises(lambda M, x: getattr(M, fn)(x, 1), np.array(1.0, np.float32))


def test_int_dim_ops_bad_dims():
    for fn in ("max", "min", "argmax", "median", "mode", "cumsum", "cumprod", "prod",
               "nanmedian"):
        check_raises(lambda M, x, fn=fn: getattr(M, fn)(x, 2), randn(2, 3))
        check_raises(lambda M, x, fn=fn: getattr(M, fn)(x, -3), randn(2, 3))


# --- gradcheck (float64 finite differences, second order) -------------------------------------
# linear and piecewise-linear reductions are applied to x * x so that the second derivative
# checked by gradgradcheck is not trivially zero (x * x is still tie-free for ``distinct``)
GRAD_FNS = {
    "sum": lambda M, x: (x * x).sum(1),
    "sum_all": lambda M, x: (x * x).sum(),
    "nansum": lambda M, x: (x * x).nansum((0, 1), keepdim=True),
    "mean": lambda M, x: (x * x).mean(0),
    "mean_tuple": lambda M, x: (x * x).mean((0, 1)),
    "nanmean": lambda M, x: (x * x).nanmean(1),
    "prod": lambda M, x: x.prod(1),
    "prod_all": lambda M, x: x.prod(),
    "amax": lambda M, x: (x * x).amax(1),
    "amin": lambda M, x: (x * x).amin((0, 1)),
    "max_all": lambda M, x: (x * x).max(),
    "max_dim": lambda M, x: (x * x).max(1).values,
    "min_dim": lambda M, x: (x * x).min(0, keepdim=True)[0],
    "std": lambda M, x: x.std(1),
    "std_all": lambda M, x: x.std(),
    "var": lambda M, x: x.var(0, correction=0),
    "var_mean": lambda M, x: M.var_mean(x, 1),
    "std_mean": lambda M, x: M.std_mean(x, (0, 1)),
    "norm2": lambda M, x: x.norm(),
    "norm2_dim": lambda M, x: x.norm(dim=1),
    "norm1": lambda M, x: x.norm(1, 0),
    "norm3": lambda M, x: x.norm(3, 1),
    "norm_half": lambda M, x: x.norm(0.5),
    "norm_1.5": lambda M, x: x.norm(1.5, 1),
    "norm_neg": lambda M, x: x.norm(-2, 1),
    "norm_inf": lambda M, x: (x * x * x).norm(INF, 1),
    "norm_neginf": lambda M, x: (x * x * x).norm(-INF),
    "cumsum": lambda M, x: (x * x).cumsum(1),
    "cumprod": lambda M, x: x.cumprod(0),
    "logsumexp": lambda M, x: (x * x).logsumexp(1),
    "median_all": lambda M, x: (x * x).median(),
    "median_dim": lambda M, x: (x * x).median(1).values,
    "nanmedian_dim": lambda M, x: (x * x).nanmedian(0).values,
    "mode": lambda M, x: (x * x).mode(1).values,
    "aminmax": lambda M, x: M.aminmax(x * x, dim=0),
}


@pytest.mark.parametrize("name", sorted(GRAD_FNS))
def test_gradcheck(name):
    gradcheck(GRAD_FNS[name], distinct((3, 4), "float64", seed=1) * 0.5, gradgrad=True)


# --- hypothesis -------------------------------------------------------------------------------
@st.composite
def shape_and_dims(draw, tuple_dims=True):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    nd = len(shape)
    if nd == 0:
        return shape, draw(st.sampled_from([None, 0, -1]))
    kind = draw(st.sampled_from(["none", "int", "tuple"] if tuple_dims else ["none", "int"]))
    if kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-nd, nd - 1))
    dims = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    return shape, tuple(d - nd if draw(st.booleans()) else d for d in dims)


@given(shape_and_dims(), st.booleans(), st.sampled_from(["sum", "mean", "std", "var", "nansum",
                                                          "logsumexp", "count_nonzero",
                                                          "norm"]))
def test_hypothesis_reductions(sd, keepdim, fn):
    shape, dim = sd
    x = np.asarray(randn(*shape, seed=len(shape)))
    if fn == "logsumexp":
        if dim is None:
            dim = tuple(range(len(shape))) or 0
        check(lambda M, x: x.logsumexp(dim, keepdim), x)
    elif fn == "count_nonzero":
        check(lambda M, x: x.count_nonzero(**kw(dim)), x)
    elif fn == "norm":
        check(lambda M, x: x.norm(3, dim, keepdim), x, rtol=1e-4)
    else:
        check(lambda M, x: getattr(x, fn)(**kw(dim, keepdim=keepdim)), x, rtol=1e-4,
              atol=1e-5)


@given(shape_and_dims(), st.booleans(), st.sampled_from(["amax", "amin", "max", "argmin",
                                                          "prod", "cumsum", "cumprod",
                                                          "median"]))
def test_hypothesis_selections(sd, keepdim, fn):
    shape, dim = sd
    x = distinct(shape, "float32", seed=len(shape))
    if fn in ("amax", "amin"):
        f = lambda M, x: getattr(x, fn)(**kw(dim, keepdim=keepdim))  # noqa: E731
    else:
        if isinstance(dim, tuple):
            dim = dim[0]
        if fn in ("cumsum", "cumprod"):
            if dim is None:
                dim = 0
            f = lambda M, x: getattr(x, fn)(dim)  # noqa: E731
        elif dim is None:
            f = lambda M, x: getattr(x, fn)()  # noqa: E731
        else:
            f = lambda M, x: getattr(x, fn)(dim, keepdim)  # noqa: E731
    try:
        f(torch, torch.from_numpy(x.copy()))
    except (RuntimeError, IndexError):
        check_raises(f, x)
        return
    check(f, x, rtol=1e-4, atol=1e-5)
