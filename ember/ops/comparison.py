"""Comparisons and tests: ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` (bool results, PyTorch
type promotion), ``equal``/``allclose``/``isclose``, ``any``/``all``, ``isnan`` and friends,
and the ordering ops ``sort``/``argsort``/``topk``/``kthvalue`` whose values send their
gradient back to the selected positions."""
import numpy as np

from .._tensor import Tensor
from ._dispatch import _LEGACY, COMMON, Op, apply, binary, inplace
from .reduction import (_dims, _int_dim, _no_bool, _np_names, _rev, _scatter, _select_op,
                        _take_along, return_types)

__all__ = ["eq", "ne", "gt", "ge", "lt", "le", "greater", "greater_equal", "less",
           "less_equal", "not_equal", "equal", "allclose", "isclose", "topk", "sort",
           "argsort", "msort", "kthvalue", "any", "all", "isnan", "isinf", "isfinite",
           "isposinf", "isneginf", "isreal"]

_IRANGE = {np.dtype(t): (np.iinfo(t).min, np.iinfo(t).max)
           for t in (np.int8, np.uint8, np.int16, np.int32, np.int64)}


def _fit(a, b):
    """A Python int ``b`` compared with an integer array ``a`` is first converted to
    ``a``'s dtype, wrapping around like PyTorch does (``uint8_tensor < -1`` compares with
    255)."""
    if type(b) is int and type(a) is np.ndarray:
        r = _IRANGE.get(a.dtype)
        if r is not None and not r[0] <= b <= r[1]:
            return np.array(b, dtype=np.int64).astype(a.dtype)
    return b


# --- element-wise comparisons -----------------------------------------------------------------
def _cmp_op(name, ufunc, node):
    def forward(ctx, a, b):
        return ufunc(a, _fit(a, b)) if type(b) is int else ufunc(_fit(b, a), b)

    return type(name.capitalize(), (Op,), {
        "opname": name, "node_name": node, "promote": COMMON, "differentiable": False,
        "ufunc": ufunc, "forward": staticmethod(forward)})


Eq = _cmp_op("eq", np.equal, "EqBackward0")
Ne = _cmp_op("ne", np.not_equal, "NeBackward0")
Lt = _cmp_op("lt", np.less, "LtBackward0")
Le = _cmp_op("le", np.less_equal, "LeBackward0")
Gt = _cmp_op("gt", np.greater, "GtBackward0")
Ge = _cmp_op("ge", np.greater_equal, "GeBackward0")


def _check_operands(name, input, other):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not isinstance(other, (Tensor, int, float, np.number, np.bool_)):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"(Tensor, {type(other).__name__}), but expected (Tensor input, Tensor "
                        "other) or (Tensor input, Number other)")


def _cmp_fn(name, op, doc):
    def f(input, other, *, out=None):
        _check_operands(name, input, other)
        r = binary(op, input, other)
        if out is not None:
            from .copy import copy_
            out._data = np.empty(r._data.shape, out._data.dtype)
            return copy_(out, r)
        return r

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


eq = _cmp_fn("eq", Eq, """Element-wise ``input == other`` (bool), with broadcasting.

    >>> import ember
    >>> ember.eq(ember.tensor([1, 2, 3]), 2)
    tensor([False,  True, False])
    """)
ne = _cmp_fn("ne", Ne, "Element-wise ``input != other`` (bool).")
lt = _cmp_fn("lt", Lt, """Element-wise ``input < other`` (bool).

    >>> import ember
    >>> ember.tensor([1., 2., 3.]) < 2.5
    tensor([ True,  True, False])
    """)
le = _cmp_fn("le", Le, "Element-wise ``input <= other`` (bool).")
gt = _cmp_fn("gt", Gt, "Element-wise ``input > other`` (bool).")
ge = _cmp_fn("ge", Ge, "Element-wise ``input >= other`` (bool).")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


# --- whole-tensor tests -----------------------------------------------------------------------
class Equal(Op):
    promote = COMMON
    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return np.array(a.shape == b.shape and bool(np.array_equal(a, b)))


def equal(input, other):
    """``True`` if both tensors have the same shape and elements (a Python bool).

    >>> import ember
    >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1., 2.]))
    True
    """
    for i, t in enumerate((input, other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"equal(): argument '{('input', 'other')[i]}' (position {i + 1}) "
                            f"must be Tensor, not {type(t).__name__}")
    return bool(apply(Equal, (input, other), {})._data)


class IsClose(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
        close = a == b
        if a.dtype.kind == "f":
            if equal_nan:
                close |= np.isnan(a) & np.isnan(b)
        elif rtol == 0 and atol == 0:
            return close
        else:
            a, b = a.astype(np.float64), b.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.abs(a - b)
            close |= np.isfinite(err) & (err <= atol + np.abs(rtol * b))
        return close


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Element-wise ``|input - other| <= atol + rtol * |other|`` (equal infinities are
    close; NaNs only with ``equal_nan``).

    >>> import ember
    >>> ember.isclose(ember.tensor([1., 2.]), ember.tensor([1. + 1e-7, 2.1]))
    tensor([ True, False])
    """
    for i, t in enumerate((input, other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"isclose(): argument '{('input', 'other')[i]}' (position {i + 1}) "
                            f"must be Tensor, not {type(t).__name__}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{_LEGACY[input.dtype.name]} did not match "
                           f"{_LEGACY[other.dtype.name]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    return apply(IsClose, (input, other), {"rtol": rtol, "atol": atol, "equal_nan": equal_nan})


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every pair of elements is close (see :func:`isclose`); a Python bool.

    >>> import ember
    >>> ember.allclose(ember.tensor([1., 2.]), ember.tensor([1., 2. + 1e-6]))
    True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def _anyall_op(name, fn):
    def forward(ctx, x, dim=None, keepdim=False):
        if isinstance(dim, (tuple, list)) and len(dim) == 0:
            dims = ()                       # PyTorch: reduce over no dims (element-wise)
        else:
            dims = _dims(dim, x.ndim)
        r = fn(x, axis=dims, keepdims=keepdim)
        return np.asarray(r, np.uint8) if x.dtype == np.uint8 else np.asarray(r)

    return type(name.capitalize(), (Op,), {"opname": name, "differentiable": False,
                                           "forward": staticmethod(forward)})


Any = _anyall_op("any", np.any)
All = _anyall_op("all", np.all)


@_np_names
def any(input, dim=None, keepdim=False):
    """Whether any element is non-zero, over all or ``dim`` (int or tuple); bool (uint8
    for uint8 input).

    >>> import ember
    >>> ember.tensor([[0, 1], [0, 0]]).any(1)
    tensor([ True, False])
    """
    return apply(Any, (input,), {"dim": dim, "keepdim": keepdim})


@_np_names
def all(input, dim=None, keepdim=False):
    """Whether all elements are non-zero, over all or ``dim`` (int or tuple).

    >>> import ember
    >>> ember.tensor([[1, 1], [0, 1]]).all(1)
    tensor([ True, False])
    """
    return apply(All, (input,), {"dim": dim, "keepdim": keepdim})


def _test_op(name, fn, nonfloat):
    def forward(ctx, x):
        if x.dtype.kind == "f":
            return fn(x)
        return np.full(x.shape, nonfloat)

    return type(name.capitalize(), (Op,), {"opname": name, "differentiable": False,
                                           "forward": staticmethod(forward)})


IsNan = _test_op("isnan", np.isnan, False)
IsInf = _test_op("isinf", np.isinf, False)
IsFinite = _test_op("isfinite", np.isfinite, True)
IsPosInf = _test_op("isposinf", np.isposinf, False)
IsNegInf = _test_op("isneginf", np.isneginf, False)
IsReal = _test_op("isreal", lambda x: np.ones(x.shape, bool), True)


def isnan(input):
    """Element-wise test for NaN.

    >>> import ember
    >>> ember.isnan(ember.tensor([1., float('nan')]))
    tensor([False,  True])
    """
    return apply(IsNan, (input,), {})


def isinf(input):
    """Element-wise test for +inf or -inf."""
    return apply(IsInf, (input,), {})


def isfinite(input):
    """Element-wise test for finite values (not inf, not NaN)."""
    return apply(IsFinite, (input,), {})


def isposinf(input):
    """Element-wise test for +inf."""
    return apply(IsPosInf, (input,), {})


def isneginf(input):
    """Element-wise test for -inf."""
    return apply(IsNegInf, (input,), {})


def isreal(input):
    """Element-wise test for a zero imaginary part: all True (ember has no complex)."""
    return apply(IsReal, (input,), {})


# --- ordering ---------------------------------------------------------------------------------
def _argsort(x, d, descending):
    """Stable argsort along ``d``; NaN is the largest value, as in PyTorch."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    n = x.shape[d]
    r = _rev(x, d).argsort(axis=d, kind="stable")
    return _rev(n - 1 - r, d)


def _values_op(name, node, select):
    """An op returning ``(values, indices)`` picked along ``dim`` by ``select`` (the
    indices); the gradient of the values scatters back to those positions."""

    def forward(ctx, x, dim, **kw):
        ctx.shape, ctx.dim = x.shape, dim
        if x.ndim == 0:
            select(np.reshape(x, (1,)), 0, **kw)          # argument checks
            return x.copy(), np.zeros((), np.int64)
        idx = select(x, dim, **kw).astype(np.int64, copy=False)
        vals = _take_along(x, idx, dim)
        if ctx.needs_input_grad:
            ctx.idx = idx
        return vals, idx

    def backward(ctx, g, _gi=None):
        if not ctx.shape:
            return g
        return _scatter(g, ctx.idx, ctx.dim, ctx.shape)

    return type(name.capitalize(), (Op,), {"opname": name, "node_name": node,
                                           "forward": staticmethod(forward),
                                           "backward": staticmethod(backward)})


def _sel_sort(x, d, descending=False):
    return _argsort(x, d, descending)


def _sel_topk(x, d, k, largest=True):
    n = x.shape[d]
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (k = {k}, size of dim {d} = {n})")
    pre = (slice(None),) * d
    if n <= 64 or 4 * k >= n:           # small: one full sort
        return _argsort(x, d, largest)[pre + (slice(0, k),)]
    if largest:
        cand = x.argpartition(n - k, axis=d)[pre + (slice(n - k, n),)]
    else:
        cand = x.argpartition(k - 1, axis=d)[pre + (slice(0, k),)]
    order = _argsort(_take_along(x, cand, d), d, largest)
    return _take_along(cand, order, d)


def _sel_kth(x, d, k):
    n = x.shape[d]
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return x.argpartition(k - 1, axis=d)[(slice(None),) * d + (slice(k - 1, k),)]


Sort = _values_op("sort", "SortBackward0", _sel_sort)
TopK = _values_op("topk", "TopkBackward0", _sel_topk)
KthValue = _select_op("kthvalue", _sel_kth, "KthvalueBackward0")


def _check_int(v, fname, arg, pos):
    if isinstance(v, (bool, float)) or not hasattr(v, "__index__"):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be int, not "
                        f"{type(v).__name__}")
    return v.__index__()


@_np_names
def sort(input, dim=-1, descending=False, *, stable=False):
    """Named tuple ``(values, indices)`` sorted along ``dim``. The sort is always stable
    (equal values keep their order); NaN sorts as the largest value.

    >>> import ember
    >>> ember.tensor([3, 1, 2]).sort()
    ember.return_types.sort(
    values=tensor([1, 2, 3]),
    indices=tensor([1, 2, 0]))
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"sort(): argument 'input' must be Tensor, not {type(input).__name__}")
    d = _int_dim(dim, input._data.ndim, "sort")
    v, i = apply(Sort, (input,), {"dim": d, "descending": bool(descending)})
    return return_types.sort(v, i)


@_np_names
def argsort(input, dim=-1, descending=False, *, stable=False):
    """Indices that sort ``input`` along ``dim`` (stable)."""
    return sort(input, dim, descending, stable=stable).indices


def msort(input):
    """``input`` sorted along its first dimension (values only)."""
    return sort(input, 0).values


@_np_names
def topk(input, k, dim=-1, largest=True, sorted=True):
    """Named tuple ``(values, indices)`` of the ``k`` largest (``largest=False``:
    smallest) elements along ``dim``, in sorted order (also when ``sorted=False``).

    >>> import ember
    >>> ember.tensor([1., 5., 3., 4.]).topk(2).values
    tensor([5., 4.])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"topk(): argument 'input' must be Tensor, not {type(input).__name__}")
    k = _check_int(k, "topk", "k", 2)
    if input._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = _int_dim(dim, input._data.ndim, "topk")
    v, i = apply(TopK, (input,), {"dim": d, "k": k, "largest": bool(largest)})
    return return_types.topk(v, i)


@_np_names
def kthvalue(input, k, dim=-1, keepdim=False):
    """Named tuple ``(values, indices)``: the ``k``-th smallest element along ``dim``
    (``k`` counts from 1).

    >>> import ember
    >>> ember.tensor([4., 1., 3.]).kthvalue(2).values
    tensor(3.)
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"kthvalue(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    k = _check_int(k, "kthvalue", "k", 2)
    _no_bool(input, "kthvalue")
    nd = input._data.ndim
    d = _int_dim(dim, nd, "kthvalue")
    if nd == 0 and k != 1:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return return_types.kthvalue(*apply(KthValue, (input,),
                                        {"dim": d, "keepdim": keepdim, "k": k}))


# --- methods and operators --------------------------------------------------------------------
def _inplace_cmp(op, name):
    def f(self, other):
        _check_operands(name + "_", self, other)
        return inplace(op, self, other)
    f.__name__ = name + "_"
    return f


METHODS = {
    "__eq__": lambda self, other: binary(Eq, self, other),
    "__ne__": lambda self, other: binary(Ne, self, other),
    "__lt__": lambda self, other: binary(Lt, self, other),
    "__le__": lambda self, other: binary(Le, self, other),
    "__gt__": lambda self, other: binary(Gt, self, other),
    "__ge__": lambda self, other: binary(Ge, self, other),
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "greater": gt, "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne,
    "eq_": _inplace_cmp(Eq, "eq"), "ne_": _inplace_cmp(Ne, "ne"),
    "lt_": _inplace_cmp(Lt, "lt"), "le_": _inplace_cmp(Le, "le"),
    "gt_": _inplace_cmp(Gt, "gt"), "ge_": _inplace_cmp(Ge, "ge"),
    "greater_": _inplace_cmp(Gt, "greater"), "greater_equal_": _inplace_cmp(Ge, "greater_equal"),
    "less_": _inplace_cmp(Lt, "less"), "less_equal_": _inplace_cmp(Le, "less_equal"),
    "not_equal_": _inplace_cmp(Ne, "not_equal"),
    "equal": equal, "allclose": allclose, "isclose": isclose,
    "any": any, "all": all, "isnan": isnan, "isinf": isinf, "isfinite": isfinite,
    "isposinf": isposinf, "isneginf": isneginf, "isreal": isreal,
    "sort": sort, "argsort": argsort, "msort": msort, "topk": topk, "kthvalue": kthvalue,
}
