"""Searching, counting and binning: ``bincount``, ``histc``, ``histogram``, ``unique``,
``unique_consecutive``, ``bucketize`` and ``searchsorted``.

None of these has a gradient. Their integer outputs never carry one; where PyTorch still
records a node for a floating output (``bincount`` with weights, ``histogram``, the values
of ``unique``), ember does too, and that node's backward raises PyTorch's error. ``histc``
records nothing, as in PyTorch.

Sorted searches compare in the promoted dtype of the sequence and the values (PyTorch's
``result_type``: a 0-d tensor or a Python number does not widen the sequence's dtype).
A 1-D sequence without NaN goes to ``np.searchsorted``, as do long rows of an N-D one (row
by row); short rows and sequences holding NaN use a vectorised binary search that probes
the elements PyTorch's kernel probes, with its comparisons (every NaN comparison is false,
so the search moves right), so even NaN-holding sequences give PyTorch's indices.

Histograms bin as PyTorch does: ``histc`` by the linear estimate
``int((x - min) * bins / (max - min))`` in the input's dtype; ``histogram`` with a bin count
builds its edges exactly as PyTorch's ``linspace`` (fused multiply-adds) and settles the
linear estimate among the neighbouring edges; with explicit edges it binary-searches them.
``unique`` counts narrow integer ranges with one ``bincount`` and sorts everything else.
"""
import numpy as np

from .._dtype import _FROM_NP
from .._tensor import Tensor, _norm_dim
from ._dispatch import COMMON, Op, apply
from .creation import _linspace
from .reduction import _structseq, return_types

__all__ = ["bincount", "histc", "histogram", "unique", "unique_consecutive", "bucketize",
           "searchsorted"]

return_types.histogram = _structseq("histogram", ("hist", "bin_edges"))


# --- helpers -----------------------------------------------------------------------------------
def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _name(npdt):
    """PyTorch's legacy scalar-type name of a NumPy dtype: 'Float', 'Long', 'Bool' …"""
    return _FROM_NP[np.dtype(npdt)]._legacy[:-6]


def _cname(npdt):
    """The C type name PyTorch prints in some messages: 'float', 'double', 'long int' …"""
    return {"f2": "c10::Half", "f4": "float", "f8": "double", "i8": "long int", "i4": "int",
            "i2": "short int", "i1": "signed char", "u1": "unsigned char",
            "b1": "bool"}[np.dtype(npdt).str[1:]]


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _num(v):
    """Format a double as C++'s ostream does (3, 1.5, inf, nan)."""
    return f"{v:g}"


def _tensor_arg(x, fname, arg="input", pos=1):
    if not isinstance(x, Tensor):
        where = f" (position {pos})" if pos else ""
        raise TypeError(f"{fname}(): argument '{arg}'{where} must be Tensor, not "
                        f"{type(x).__name__}")


def _int_arg(v, fname, arg, pos=None):
    if isinstance(v, bool) or not hasattr(v, "__index__") or (
            isinstance(v, Tensor) and v._data.dtype.kind not in "iu"):
        where = f" (position {pos})" if pos else ""
        raise TypeError(f"{fname}(): argument '{arg}'{where} must be int, not {type(v).__name__}")
    return v.__index__()


def _bool_arg(v, fname, arg):
    if not isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{fname}(): argument '{arg}' must be bool, not {type(v).__name__}")
    return bool(v)


def _number_arg(v, fname, arg):
    if isinstance(v, Tensor):
        if v._data.size != 1:
            raise TypeError(f"{fname}(): argument '{arg}' must be Number, not Tensor")
        return float(v._data.reshape(()))
    if isinstance(v, (int, float, np.integer, np.floating, np.bool_)):
        return float(v)
    raise TypeError(f"{fname}(): argument '{arg}' must be Number, not {type(v).__name__}")


def _to_dtype(v, npdt):
    """``v`` (a double) as a scalar of float dtype ``npdt``; PyTorch's overflow error."""
    if np.isfinite(v) and abs(v) > float(np.finfo(npdt).max):
        raise RuntimeError(f"value cannot be converted to type {_cname(npdt)} without overflow")
    return npdt.type(v)


def _no_derivative(error, message):
    """The backward of an op whose floating outputs PyTorch records but cannot
    differentiate: it raises PyTorch's error."""
    def backward(ctx, *grads):
        raise error(message)
    return staticmethod(backward)


# --- bincount ----------------------------------------------------------------------------------
class Bincount(Op):
    node_name = "NotImplemented"
    backward = _no_derivative(RuntimeError, "derivative for aten::bincount is not implemented")

    @staticmethod
    def forward(ctx, x, w=None, minlength=0):
        if x.size == 0:
            return np.zeros(minlength, np.int64)
        if w is None:
            return np.bincount(x, minlength=minlength).astype(np.int64, copy=False)
        out = np.bincount(x, w.astype(np.float64, copy=False), minlength)
        return out.astype(np.float32) if w.dtype == np.float32 else out


def bincount(input, weights=None, minlength=0):
    """Count the occurrences of each value in a 1-D tensor of non-negative integers (or sum
    ``weights`` per value); the result has ``max(input) + 1`` entries, at least ``minlength``.

    >>> import ember
    >>> ember.bincount(ember.tensor([1, 2, 2, 5]))
    tensor([0, 1, 2, 0, 0, 1])
    """
    _tensor_arg(input, "bincount")
    if weights is not None:
        _tensor_arg(weights, "bincount", "weights", None)
    minlength = _int_arg(minlength, "bincount", "minlength")
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_name(x.dtype)}'")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None or x.size == 0:
        return apply(Bincount, (input,), {"minlength": minlength})
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError(f"weights should be 1-d and have the same length as input (got "
                           f"input of shape {_fmt(x.shape)} and weights of shape "
                           f"{_fmt(w.shape)})")
    return apply(Bincount, (input, weights), {"minlength": minlength})


# --- histc / histogram -------------------------------------------------------------------------
def _linear_bins(x, lo, hi, bins):
    """``int((x - lo) * bins / (hi - lo))`` in ``x``'s dtype (PyTorch's linear bin estimate),
    computed in place; entries for ``x`` outside ``[lo, hi]`` (or NaN) are meaningless."""
    t = x - lo
    t *= x.dtype.type(bins)
    t /= hi - lo
    with np.errstate(invalid="ignore"):
        return t.astype(np.intp)


def _bin_counts(x, edges, w, npdt, linear):
    """Counts (or summed weights) of ``x`` in the bins between consecutive ``edges``: bin ``i``
    holds ``edges[i] <= x < edges[i + 1]``, the last bin includes its right edge, values
    outside ``[edges[0], edges[-1]]`` are dropped. ``linear`` (evenly spaced edges): start
    from the linear estimate and settle it among the neighbouring edges, as PyTorch does;
    otherwise a binary search."""
    nb = edges.shape[0] - 1
    keep = (x >= edges[0]) & (x <= edges[-1])
    if linear:
        est = _linear_bins(x, edges[0], edges[-1], nb)
        np.clip(est, 0, nb, out=est)
        # upper bound of x among the edges est-1 .. est+1 (those that exist), minus one
        pos = np.maximum(est - 1, 0) - 1
        for j in (est - 1, est, est + 1):
            ok = (j >= 0) & (j <= nb)
            np.clip(j, 0, nb, out=j)
            pos += ok & (edges[j] <= x)
    else:
        pos = np.searchsorted(edges, x, "right") - 1
    np.minimum(pos, nb - 1, out=pos)
    if w is None:
        return np.bincount(pos[keep], minlength=nb).astype(npdt)
    return np.bincount(pos[keep], w[keep].astype(np.float64, copy=False), nb).astype(npdt)


class Histc(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, x, bins, lo, hi):
        x = x.reshape(-1)
        if hi == lo:                 # equal after rounding to x's dtype: PyTorch counts nothing
            return np.zeros(bins, x.dtype)
        pos = _linear_bins(x, lo, hi, bins)
        np.minimum(pos, bins - 1, out=pos)
        keep = (x >= lo) & (x <= hi)
        return np.bincount(pos[keep], minlength=bins).astype(x.dtype)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram of ``input`` (flattened) with ``bins`` equal-width bins over ``[min, max]``;
    when ``min == max`` the data's range is used. Values outside the range are ignored.

    >>> import ember
    >>> ember.histc(ember.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    _tensor_arg(input, "histc")
    bins = _int_arg(bins, "histc", "bins")
    lo, hi = _number_arg(min, "histc", "min"), _number_arg(max, "histc", "max")
    x = input._data
    if x.dtype.kind != "f":
        what = "linspace_cpu" if x.dtype == np.bool_ else "histogram_cpu"
        raise NotImplementedError(f"\"{what}\" not implemented for '{_name(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min (got min {_num(lo)}, "
                           f"max {_num(hi)})")
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_num(lo)}, {_num(hi)}] is not finite")
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    lo, hi = _to_dtype(lo, x.dtype), _to_dtype(hi, x.dtype)
    from .shape import _out
    return _out(apply(Histc, (input,), {"bins": bins, "lo": lo, "hi": hi}), out)


class Histogram(Op):
    node_name = "NotImplemented"
    backward = _no_derivative(RuntimeError, "derivative for aten::histogram is not implemented")

    @staticmethod
    def forward(ctx, x, *rest, bins=None, rng=None, has_weight=False, density=False):
        x = x.reshape(-1)
        w = rest[-1].reshape(-1) if has_weight else None
        if bins is None:
            edges = rest[0]
        else:
            if rng is None:
                lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
            else:
                lo, hi = rng
            if not (np.isfinite(lo) and np.isfinite(hi)):
                raise RuntimeError(f"torch.histogramdd: dimension 0's range [{_num(lo)}, "
                                   f"{_num(hi)}] is not finite")
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges = _linspace(_to_dtype(lo, x.dtype), _to_dtype(hi, x.dtype), bins + 1, x.dtype)
        hist = _bin_counts(x, edges, w, x.dtype, bins is not None)
        if density:
            with np.errstate(all="ignore"):
                hist = (hist / (hist.sum() * np.diff(edges))).astype(x.dtype, copy=False)
        return hist, edges.copy() if bins is None else edges


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """Histogram of ``input`` (flattened): ``bins`` is a number of equal-width bins over
    ``range`` (default: the data's range) or a 1-D tensor of increasing bin edges. Returns
    ``(hist, bin_edges)``.

    >>> import ember
    >>> ember.histogram(ember.tensor([1., 2., 1.]), bins=4, range=(0., 3.)).hist
    tensor([0., 2., 1., 0.])
    """
    _tensor_arg(input, "histogram")
    x = input._data
    if x.dtype.kind != "f" or x.dtype == np.float16:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_name(x.dtype)}'")
    args = [input]
    attrs = {"density": _bool_arg(density, "histogram", "density")}
    if isinstance(bins, Tensor):
        if range is not None:
            raise TypeError("histogram(): argument 'range' is not accepted when 'bins' is a "
                            "Tensor of bin edges")
        b = bins._data
        if b.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {b.ndim} dimensions in the bins tensor for dimension 0")
        if b.shape[0] < 2:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {b.shape[0] - 1} "
                               f"for dimension 0")
        if b.dtype != x.dtype:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have "
                               f"the same dtype, but got input with dtype {_cname(x.dtype)} and "
                               f"bins for dimension 0 with dtype {_cname(b.dtype)}")
        args.append(bins)
    else:
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
            raise TypeError(f"histogram(): argument 'bins' must be int or Tensor, not "
                            f"{type(bins).__name__}")
        bins = int(bins)
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               f"dimension 0")
        attrs["bins"] = bins
        if range is not None:
            r = tuple(range)
            if len(r) != 2:
                raise RuntimeError(f"torch.histogramdd: for a 1-dimensional histogram range "
                                   f"should have 2 elements, but got {len(r)}")
            lo, hi = (_number_arg(v, "histogram", "range") for v in r)
            if lo > hi:
                raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                                   f"{_num(lo)} max {_num(hi)} for dimension 0")
            attrs["rng"] = (lo, hi)
    if weight is not None:
        _tensor_arg(weight, "histogram", "weight", None)
        w = weight._data
        if w.dtype != x.dtype:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor "
                               f"and weight tensor should have the same dtype, but got "
                               f"input({_cname(x.dtype)}), and weight({_cname(w.dtype)})")
        if w.size != x.size:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have "
                               f"the same shape as the input tensor excluding its innermost "
                               f"dimension, but got input with shape {_fmt(x.shape)} and "
                               f"weight with shape {_fmt(w.shape)}")
        args.append(weight)
        attrs["has_weight"] = True
    res = return_types.histogram(*apply(Histogram, tuple(args), attrs))
    if out is not None:
        from .shape import _out
        _out(res[0], out[0])
        _out(res[1], out[1])
        return return_types.histogram(*out)
    return res


# --- unique ------------------------------------------------------------------------------------
def _groups(flags, order, n, return_inverse, return_counts, inv_shape):
    """From run-start ``flags`` over ``n`` sorted items (``order``: their original positions,
    None when unsorted): the inverse indices and the counts asked for."""
    extra = []
    if return_inverse:
        grp = np.cumsum(flags) - 1
        if order is None:
            inv = grp
        else:
            inv = np.empty(n, np.int64)
            inv[order] = grp
        extra.append(inv.astype(np.int64, copy=False).reshape(inv_shape))
    if return_counts:
        starts = np.flatnonzero(flags)
        extra.append(np.diff(np.append(starts, n)).astype(np.int64, copy=False))
    return extra


def _run_starts(a):
    """True where item ``i`` of ``a`` (items along axis 0) differs from item ``i - 1``
    (NaN never equals NaN, so each NaN starts a run, as in PyTorch)."""
    flags = np.empty(a.shape[0], bool)
    if a.shape[0]:
        flags[0] = True
        ne = a[1:] != a[:-1]
        flags[1:] = ne if ne.ndim == 1 else ne.any(axis=1)
    return flags


def _result(vals, extra):
    return (vals, *extra) if extra else vals


def _unique_ints(flat, npdt, return_inverse, return_counts):
    """Unique of integers/bools through one ``bincount`` over their range; None when the range
    is too wide for that to beat sorting."""
    if npdt == np.bool_:
        lo, off, span = 0, flat.view(np.uint8), 2
    else:
        lo, hi = int(flat.min()), int(flat.max())
        span = hi - lo + 1
        if span > 2 * flat.shape[0] + 4096:
            return None
        off = flat.astype(np.intp)
        off -= lo
    cnts = np.bincount(off, minlength=span)
    idx = np.flatnonzero(cnts)
    extra = []
    if return_inverse:
        extra.append((np.cumsum(cnts > 0) - 1)[off])
    if return_counts:
        extra.append(cnts[idx].astype(np.int64, copy=False))
    return (idx + lo).astype(npdt), extra


class Unique(Op):
    node_name = "Unique2Backward0"
    backward = _no_derivative(NotImplementedError,
                              "the derivative for '_unique2' is not implemented.")

    @staticmethod
    def forward(ctx, x, return_inverse, return_counts):
        flat = x.reshape(-1)
        n = flat.shape[0]
        r = _unique_ints(flat, x.dtype, return_inverse, return_counts) \
            if n and x.dtype.kind in "biu" else None
        if r is not None:
            vals, extra = r
            if return_inverse:
                extra[0] = extra[0].astype(np.int64, copy=False).reshape(x.shape)
            return _result(vals, extra)
        if return_inverse:
            order = np.argsort(flat)
            s = flat[order]
        else:
            order, s = None, np.sort(flat)
        flags = _run_starts(s)
        extra = _groups(flags, order, n, return_inverse, return_counts, x.shape)
        vals = s[flags]
        if x.dtype.kind == "f" and n:
            # the sort was not stable: keep the first occurrence of a zero (-0.0 or 0.0) and
            # number NaNs (each its own value) in their original order, as PyTorch does on
            # small inputs (on large ones its choice follows its own sort's internals)
            z = np.searchsorted(vals, 0)
            if z < vals.shape[0] and vals[z] == 0:
                vals[z] = flat[np.argmax(flat == 0)]
            if return_inverse:
                isnan = np.isnan(flat)
                k = int(isnan.sum())
                if k > 1:
                    extra[0].reshape(-1)[isnan] = np.arange(vals.shape[0] - k, vals.shape[0])
        return _result(vals, extra)


class UniqueDim(Op):
    node_name = "UniqueDimBackward0"
    backward = _no_derivative(NotImplementedError,
                              "the derivative for 'unique_dim' is not implemented.")

    @staticmethod
    def forward(ctx, x, dim, return_inverse, return_counts):
        m = np.moveaxis(x, dim, 0)
        n = m.shape[0]
        rows = m.reshape(n, _prod(m.shape[1:]))
        if rows.shape[1]:
            order = np.lexsort(rows.T[::-1])
        else:
            order = np.arange(n)
        srows = rows[order]
        flags = _run_starts(srows)
        vals = np.moveaxis(m[order[flags]], 0, dim)
        extra = _groups(flags, order, n, return_inverse, return_counts, (n,))
        return _result(np.ascontiguousarray(vals), extra)


class UniqueConsecutive(Op):
    node_name = "UniqueConsecutiveBackward0"
    backward = _no_derivative(NotImplementedError,
                              "the derivative for 'unique_consecutive' is not implemented.")

    @staticmethod
    def forward(ctx, x, dim, return_inverse, return_counts):
        if dim is None:
            m = x.reshape(-1)
            rows, inv_shape = m, x.shape
        else:
            m = np.moveaxis(x, dim, 0)
            rows, inv_shape = m.reshape(m.shape[0], _prod(m.shape[1:])), (m.shape[0],)
        flags = _run_starts(rows)
        vals = m[flags]
        if dim is not None:
            vals = np.ascontiguousarray(np.moveaxis(vals, 0, dim))
        extra = _groups(flags, None, m.shape[0], return_inverse, return_counts, inv_shape)
        return _result(vals, extra)


def _check_unique_dim(x, dim, fname):
    dim = _int_arg(dim, fname, "dim", 2 if fname == "unique_dim" else None)
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _norm_dim(dim, x.ndim)
    zeros = sum(1 for s in x.shape if s == 0)
    if zeros > 1:
        raise RuntimeError(f"Number of zero sized dimensions is more than one, so unique cannot "
                           f"be applied (input shape {_fmt(x.shape)})")
    if zeros == 1 and x.shape[dim] != 0:
        raise RuntimeError(f"There are 0 sized dimensions, and they aren't selected, so unique "
                           f"cannot be applied (input shape {_fmt(x.shape)}, dim {dim})")
    return dim


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values of ``input`` in ascending order (rows along ``dim`` when given),
    with the index of each element's value (``return_inverse``) and each value's count
    (``return_counts``). Returns a tensor, or a tuple when either is asked for.

    >>> import ember
    >>> ember.unique(ember.tensor([3, 1, 3, 2]), return_counts=True)
    (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    fname = "_unique2" if dim is None else "unique_dim"
    _tensor_arg(input, fname)
    _bool_arg(sorted, fname, "sorted")
    inv = _bool_arg(return_inverse, fname, "return_inverse")
    cnt = _bool_arg(return_counts, fname, "return_counts")
    if dim is None:
        return apply(Unique, (input,), {"return_inverse": inv, "return_counts": cnt})
    dim = _check_unique_dim(input._data, dim, fname)
    return apply(UniqueDim, (input,), {"dim": dim, "return_inverse": inv, "return_counts": cnt})


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse each run of equal consecutive values (rows along ``dim`` when given) to one,
    optionally with each element's run index (``return_inverse``) and run lengths
    (``return_counts``).

    >>> import ember
    >>> ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 3, 1, 1, 2]))
    tensor([1, 2, 3, 1, 2])
    """
    fname = "unique_consecutive"
    _tensor_arg(input, fname)
    inv = _bool_arg(return_inverse, fname, "return_inverse")
    cnt = _bool_arg(return_counts, fname, "return_counts")
    if dim is not None:
        dim = _check_unique_dim(input._data, dim, fname)
    return apply(UniqueConsecutive, (input,),
                 {"dim": dim, "return_inverse": inv, "return_counts": cnt})


def _unique_method(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
    return unique(self, sorted, return_inverse, return_counts, dim)


# --- searchsorted / bucketize ------------------------------------------------------------------
def _bsearch(seq, val, right):
    """Row-wise binary search: ``seq`` (B, M) sorted rows, ``val`` (B, K); for each value the
    number of row elements that go before it (``<`` it, or ``<=`` with ``right``), with every
    NaN comparison false as in PyTorch's kernel."""
    b, m = seq.shape
    lo = np.zeros(val.shape, np.int64)
    if m == 0 or val.size == 0:
        return lo
    hi = np.full(val.shape, m, np.int64)
    flat = seq.reshape(-1)
    base = (np.arange(b, dtype=np.int64) * m)[:, None]
    for _ in range(m.bit_length()):
        mid = (lo + hi) >> 1
        s = flat[base + np.minimum(mid, m - 1)]
        go = ~(s > val) if right else ~(s >= val)
        active = lo < hi
        lo = np.where(active & go, mid + 1, lo)
        hi = np.where(active & ~go, mid, hi)
    return lo


class SearchSorted(Op):
    opname = "searchsorted"
    promote = COMMON
    differentiable = False

    @staticmethod
    def forward(ctx, seq, val, right=False, out_int32=False, sorter=None):
        odt = np.int32 if out_int32 else np.int64
        if sorter is not None:
            seq = np.take_along_axis(seq, sorter, -1)
        # a Python number compares in the sequence's dtype (it was promoted as a weak scalar)
        val = np.asarray(val).astype(seq.dtype, copy=False)
        vshape = val.shape
        nan = seq.dtype.kind == "f" and np.isnan(seq).any()
        if seq.ndim == 1 and not nan:
            return np.asarray(np.searchsorted(seq, val, "right" if right else "left"), odt)
        if seq.ndim == 1:
            res = _bsearch(seq.reshape(1, -1), val.reshape(1, -1), right)
        else:
            b, m, k = _prod(seq.shape[:-1]), seq.shape[-1], val.shape[-1]
            seq, val = seq.reshape(b, m), val.reshape(b, k)
            if not nan and k * m.bit_length() >= 256:
                # long rows: NumPy's search row by row beats the vectorised one
                res = np.empty((b, k), np.intp)
                side = "right" if right else "left"
                for i in range(b):
                    res[i] = np.searchsorted(seq[i], val[i], side)
            else:
                res = _bsearch(seq, val, right)
        return res.reshape(vshape).astype(odt, copy=False)


_SS = "torch.searchsorted(): "


def _is_number(v):
    return isinstance(v, (int, float, np.integer, np.floating, np.bool_))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, out=None,
                 sorter=None):
    """For each value in ``input``, the index in the innermost dimension of
    ``sorted_sequence`` where it would be inserted to keep that dimension sorted (before
    equal elements, or after them with ``right=True`` / ``side='right'``). ``sorted_sequence``
    is 1-D or shares ``input``'s leading dimensions; ``sorter`` sorts an unsorted sequence.

    >>> import ember
    >>> ember.searchsorted(ember.tensor([1, 3, 5, 7, 9]), ember.tensor([3, 6, 9]))
    tensor([1, 3, 4])
    """
    _tensor_arg(sorted_sequence, "searchsorted", "sorted_sequence")
    if not (isinstance(input, Tensor) or _is_number(input)):
        raise TypeError(f"searchsorted(): argument 'input' (position 2) must be Tensor or "
                        f"Number, not {type(input).__name__}")
    out_int32 = _bool_arg(out_int32, "searchsorted", "out_int32")
    right = _bool_arg(right, "searchsorted", "right")
    if side is not None:
        if not isinstance(side, str):
            raise TypeError(f"searchsorted(): argument 'side' must be str, not "
                            f"{type(side).__name__}")
        if side not in ("left", "right"):
            raise RuntimeError(f"{_SS}side can only be 'left' or 'right' but got {side}")
        if side == "left" and right:
            raise RuntimeError(f"{_SS}side and right can't be set to opposites, got side of "
                               f"left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    if seq.ndim == 0:
        raise RuntimeError(f"{_SS}boundaries tensor should have positive dimension, but got 0 "
                           f"dimension")
    vshape = input._data.shape if isinstance(input, Tensor) else ()
    if seq.ndim != 1:
        if not vshape:
            raise RuntimeError(f"{_SS}input value can be a scalar only when boundaries tensor "
                               f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) "
                               f"and input value's dim(0) numel(1)")
        if seq.shape[:-1] != vshape[:-1]:
            raise RuntimeError(f"{_SS}boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must "
                               f"match, but we got boundaries tensor {_fmt(seq.shape)} and "
                               f"input value tensor {_fmt(vshape)}")
    srt = None
    if sorter is not None:
        if not isinstance(sorter, Tensor):
            raise TypeError(f"searchsorted(): argument 'sorter' must be Tensor, not "
                            f"{type(sorter).__name__}")
        srt = sorter._data
        if srt.dtype != np.int64:
            raise RuntimeError(f"{_SS}sorter must be a tensor of long dtype but got dtype "
                               f"{_name(srt.dtype)}")
        if srt.shape != seq.shape:
            raise RuntimeError(f"{_SS}boundary and sorter must have the same size, but got "
                               f"boundary tensor {_fmt(seq.shape)}and got sorter tensor "
                               f"{_fmt(srt.shape)}")
        if srt.size and (srt.min() < 0 or srt.max() >= seq.shape[-1]):
            raise RuntimeError(f"{_SS}sorter index out of range")
    res = apply(SearchSorted, (sorted_sequence, input),
                {"right": right, "out_int32": out_int32, "sorter": srt})
    if out is not None:
        from .shape import _out
        return _out(res, out)
    return res


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket index of each value of ``input`` among the sorted 1-D ``boundaries``:
    ``boundaries[i-1] < x <= boundaries[i]`` (``boundaries[i-1] <= x < boundaries[i]`` with
    ``right=True``).

    >>> import ember
    >>> ember.bucketize(ember.tensor([3, 6, 9]), ember.tensor([1, 3, 5, 7, 9]))
    tensor([1, 3, 4])
    """
    if not (isinstance(input, Tensor) or _is_number(input)):
        raise TypeError(f"bucketize(): argument 'input' (position 1) must be Tensor or Number, "
                        f"not {type(input).__name__}")
    _tensor_arg(boundaries, "bucketize", "boundaries", 2)
    b = boundaries._data
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


METHODS = {
    "bincount": bincount, "histc": histc, "histogram": histogram, "unique": _unique_method,
    "unique_consecutive": unique_consecutive,
}
