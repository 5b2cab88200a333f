"""Reductions over all elements or over ``dim`` (with ``keepdim``): sums, means, products,
extremes, variance, norms, cumulative sums and products, medians and modes.

Forwards are whole-array NumPy calls. Backwards are written with ember ops so that double
backward works; where a gradient depends on the data only through a piecewise-constant
choice (which element is the maximum, where the zeros are), the choice is made in forward
with NumPy and enters backward as a constant mask. Value-selecting reductions (max/min
with ``dim``, median, mode, and in ``comparison``: sort, topk, kthvalue) send their
gradient back through the private ``_Scatter``/``_Gather`` pair, each the other's
backward.
"""
import collections
import functools
import operator
import types
import warnings

import numpy as np

from .._dtype import as_dtype
from .._tensor import Tensor, _norm_dim, _wrap
from ..autograd.grad_mode import _state
from ..backend.cpu import quiet as _quiet
from ._dispatch import FLOAT, OUT, Op, apply, inplace

__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin",
           "argmax", "argmin", "aminmax", "std", "var", "std_mean", "var_mean", "norm",
           "cumsum", "cumprod", "logsumexp", "median", "nanmedian", "mode", "count_nonzero",
           "return_types"]

_builtin_max = max
_inf = float("inf")


# --- named result tuples (PyTorch's torch.return_types) ---------------------------------------
def _structseq(name, fields):
    cls = collections.namedtuple(name, fields)
    cls.__module__ = __name__
    cls.__qualname__ = "return_types." + name
    cls.__doc__ = f"Result of ``ember.{name}``: a tuple with fields {', '.join(fields)}."

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"ember.return_types.{name}(\n{body})"

    cls.__repr__ = __repr__
    return cls


return_types = types.SimpleNamespace(**{
    n: _structseq(n, ("values", "indices"))
    for n in ("max", "min", "median", "nanmedian", "mode", "kthvalue", "topk", "sort")})
return_types.aminmax = _structseq("aminmax", ("min", "max"))


# --- shared helpers ---------------------------------------------------------------------------
def _dims(dim, ndim):
    """Normalise ``dim`` (None, int or sequence) to a sorted tuple of axes, or None (all).

    A 0-d tensor accepts dim 0 / -1 like PyTorch; it reduces to None (nothing to reduce)."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        out = tuple(sorted(_norm_dim(operator.index(d), ndim) for d in dim))
        for a, b in zip(out, out[1:]):
            if a == b:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    else:
        out = (_norm_dim(operator.index(dim), ndim),)
    return out if ndim else None


def _int_dim(dim, ndim, fname):
    """A single ``dim`` argument (an int, as PyTorch requires), wrapped into range."""
    if isinstance(dim, (bool, float)) or not hasattr(dim, "__index__"):
        raise TypeError(f"{fname}(): argument 'dim' must be int, not {type(dim).__name__}")
    return _norm_dim(operator.index(dim), ndim)


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's ``shape``."""
    return _keep(g, shape, dims, keepdim).expand(shape)


def _keep(g, shape, dims, keepdim):
    """A reduced result ``g`` (Tensor) reshaped to its keepdim shape (broadcasts with input)."""
    if keepdim:
        return g
    if dims is None:
        return g.reshape((1,) * len(shape))
    for d in dims:
        g = g.unsqueeze(d)
    return g


def _keep_np(a, shape, dims, keepdim):
    """``_keep`` for NumPy arrays."""
    if keepdim:
        return a
    if dims is None:
        return np.reshape(a, (1,) * len(shape))
    return np.expand_dims(a, dims)


def _count(shape, dims):
    """Number of elements reduced into each output element."""
    if dims is None:
        n = 1
        for s in shape:
            n *= s
        return n
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _out_dtype(x, dtype):
    """Accumulating dtype of sum/prod/cumsum: ``dtype``, or int64 for integers and bool."""
    if dtype is not None:
        return as_dtype(dtype).np
    if x.dtype.kind in "biu":
        return np.dtype(np.int64)
    return x.dtype


def _check_nonempty(x, dims, name):
    """PyTorch's errors for reductions without identity (max, argmax ...) over no elements."""
    if x.size:
        return
    if dims is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _ties_weight(x, value_k, nan_aware):
    """Mask of the elements equal to the selected value (NaN matching NaN when
    ``nan_aware``); with :func:`_share`, the gradient of a reduction whose ties share it."""
    mask = x == value_k
    if nan_aware and x.dtype.kind == "f":
        mask |= np.isnan(x) & np.isnan(value_k)
    return mask


def _share(mask, dims, dtype):
    """``mask`` divided by its count per reduced slice, as ``dtype``."""
    cnt = mask.sum(axis=dims, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (mask / cnt).astype(dtype, copy=False)


def _float_only(x, fname, dtype=None):
    kind = as_dtype(dtype).np.kind if dtype is not None else x._data.dtype.kind
    if kind not in "fc":
        got = as_dtype(dtype) if dtype is not None else x.dtype
        raise RuntimeError(f"{fname}(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: {got._legacy[:-6]}")


def _check_tensor(x, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _no_bool(x, fname):
    if x._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{fname}_cpu\" not implemented for 'Bool'")


def _np_names(f):
    """Accept NumPy's ``axis=`` / ``keepdims=`` for ``dim=`` / ``keepdim=``, as PyTorch does."""
    @functools.wraps(f)
    def g(*args, **kw):
        if kw:
            if "axis" in kw:
                kw["dim"] = kw.pop("axis")
            if "keepdims" in kw:
                kw["keepdim"] = kw.pop("keepdims")
        return f(*args, **kw)
    return g


# --- gather / scatter along a dim (the gradient of value-selecting ops) -----------------------
def _along(shape, idx, d):
    """The fancy-index key that picks ``idx`` along axis ``d`` of an array of ``shape``
    (``idx`` broadcasts over the other axes): ``np.take_along_axis`` without its overhead."""
    nd = len(shape)
    if nd == 1:
        return idx
    key = []
    for ax in range(nd):
        if ax == d:
            key.append(idx)
        else:
            s = [1] * nd
            s[ax] = shape[ax]
            key.append(np.arange(shape[ax]).reshape(s))
    return tuple(key)


def _take_along(a, idx, d):
    return a[_along(a.shape, idx, d)]


def _rev(a, d):
    """``a`` reversed along axis ``d`` (a view)."""
    return a[(slice(None),) * d + (slice(None, None, -1),)]


class _Gather(Op):
    """``take_along_axis(x, idx, dim)`` with a constant index array."""
    opname = "gather_along"
    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, idx, dim):
        ctx.shape, ctx.idx, ctx.dim = x.shape, idx, dim
        return _take_along(x, idx, dim)

    @staticmethod
    def backward(ctx, g):
        return _scatter(g, ctx.idx, ctx.dim, ctx.shape)


class _Scatter(Op):
    """Zeros of ``shape`` with ``g`` written at ``idx`` along ``dim`` (indices distinct
    along ``dim``, as they are for every selection that uses it)."""
    opname = "scatter_along"
    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, g, idx, dim, shape):
        ctx.idx, ctx.dim = idx, dim
        out = np.zeros(shape, g.dtype)
        if g.size:
            out[_along(shape, idx, dim)] = g
        return out

    @staticmethod
    def backward(ctx, g):
        return _gather(g, ctx.idx, ctx.dim)


def _const(a):
    """A constant tensor (no history) for a NumPy array or scalar: masks and weights that
    enter a backward formula."""
    return _wrap(np.asarray(a))


def _gather(x, idx, dim):
    return apply(_Gather, (x,), {"idx": idx, "dim": dim})


def _scatter(g, idx, dim, shape):
    return apply(_Scatter, (g,), {"idx": idx, "dim": dim, "shape": shape})


# --- sums and means ---------------------------------------------------------------------------
class Sum(Op):
    complex_autograd = True

    @staticmethod
    @_quiet
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        dims = _dims(dim, x.ndim)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if dim is not None:
            ctx._node_name = "SumBackward1"      # PyTorch's name for the dim overload
        if dtype is None and x.dtype.kind == "f":
            return x.sum(axis=dims, keepdims=keepdim)
        return x.sum(axis=dims, dtype=_out_dtype(x, dtype), keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)


@_np_names
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints). Integers and bool
    sum to int64.

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]]).sum(dim=0)
    tensor([4, 6])
    """
    return apply(Sum, (input,), {"dim": dim, "keepdim": keepdim, "dtype": dtype})


class NanSum(Op):
    opname = "nansum"

    @staticmethod
    @_quiet
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        dims = _dims(dim, x.ndim)
        npdt = _out_dtype(x, dtype)
        if x.dtype.kind != "f":
            return x.sum(axis=dims, dtype=npdt, keepdims=keepdim)
        if ctx.needs_input_grad:
            ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
            ctx.mask = ~np.isnan(x)
        return np.nansum(x, axis=dims, keepdims=keepdim, dtype=npdt)

    @staticmethod
    def backward(ctx, g):
        return _keep(g, ctx.shape, ctx.dims, ctx.keepdim) * _const(ctx.mask)


@_np_names
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero.

    >>> import ember
    >>> ember.tensor([1., float('nan'), 2.]).nansum()
    tensor(3.)
    """
    return apply(NanSum, (input,), {"dim": dim, "keepdim": keepdim, "dtype": dtype})


class Mean(Op):
    complex_autograd = True

    @staticmethod
    @_quiet
    def forward(ctx, x, dim=None, keepdim=False):
        dims = _dims(dim, x.ndim)
        n = _count(x.shape, dims)
        ctx.shape, ctx.dims, ctx.keepdim, ctx.n = x.shape, dims, keepdim, n
        if n == 0:
            s = x.sum(axis=dims, keepdims=keepdim)
            return np.full(np.shape(s), np.nan, x.dtype)
        if x.dtype == np.float16:
            return x.mean(axis=dims, keepdims=keepdim)
        return x.sum(axis=dims, keepdims=keepdim) / n

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g / ctx.n, ctx.shape, ctx.dims, ctx.keepdim)


@_np_names
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or over ``dim``; floating point input (or ``dtype``) only.

    >>> import ember
    >>> ember.tensor([[1., 2.], [3., 5.]]).mean(1)
    tensor([1.5000, 4.0000])
    """
    _check_tensor(input, "mean")
    _float_only(input, "mean", dtype)
    if dtype is not None:
        input = input.to(dtype)
    return apply(Mean, (input,), {"dim": dim, "keepdim": keepdim})


class NanMean(Op):
    opname = "nanmean"

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        dims = _dims(dim, x.ndim)
        mask = ~np.isnan(x)
        cnt = mask.sum(axis=dims, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (np.nansum(x, axis=dims, keepdims=True) / cnt).astype(x.dtype, copy=False)
            if ctx.needs_input_grad:
                ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
                ctx.w = (mask / cnt).astype(x.dtype, copy=False)
        if not keepdim:
            out = out.reshape(()) if dims is None else out.squeeze(dims)
        return out

    @staticmethod
    def backward(ctx, g):
        return _keep(g, ctx.shape, ctx.dims, ctx.keepdim) * _const(ctx.w)


@_np_names
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over the non-NaN elements (NaN where all are NaN).

    >>> import ember
    >>> ember.tensor([1., float('nan'), 3.]).nanmean()
    tensor(2.)
    """
    _check_tensor(input, "nanmean")
    kind = as_dtype(dtype).np.kind if dtype is not None else input._data.dtype.kind
    if kind != "f":
        got = as_dtype(dtype) if dtype is not None else input.dtype
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {got._legacy[:-6]}")
    if dtype is not None:
        input = input.to(dtype)
    return apply(NanMean, (input,), {"dim": dim, "keepdim": keepdim})


# --- products ---------------------------------------------------------------------------------
class Prod(Op):
    save = (0, OUT)

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        d = None if dim is None or x.ndim == 0 else dim
        ctx.d, ctx.keepdim = d, keepdim
        if ctx.needs_input_grad:
            ctx.zeros = bool((x == 0).any())
        return x.prod(axis=d, dtype=_out_dtype(x, dtype), keepdims=keepdim and d is not None)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape = x._data.shape
        if not shape:
            return g
        dims = None if ctx.d is None else (ctx.d,)
        keep = ctx.keepdim and dims is not None
        gk = _keep(g, shape, dims, keep)
        if not ctx.zeros:
            return gk * _keep(out, shape, dims, keep) / x
        if ctx.d is None:
            return gk * _exclusive_prod(x.reshape(-1), 0).reshape(shape)
        return gk * _exclusive_prod(x, ctx.d)


def _exclusive_prod(x, d):
    """``prod_{j != k} x_j`` along ``d`` for every ``k``, without division (x may hold
    zeros): exclusive cumulative products from the left and from the right. Ember ops,
    so it is differentiable."""
    n = x._data.shape[d]
    shape1 = [1] * x._data.ndim
    shape1[d] = n
    k = np.arange(n).reshape(shape1)
    roll = (k - 1) % n              # shift right by one (a permutation)
    flip = n - 1 - k
    first = _const(k == 0)
    rest = _const(k != 0)

    def shifted(c):                 # [1, c_0, ..., c_{n-2}]
        return _gather(c, roll, d) * rest + first

    left = shifted(x.cumprod(d))
    right = _gather(shifted(_gather(x, flip, d).cumprod(d)), flip, d)
    return left * right


@_np_names
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or over one ``dim``. Integers and bool give int64.

    >>> import ember
    >>> ember.tensor([[1., 2.], [3., 4.]]).prod(1)
    tensor([ 2., 12.])
    """
    _check_tensor(input, "prod")
    if dim is not None:
        dim = _int_dim(dim, input._data.ndim, "prod")
    return apply(Prod, (input,), {"dim": dim, "keepdim": keepdim, "dtype": dtype})


# --- cumulative sums and products -------------------------------------------------------------
def _cum(fn, x, d, npdt):
    """``fn`` (cumsum/cumprod) along ``d``; float32/float16 accumulate in float64 like
    PyTorch's CPU kernels, so long scans stay accurate."""
    if npdt.kind == "f" and npdt.itemsize < 8:
        return fn(x, axis=d, dtype=np.float64).astype(npdt)
    return fn(x, axis=d, dtype=npdt)


class Cumsum(Op):
    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        npdt = _out_dtype(x, dtype)
        if x.ndim == 0:
            ctx.d = None
            return x.astype(npdt, copy=True)
        ctx.d = dim
        return _cum(np.cumsum, x, dim, npdt)

    @staticmethod
    def backward(ctx, g):
        if ctx.d is None:
            return g
        return apply(_RevCumsum, (g,), {"dim": ctx.d})


class _RevCumsum(Op):
    """Cumulative sum from the end (the gradient of cumsum; its own gradient is cumsum)."""
    opname = "reverse_cumsum"
    node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, g, dim):
        ctx.d = dim
        return _rev(_cum(np.cumsum, _rev(g, dim), dim, g.dtype), dim)

    @staticmethod
    def backward(ctx, g):
        return cumsum(g, ctx.d)


@_np_names
def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``. Integers and bool give int64.

    >>> import ember
    >>> ember.tensor([1, 2, 3]).cumsum(0)
    tensor([1, 3, 6])
    """
    _check_tensor(input, "cumsum")
    dim = _int_dim(dim, input._data.ndim, "cumsum")
    return apply(Cumsum, (input,), {"dim": dim, "dtype": dtype})


class Cumprod(Op):
    save = (0, OUT)

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        npdt = _out_dtype(x, dtype)
        if x.ndim == 0:
            ctx.d = None
            return x.astype(npdt, copy=True)
        ctx.d = dim
        if ctx.needs_input_grad:
            ctx.zeros = bool((x == 0).any())
        return _cum(np.cumprod, x, dim, npdt)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        d = ctx.d
        if d is None or x._data.shape[d] <= 1:
            return g
        if not ctx.zeros:
            return apply(_RevCumsum, (g * y,), {"dim": d}) / x
        if not _state.enabled:
            return _const(_cumprod_grad_np(x._data, g._data, d))
        return _cumprod_grad_graph(x, g, d)


def _revcumsum_np(a, d):
    return _rev(np.cumsum(_rev(a, d), axis=d), d)


def _cumprod_grad_np(x, g, d):
    """Gradient of cumprod with zeros in ``x`` (first order, NumPy). With ``z`` the first
    zero of a slice: positions before it get ``revcumsum(g*y)/x``; the zero itself gets
    ``revcumsum(g*y')`` where ``y'`` is the cumprod with that zero replaced by one; later
    positions get zero (every product through them holds the zero)."""
    dt = np.result_type(x.dtype, g.dtype)
    iz = x == 0
    c = np.cumsum(iz, axis=d)
    before = c == 0
    first = iz & (c == 1)
    y = np.cumprod(x, axis=d, dtype=dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = _revcumsum_np(g * y, d) / np.where(iz, 1, x)
    y2 = np.cumprod(np.where(first, 1, x), axis=d, dtype=dt)
    t2 = _revcumsum_np(g * y2, d)
    return np.where(before, t1, np.where(first, t2, 0)).astype(dt, copy=False)


def _cumprod_grad_graph(x, g, d):
    """Gradient of cumprod with zeros, as an ember-op graph (used when building a graph for
    double backward): ``grad_k = sum_{i>=k} g_i * prod_{j<=i, j!=k} x_j`` through an
    ``n x n`` matrix per slice, like PyTorch's O(n^2) differentiable path."""
    xt = x.transpose(d, -1)
    gt = g.transpose(d, -1)
    n = xt._data.shape[-1]
    eye = np.eye(n, dtype=bool)
    xk = xt.unsqueeze(-2) * _const(~eye) + _const(eye)        # row k: x with x_k -> 1
    upper = _const(np.triu(np.ones((n, n), dtype=bool)))      # [k, i]: i >= k
    grad = (xk.cumprod(-1) * gt.unsqueeze(-2) * upper).sum(-1)
    return grad.transpose(d, -1)


@_np_names
def cumprod(input, dim, *, dtype=None):
    """Cumulative product along ``dim`` (gradient correct with zeros in the input).

    >>> import ember
    >>> ember.tensor([1., 2., 3.]).cumprod(0)
    tensor([1., 2., 6.])
    """
    _check_tensor(input, "cumprod")
    dim = _int_dim(dim, input._data.ndim, "cumprod")
    return apply(Cumprod, (input,), {"dim": dim, "dtype": dtype})


def _cumsum_(self, dim, *, dtype=None):
    dim = _int_dim(dim, self._data.ndim, "cumsum_")
    return inplace(Cumsum, self, dim=dim, dtype=dtype)


def _cumprod_(self, dim, *, dtype=None):
    dim = _int_dim(dim, self._data.ndim, "cumprod_")
    return inplace(Cumprod, self, dim=dim, dtype=dtype)


# --- extremes ---------------------------------------------------------------------------------
def _extreme_op(name, fn, node, nan_aware):
    """amax/amin (and max()/min() over everything): ties share the gradient evenly."""

    def forward(ctx, x, dim=None, keepdim=False):
        dims = _dims(dim, x.ndim)
        _check_nonempty(x, dims, name)
        out = fn(x, axis=dims, keepdims=keepdim)
        if ctx.needs_input_grad:
            ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
            mask = _ties_weight(x, _keep_np(out, x.shape, dims, keepdim), nan_aware)
            ctx.w = _share(mask, dims, x.dtype)
        return out

    def backward(ctx, g):
        return _keep(g, ctx.shape, ctx.dims, ctx.keepdim) * _const(ctx.w)

    return type(name.capitalize() + "All" if nan_aware else name.capitalize(), (Op,), {
        "opname": name, "node_name": node, "forward": staticmethod(forward),
        "backward": staticmethod(backward)})


Amax = _extreme_op("amax", np.ndarray.max, "AmaxBackward0", False)
Amin = _extreme_op("amin", np.ndarray.min, "AminBackward0", False)
MaxAll = _extreme_op("max", np.ndarray.max, "MaxBackward1", True)
MinAll = _extreme_op("min", np.ndarray.min, "MinBackward1", True)


def _select_op(name, select, node, values=None):
    """An op returning ``(values, indices)`` along one dim; the gradient goes to the
    selected index only. ``select(x, dim, **kw)`` gives the keepdim-shaped indices;
    ``values(x, axis=, keepdims=True)``, when given, computes the values directly."""

    def forward(ctx, x, dim, keepdim=False, **kw):
        ctx.shape = x.shape
        if x.ndim == 0:
            return x.copy(), np.zeros((), np.int64)
        idx = select(x, dim, **kw).astype(np.int64, copy=False)
        vals = _take_along(x, idx, dim) if values is None else values(x, axis=dim,
                                                                       keepdims=True)
        if ctx.needs_input_grad:
            ctx.idx, ctx.dim, ctx.keepdim = idx, dim, keepdim
        if not keepdim:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        return vals, idx

    def backward(ctx, g, _gi=None):
        if not ctx.shape:
            return g
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        return _scatter(g, ctx.idx, ctx.dim, ctx.shape)

    cls = type(name.capitalize() + "Dim", (Op,), {
        "opname": name + "_dim", "node_name": node, "forward": staticmethod(forward),
        "backward": staticmethod(backward)})
    return cls


def _sel_max(x, d):
    _check_nonempty(x, (d,), "max")
    return x.argmax(axis=d, keepdims=True)


def _sel_min(x, d):
    _check_nonempty(x, (d,), "min")
    return x.argmin(axis=d, keepdims=True)


MaxDim = _select_op("max", _sel_max, "MaxBackward0", np.ndarray.max)
MinDim = _select_op("min", _sel_min, "MinBackward0", np.ndarray.min)


def _max_min(name, all_op, dim_op, input, dim, keepdim, other):
    _check_tensor(input, name)
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        from . import elementwise
        return getattr(elementwise, "maximum" if name == "max" else "minimum")(input, other)
    if dim is None:
        return apply(all_op, (input,), {})
    d = _int_dim(dim, input._data.ndim, name)
    v, i = apply(dim_op, (input,), {"dim": d, "keepdim": keepdim})
    return getattr(return_types, name)(v, i)


@_np_names
def max(input, dim=None, keepdim=False, *, other=None):
    """``max(input)``: the largest element (NaN if any). ``max(input, dim, keepdim=False)``:
    a named tuple ``(values, indices)`` along ``dim``. ``max(input, other)``: element-wise
    maximum.

    >>> import ember
    >>> ember.tensor([[1, 5], [4, 2]]).max(1)
    ember.return_types.max(
    values=tensor([5, 4]),
    indices=tensor([1, 0]))
    """
    return _max_min("max", MaxAll, MaxDim, input, dim, keepdim, other)


@_np_names
def min(input, dim=None, keepdim=False, *, other=None):
    """Like :func:`max`, for the smallest element."""
    return _max_min("min", MinAll, MinDim, input, dim, keepdim, other)


@_np_names
def amax(input, dim=(), keepdim=False):
    """Largest element over ``dim`` (int or tuple; all when empty); ties share the gradient.

    >>> import ember
    >>> ember.tensor([[1, 5], [4, 2]]).amax(0)
    tensor([4, 5])
    """
    return apply(Amax, (input,), {"dim": dim, "keepdim": keepdim})


@_np_names
def amin(input, dim=(), keepdim=False):
    """Smallest element over ``dim`` (int or tuple; all when empty)."""
    return apply(Amin, (input,), {"dim": dim, "keepdim": keepdim})


@_np_names
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over all elements or over ``dim``, as a named tuple."""
    _check_tensor(input, "aminmax")
    if dim is not None:
        dim = _int_dim(dim, input._data.ndim, "aminmax")
    x = input._data
    if x.size == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if dim is not None and x.ndim and x.shape[dim] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {dim} to have non-zero size.")
    return return_types.aminmax(amin(input, () if dim is None else dim, keepdim),
                                amax(input, () if dim is None else dim, keepdim))


def _arg_op(name, fn):
    def forward(ctx, x, dim=None, keepdim=False):
        if x.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            if x.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            r = np.int64(fn(x))
            return np.full((1,) * x.ndim, r) if keepdim else np.asarray(r)
        if x.ndim == 0:
            return np.zeros((), np.int64)
        _check_nonempty(x, (dim,), name)
        return fn(x, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)

    return type(name.capitalize(), (Op,), {"opname": name, "differentiable": False,
                                           "forward": staticmethod(forward)})


ArgMax = _arg_op("argmax", np.ndarray.argmax)
ArgMin = _arg_op("argmin", np.ndarray.argmin)


@_np_names
def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when ``dim`` is None; the
    first one among ties).

    >>> import ember
    >>> ember.tensor([[1, 5], [4, 2]]).argmax()
    tensor(1)
    """
    _check_tensor(input, "argmax")
    if dim is not None:
        dim = _int_dim(dim, input._data.ndim, "argmax")
    return apply(ArgMax, (input,), {"dim": dim, "keepdim": keepdim})


@_np_names
def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    _check_tensor(input, "argmin")
    if dim is not None:
        dim = _int_dim(dim, input._data.ndim, "argmin")
    return apply(ArgMin, (input,), {"dim": dim, "keepdim": keepdim})


# --- variance and standard deviation ----------------------------------------------------------
def _moments(x, dims, correction, keepdim, fname):
    """``(var, mean)``: two passes, float16 computed in float32."""
    xc = x.astype(np.float32) if x.dtype == np.float16 else x
    n = _count(x.shape, dims)
    if n - correction <= 0:
        warnings.warn(f"{fname}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=4)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = xc.sum(axis=dims, keepdims=True) / n
        dev = xc - m
        dev *= dev
        ss = dev.sum(axis=dims, keepdims=keepdim)
        var = ss / _builtin_max(n - correction, 0)
    return var.astype(x.dtype, copy=False), m


def _var_grad(ctx, x, gk):
    """``g * 2 (x - mean) / (N - correction)`` for a keepdim-shaped ``gk``."""
    dof = ctx.n - ctx.correction
    factor = 2.0 / dof if dof > 0 else _inf
    if _state.enabled:       # building a graph for double backward: mean depends on x
        m = x.mean(ctx.dims, keepdim=True)
    else:
        m = _const(ctx.mean.astype(x._data.dtype, copy=False))
    return gk * factor * (x - m)


class Var(Op):
    save = (0,)

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        dims = _dims(dim, x.ndim)
        var, m = _moments(x, dims, correction, keepdim, "var")
        if ctx.needs_input_grad:
            ctx.shape, ctx.dims, ctx.keepdim, ctx.mean = x.shape, dims, keepdim, m
            ctx.n, ctx.correction = _count(x.shape, dims), correction
        return var

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _var_grad(ctx, x, _keep(g, ctx.shape, ctx.dims, ctx.keepdim))


class Std(Op):
    save = (0, OUT)

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        dims = _dims(dim, x.ndim)
        var, m = _moments(x, dims, correction, keepdim, "std")
        if ctx.needs_input_grad:
            ctx.shape, ctx.dims, ctx.keepdim, ctx.mean = x.shape, dims, keepdim, m
            ctx.n, ctx.correction = _count(x.shape, dims), correction
        return np.sqrt(var)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        ok = _keep(out, ctx.shape, ctx.dims, ctx.keepdim)
        zero = ok._data == 0
        gk = _keep(g, ctx.shape, ctx.dims, ctx.keepdim)
        if zero.any():        # d std = d var / (2 std); PyTorch sets it to 0 where std == 0
            gv = gk * _const(~zero) / (ok * 2 + _const(zero))
        else:
            gv = gk / (ok * 2)
        return _var_grad(ctx, x, gv)


def _var_args(fname, input, dim, unbiased, keepdim, correction):
    _check_tensor(input, fname)
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):       # legacy std(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{fname}(): 'unbiased' given twice")
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise RuntimeError(f"{fname}(): only one of 'unbiased' and 'correction' may be given")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return {"dim": dim, "correction": correction, "keepdim": keepdim}


@_np_names
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over all elements or ``dim``; ``correction`` (default 1, Bessel) is
    subtracted from the count (``unbiased=False`` is ``correction=0``).

    >>> import ember
    >>> ember.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    """
    return apply(Var, (input,), _var_args("var", input, dim, unbiased, keepdim, correction))


@_np_names
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation (the square root of :func:`var`, same arguments).

    >>> import ember
    >>> ember.tensor([1., 3.]).std()
    tensor(1.4142)
    """
    return apply(Std, (input,), _var_args("std", input, dim, unbiased, keepdim, correction))


@_np_names
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over the same dims, as a tuple."""
    a = _var_args("var_mean", input, dim, unbiased, keepdim, correction)
    return apply(Var, (input,), a), apply(Mean, (input,), {"dim": a["dim"], "keepdim": keepdim})


@_np_names
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over the same dims, as a tuple."""
    a = _var_args("std_mean", input, dim, unbiased, keepdim, correction)
    return apply(Std, (input,), a), apply(Mean, (input,), {"dim": a["dim"], "keepdim": keepdim})


# --- norms ------------------------------------------------------------------------------------
class _SignedPow(Op):
    """``sign(x) * |x| ** e``, 0 where x == 0 (pairs with ``_AbsPow`` as its derivative)."""
    opname = "signed_pow"
    node_name = "PowBackward0"
    save = (0,)

    @staticmethod
    def forward(ctx, x, e):
        ctx.e = e
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            r = np.asarray(np.sign(x) * np.abs(x) ** e)
        if e <= 0:
            r[x == 0] = 0
        return r

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.e == 0:
            return None
        return g * ctx.e * apply(_AbsPow, (x,), {"e": ctx.e - 1})


class _AbsPow(Op):
    """``|x| ** e``."""
    opname = "abs_pow"
    node_name = "PowBackward0"
    save = (0,)

    @staticmethod
    def forward(ctx, x, e):
        ctx.e = e
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.abs(x) ** e

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.e == 0:
            return None
        return g * ctx.e * apply(_SignedPow, (x,), {"e": ctx.e - 1})


class VectorNorm(Op):
    opname = "linalg_vector_norm"
    node_name = "LinalgVectorNormBackward0"
    save = (0, OUT)

    @staticmethod
    def forward(ctx, x, ord=2.0, dim=None, keepdim=False):
        dims = _dims(dim, x.ndim)
        p = float(ord)
        if abs(p) == _inf and _count(x.shape, dims) == 0 and x.size == 0:
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty "
                               "tensor because the operation does not have an identity")
        ctx.shape, ctx.dims, ctx.keepdim, ctx.p = x.shape, dims, keepdim, p
        xc = x.astype(np.float32) if x.dtype == np.float16 else x
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if p == 2:
                out = np.sqrt((xc * xc).sum(axis=dims, keepdims=keepdim))
            elif p == 1:
                out = np.abs(xc).sum(axis=dims, keepdims=keepdim)
            elif p == _inf:
                out = np.abs(xc).max(axis=dims, keepdims=keepdim)
            elif p == -_inf:
                out = np.abs(xc).min(axis=dims, keepdims=keepdim)
            elif p == 0:
                out = (xc != 0).sum(axis=dims, dtype=xc.dtype, keepdims=keepdim)
            else:
                out = (np.abs(xc) ** p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)
        out = np.asarray(out).astype(x.dtype, copy=False)
        if ctx.needs_input_grad and abs(p) == _inf:
            mask = _ties_weight(np.abs(x), _keep_np(out, x.shape, dims, keepdim), True)
            ctx.w = np.sign(x) * _share(mask, dims, x.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None
        gk = _keep(g, ctx.shape, ctx.dims, ctx.keepdim)
        if abs(p) == _inf:
            return gk * _const(ctx.w)
        if p == 1:
            return gk * apply(_SignedPow, (x,), {"e": 0.0})
        ok = _keep(out, ctx.shape, ctx.dims, ctx.keepdim)
        if p == 2:
            zero = ok._data == 0
            return gk * x / (ok + _const(zero)) if zero.any() else gk * x / ok
        if p < 1:
            return apply(_SignedPow, (x,), {"e": p - 1}) * gk * apply(_AbsPow, (ok,),
                                                                       {"e": 1 - p})
        zero = ok._data == 0
        if zero.any():
            ok = ok + _const(zero)
        return apply(_SignedPow, (x,), {"e": p - 1}) * (gk / apply(_AbsPow, (ok,),
                                                                   {"e": p - 1}))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norm over all elements or ``dim`` (``p``: a number, ``inf``, ``-inf``, or
    ``'fro'``, the 2-norm over at most two dims).

    >>> import ember
    >>> ember.tensor([3., 4.]).norm()
    tensor(5.)
    """
    _check_tensor(input, "norm")
    if input._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype._legacy[:-6]}")
    if dtype is not None:
        input = input.to(dtype)
    if isinstance(p, str):
        if p == "fro":
            if isinstance(dim, (tuple, list)) and len(dim) > 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   + " ".join(str(d) for d in dim))
            p = 2.0
        elif p == "nuc":
            raise NotImplementedError("norm(p='nuc') is not supported by ember yet")
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    elif p is None:
        p = 2.0
    r = apply(VectorNorm, (input,), {"ord": float(p), "dim": dim, "keepdim": keepdim})
    if out is not None:
        from .copy import copy_
        out._data = np.empty(r._data.shape, out._data.dtype)
        return copy_(out, r)
    return r


# --- logsumexp --------------------------------------------------------------------------------
class LogSumExp(Op):
    node_name = "LogsumexpBackward0"
    promote = FLOAT
    save = (0, OUT)

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        dims = _dims(dim, x.ndim)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if _count(x.shape, dims) == 0:
            m = np.zeros(np.shape(x.sum(axis=dims, keepdims=True)), x.dtype)
        else:
            m = np.asarray(x.max(axis=dims, keepdims=True))
            if not np.isfinite(m).all():
                m[~np.isfinite(m)] = 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            e = np.asarray(x - m)
            np.exp(e, out=e)
            out = np.log(e.sum(axis=dims, keepdims=True)) + m
        if not keepdim:
            out = out.reshape(()) if dims is None else out.squeeze(dims)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        gk = _keep(g, ctx.shape, ctx.dims, ctx.keepdim)
        return gk * (x - _keep(out, ctx.shape, ctx.dims, ctx.keepdim)).exp()


@_np_names
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, computed stably (the max is factored out);
    its gradient is the softmax.

    >>> import ember
    >>> ember.tensor([0., 0.]).logsumexp(0)
    tensor(0.6931)
    """
    return apply(LogSumExp, (input,), {"dim": dim, "keepdim": keepdim})


# --- median and mode --------------------------------------------------------------------------
class MedianAll(Op):
    """Lower median of all elements (NaN if any, for ``median``; NaN ignored for
    ``nanmedian``); ties share the gradient evenly."""
    opname = "median"
    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx, x, ignore_nan=False):
        flat = x.reshape(-1)
        isf = x.dtype.kind == "f"
        if isf and ignore_nan:
            flat = flat[~np.isnan(flat)]
        n = flat.size
        if n == 0 or (isf and not ignore_nan and np.isnan(flat).any()):
            out = np.array(np.nan, x.dtype)
        else:
            k = (n - 1) // 2
            out = np.array(np.partition(flat, k)[k], x.dtype)
        if ctx.needs_input_grad:
            ctx.w = _share(_ties_weight(x, out, True), None, x.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * _const(ctx.w)


def _sel_median(x, d):
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
    k = (n - 1) // 2
    idx = x.argpartition(k, axis=d)[(slice(None),) * d + (slice(k, k + 1),)]
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        has = nan.any(axis=d, keepdims=True)
        if has.any():
            idx = np.where(has, nan.argmax(axis=d, keepdims=True), idx)
    return idx


def _sel_nanmedian(x, d):
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {d} to have non-zero size.")
    if x.dtype.kind != "f":
        return _sel_median(x, d)
    order = np.argsort(x, axis=d, kind="stable")
    cnt = (~np.isnan(x)).sum(axis=d, keepdims=True)
    return _take_along(order, np.maximum((cnt - 1) // 2, 0), d)


MedianDim = _select_op("median", _sel_median, "MedianBackward1")
NanMedianDim = _select_op("nanmedian", _sel_nanmedian, "NanmedianBackward1")


@_np_names
def median(input, dim=None, keepdim=False):
    """``median(input)``: the lower median of all elements (NaN if any is NaN).
    ``median(input, dim, keepdim=False)``: named tuple ``(values, indices)`` along ``dim``.

    >>> import ember
    >>> ember.tensor([3., 1., 4., 2.]).median()
    tensor(2.)
    """
    _check_tensor(input, "median")
    _no_bool(input, "median")
    if dim is None:
        return apply(MedianAll, (input,), {})
    d = _int_dim(dim, input._data.ndim, "median")
    return return_types.median(*apply(MedianDim, (input,), {"dim": d, "keepdim": keepdim}))


@_np_names
def nanmedian(input, dim=None, keepdim=False):
    """Like :func:`median`, ignoring NaN (NaN only where all values are NaN)."""
    _check_tensor(input, "nanmedian")
    _no_bool(input, "nanmedian")
    if dim is None:
        return apply(MedianAll, (input,), {"ignore_nan": True})
    d = _int_dim(dim, input._data.ndim, "nanmedian")
    return return_types.nanmedian(*apply(NanMedianDim, (input,),
                                         {"dim": d, "keepdim": keepdim}))


def _sel_mode(x, d):
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    xm = np.moveaxis(x, d, -1)
    order = np.argsort(xm, axis=-1, kind="stable")
    s = _take_along(xm, order, xm.ndim - 1)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    pos = np.arange(n)
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    run = pos - start + 1                  # length of the run of equal values so far
    # the first position reaching the longest run ends the run of the smallest mode value;
    # the stable sort puts that value's last occurrence there (PyTorch's index)
    p = np.argmax(run == run.max(axis=-1, keepdims=True), axis=-1)[..., None]
    return np.moveaxis(_take_along(order, p, order.ndim - 1), -1, d)


ModeDim = _select_op("mode", _sel_mode, "ModeBackward0")


@_np_names
def mode(input, dim=-1, keepdim=False):
    """Named tuple ``(values, indices)``: the most frequent value along ``dim`` (the
    smallest among equally frequent ones) and the index of its last occurrence.

    >>> import ember
    >>> ember.tensor([3, 1, 3, 1, 2]).mode().values
    tensor(1)
    """
    _check_tensor(input, "mode")
    d = _int_dim(dim, input._data.ndim, "mode")
    return return_types.mode(*apply(ModeDim, (input,), {"dim": d, "keepdim": keepdim}))


# --- counting ---------------------------------------------------------------------------------
class CountNonzero(Op):
    opname = "count_nonzero"
    differentiable = False

    @staticmethod
    def forward(ctx, x, dim=None):
        dims = _dims(dim, x.ndim)
        return np.asarray(np.count_nonzero(x, axis=dims), dtype=np.int64)


@_np_names
def count_nonzero(input, dim=None):
    """Number of non-zero elements, over all or over ``dim`` (int or tuple).

    >>> import ember
    >>> ember.tensor([[0, 1], [2, 3]]).count_nonzero(0)
    tensor([1, 2])
    """
    return apply(CountNonzero, (input,), {"dim": dim})


METHODS = {
    "sum": sum, "nansum": nansum, "mean": mean, "nanmean": nanmean, "prod": prod,
    "max": max, "min": min, "amax": amax, "amin": amin, "aminmax": aminmax,
    "argmax": argmax, "argmin": argmin, "std": std, "var": var, "norm": norm,
    "cumsum": cumsum, "cumprod": cumprod, "cumsum_": _cumsum_, "cumprod_": _cumprod_,
    "logsumexp": logsumexp, "median": median, "nanmedian": nanmedian, "mode": mode,
    "count_nonzero": count_nonzero,
}
