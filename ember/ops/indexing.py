"""Indexing and selection: ``Tensor.__getitem__`` / ``__setitem__`` with PyTorch's semantics,
``index_select``, ``masked_select``/``masked_fill``, ``gather``/``scatter``/``scatter_add``,
``take``/``take_along_dim``, ``nonzero``/``argwhere``, ``where``, ``index_put``,
``index_add``/``index_fill``/``index_copy``.

Indexing runs in two phases, as PyTorch does: first the basic items (ints select, slices,
None, Ellipsis) make a view; then the advanced items (integer tensors, lists and boolean
masks) gather a copy from that view. That gives PyTorch's result layout where it differs
from NumPy's (``x[0, :, [0, 1]]`` has shape (3, 2) in PyTorch, (2, 3) in NumPy).
"""
import operator
import warnings

import numpy as np

from .._dtype import _FROM_NP, result_type_dtypes, scalar_category
from .._tensor import Tensor, _norm_dim, _wrap
from ..autograd.grad_mode import _state
from ._dispatch import _PARTIAL, Op, _partial_overlap, apply, broadcast_error, inplace
from .shape import (_ALL, Select, Slice, SliceGrad, UnsqueezeSlice, _canonical, _fmt,
                    _index_error, _int, _out)

__all__ = ["index_select", "masked_select", "masked_fill", "masked_scatter", "gather",
           "scatter", "scatter_add", "take", "take_along_dim", "nonzero", "argwhere", "where",
           "index_put", "index_put_", "index_add", "index_fill", "index_copy"]

_ndarray = np.ndarray
_ONE = np.zeros(1, np.int64)          # what a True index selects
_NONE = np.zeros(0, np.int64)         # what a False index selects
_ONE.flags.writeable = False
_NONE.flags.writeable = False
_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))
_BYTE = np.zeros((), np.int8)


def _legacy(npdt):
    return _FROM_NP[npdt]._legacy[:-6]


# --- parsing an index ---------------------------------------------------------------------------
def _index_err():
    return IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _from_array(arr, strict, cast_float=False):
    """Classify an index array: ('i', int), ('b', bool), ('a', int array) or ('m', mask).
    ``strict``: an ember tensor (only int64/int32/uint8/bool); ``cast_float``: a list, whose
    floats become integers as in PyTorch."""
    k = arr.dtype.kind
    if k == "b" or arr.dtype == np.uint8:
        if arr.dtype == np.uint8:
            if strict:
                warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                              "dtype torch.bool instead.", UserWarning, stacklevel=4)
            arr = arr.astype(np.bool_)
        if arr.ndim == 0:
            return "b", bool(arr)
        return "m", arr
    if k in "iu":
        if strict and arr.dtype not in _INDEX_DTYPES and arr.ndim:
            raise _index_err()
        if arr.ndim == 0:
            return "i", int(arr)
        return "a", arr
    if not cast_float or k != "f":
        raise _index_err()
    arr = arr.astype(np.int64)
    return ("i", int(arr)) if arr.ndim == 0 else ("a", arr)


def _from_sequence(seq):
    flat = []
    for o in seq:
        if isinstance(o, Tensor):
            flat.append(o._data)
        else:
            flat.append(o)
    if not flat:
        return "a", _NONE
    try:
        arr = np.array(flat)
    except ValueError:
        raise IndexError("an index list must be rectangular") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"new(): invalid data type '{arr.dtype.name}'")
    if arr.dtype.kind == "u":
        arr = arr.astype(np.int64)
    return _from_array(arr, False, True)


def _classify(it):
    t = type(it)
    if t is int:
        return "i", it
    if t is slice:
        st = it.step
        if st is not None and operator.index(st) <= 0:
            return "S", it              # reported after the count of indices, as PyTorch does
        return "s", it
    if it is None:
        return "n", None
    if it is Ellipsis:
        return "e", None
    if t is bool or t is np.bool_:
        return "b", bool(it)
    if isinstance(it, Tensor):
        return _from_array(it._data, True)
    if isinstance(it, _ndarray):
        return _from_array(it, False, True)
    if isinstance(it, (list, tuple)):
        return _from_sequence(it)
    if isinstance(it, str):
        raise TypeError(f"new(): invalid data type '{t.__name__}'")
    if isinstance(it, (float, complex, np.floating)) or not hasattr(it, "__index__"):
        raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         f"Variables are valid indices (got {t.__name__})")
    return "i", operator.index(it)


def _seq_as_tuple(seq):
    """PyTorch's (NumPy's old) rule: a short list holding slices, None, Ellipsis, tensors or
    sequences is a tuple of indices, not one index tensor."""
    if len(seq) >= 32:
        return False
    for o in seq:
        if o is None or o is Ellipsis or isinstance(o, (slice, Tensor, _ndarray, list, tuple)):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is "
                          "deprecated; use x[tuple(seq)] instead of x[seq].", UserWarning,
                          stacklevel=4)
            return True
    return False


def _parse(x, idx):
    """Split index ``idx`` of array ``x`` into PyTorch's two phases.

    Returns ``(basic, adv, cls, fix)``: the basic key (for a view; ends with Ellipsis so a
    full integer index gives a 0-d view), the advanced key applied to that view (None when
    there is none), the Slice op class to record, and PyTorch's byte strides of new size-1
    dimensions as ``((position, stride), ...)`` (None when there are none).
    """
    shape = x.shape
    nd = len(shape)
    if type(idx) is not tuple:
        if type(idx) is list and _seq_as_tuple(idx):
            idx = tuple(idx)
        else:
            idx = (idx,)
    # PyTorch's order of complaints: too many indices; then each item in turn (a bad Python
    # index, an int out of range, a slice step); then the index tensors (dtype, mask shape).
    items = []
    consumed = 0
    for it in idx:
        try:
            k, v = _classify(it)
        except (IndexError, TypeError, ValueError) as e:
            k, v = ("D" if isinstance(it, Tensor) else "X"), e
        if k == "i" or k == "s" or k == "a" or k == "S" or k == "D" or k == "X":
            consumed += 1
        elif k == "m":
            consumed += v.ndim
        items.append((k, v))
    if consumed > nd:
        if nd == 0 and items[0][0] == "i":
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    late = None
    basic = []
    adv = None
    nones = None
    cls = Slice
    d = r = 0
    ell = False
    for k, v in items:
        if k == "i":
            n = shape[d]
            if v < -n or v >= n:
                raise IndexError(f"index {v} is out of bounds for dimension {r} with size {n}")
            basic.append(v)
            d += 1
            cls = Select
        elif k == "s" or k == "S":
            if k == "S":
                raise ValueError("slice step cannot be zero" if operator.index(v.step) == 0
                                 else "step must be greater than zero")
            basic.append(v)
            d += 1
            r += 1
            cls = Slice
        elif k == "n":
            if nones is None:
                nones = []
            nones.append((r, d))
            basic.append(None)
            r += 1
            cls = UnsqueezeSlice
        elif k == "e":
            m = 0 if ell else nd - consumed
            ell = True
            basic.extend([_ALL] * m)
            d += m
            r += m
        elif k == "X":
            raise v
        elif k == "D":
            late = late or v
            d += 1
            r += 1
        else:
            if adv is None:
                adv = {}
            if k == "b":
                basic.append(None)
                adv[r] = _ONE if v else _NONE
                r += 1
            elif k == "a":
                basic.append(_ALL)
                adv[r] = v
                d += 1
                r += 1
            else:
                m = v.ndim
                if v.shape != shape[d:d + m] and late is None:
                    j = next(i for i in range(m) if v.shape[i] != shape[d + i])
                    late = IndexError(f"The shape of the mask {_fmt(v.shape)} at index {j} "
                                      f"does not match the shape of the indexed tensor "
                                      f"{_fmt(shape)} at index {d + j}")
                basic.extend([_ALL] * m)
                adv[r] = v
                d += m
                r += m
    if late is not None:
        raise late
    while basic and type(basic[-1]) is slice and basic[-1] == _ALL:
        basic.pop()
    basic.append(Ellipsis)
    basic = tuple(basic)
    if adv is not None:
        key = []
        pos = 0
        for p in sorted(adv):
            a = adv[p]
            key.extend([_ALL] * (p - pos))
            key.append(a)
            pos = p + (a.ndim if a.dtype == np.bool_ else 1)
        return basic, tuple(key), cls, None
    fix = None
    if nones is not None:
        st = x.strides
        fix = tuple((p, shape[s] * st[s] if s < nd else x.itemsize) for p, s in nones)
    return basic, None, cls, fix


def _np_index_error(e):
    """NumPy's IndexError in PyTorch's words."""
    msg = str(e)
    if msg.startswith("shape mismatch"):
        shapes = msg.split("shapes", 1)[-1].strip()
        parts = [p.strip("() ") for p in shapes.replace(") (", ")|(").split("|")]
        shapes = ", ".join("[" + ", ".join(q for q in p.split(",") if q.strip()) + "]"
                           for p in parts)
        return IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                          f"with shapes {shapes}")
    return _index_error(e)


# --- gradient accumulation helpers --------------------------------------------------------------
def _add_rows(out, idx, v):
    """``out[idx] += v`` along axis 0 with repeated indices summed (sort + reduceat)."""
    v = np.broadcast_to(v, idx.shape + out.shape[1:])
    n = out.shape[0]
    idx = np.where(idx < 0, idx + n, idx)
    o = np.argsort(idx, kind="stable")
    s = idx[o]
    first = np.empty(s.shape, np.bool_)
    first[:1] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    out[s[starts]] += np.add.reduceat(v[o], starts, axis=0)


def _accum(out, key, v):
    """``out[key] += v`` where repeated indices accumulate (``index_put(accumulate=True)``)."""
    ints = [k for k in key if type(k) is _ndarray and k.dtype != np.bool_]
    if not ints:                  # slices and masks never select an element twice
        out[key] += v
        return
    k = key[-1]
    d = len(key) - 1
    if len(ints) == 1 and k is ints[0] and k.ndim == 1 and out.ndim >= 2 and \
            all(j is _ALL for j in key[:-1]):      # one index along one dim: index_add
        _index_add_into(out, d, k, np.broadcast_to(v, out.shape[:d] + k.shape +
                                                   out.shape[d + 1:]))
        return
    np.add.at(out, key, v)


# --- advanced indexing -------------------------------------------------------------------------
class Index(Op):
    """``x[key]`` for an advanced key (arrays and full slices): a copy."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape = x.shape
        ctx.key = key
        if x.ndim == 0:
            x = x.reshape(1)
        try:
            k = key[-1]
            if type(k) is _ndarray and k.dtype != np.bool_ and all(j is _ALL for j in key[:-1]):
                return x.take(k, axis=len(key) - 1)
            return _canonical(x[key])
        except IndexError as e:
            raise _np_index_error(e) from None

    @staticmethod
    def backward(ctx, g):
        return apply(IndexGrad, (g,), {"shape": ctx.shape, "key": ctx.key})


class IndexGrad(Op):
    """Zeros of ``shape`` with ``g`` accumulated at advanced ``key`` (backward of Index)."""
    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        z = np.zeros(shape, g.dtype)
        _accum(z.reshape(1) if not shape else z, key, g)
        return z

    @staticmethod
    def backward(ctx, gg):
        return apply(Index, (gg,), {"key": ctx.key})


_ELL = (Ellipsis,)


def _fast(x, idx):
    """``_parse`` for the common forms (ints, slices, None, Ellipsis; one index tensor or a
    full-prefix mask) in a single cheap pass; None when the general parser is needed."""
    t = type(idx)
    if t is int or t is slice:
        idx = (idx,)
    elif t is Tensor:
        a = idx._data
        if a.ndim and x.ndim:
            dt = a.dtype
            if dt in _INDEX_DTYPES or dt == np.bool_ and a.shape == x.shape[:a.ndim]:
                return _ELL, (a,), Slice, None
        return None
    elif t is not tuple:
        return None
    nd = x.ndim
    n = 0
    none = ell = False
    arr = None
    for k in idx:
        tk = type(k)
        if tk is Tensor and arr is None:
            arr = k._data
            if arr.ndim == 0 or arr.dtype not in _INDEX_DTYPES:
                return None
            n += 1
        elif tk is int:
            n += 1
        elif tk is slice:
            st = k.step
            if st is not None and (type(st) is not int or st <= 0):
                return None
            n += 1
        elif k is None:
            none = True
        elif k is Ellipsis and not ell:
            ell = True
        else:
            return None
    if n > nd:
        return None
    if arr is not None:         # one index tensor among full slices: a gather along one dim
        if none or ell or any(k != _ALL for k in idx if type(k) is not Tensor):
            return None
        return _ELL, tuple(arr if type(k) is Tensor else _ALL for k in idx), Slice, None
    last = idx[-1] if idx else Ellipsis
    cls = Select if type(last) is int else UnsqueezeSlice if last is None else Slice
    key = idx if ell else idx + _ELL
    fix = None
    if none:
        fix = []
        shape, st = x.shape, x.strides
        d = r = 0
        for k in idx:
            if k is None:
                fix.append((r, shape[d] * st[d] if d < nd else x.itemsize))
                r += 1
            elif k is Ellipsis:
                d += nd - n
                r += nd - n
            elif type(k) is int:
                d += 1
            else:
                d += 1
                r += 1
    return key, None, cls, fix


def _getitem(self, idx):
    d = self._data
    if type(idx) is int and d.ndim:
        return apply(Select, (self,), {"key": (idx, Ellipsis), "fix": None})
    p = _fast(d, idx)
    basic, adv, cls, fix = p if p is not None else _parse(d, idx)
    if adv is None:
        return apply(cls, (self,), {"key": basic, "fix": fix})
    if len(basic) > 1:
        self = apply(cls, (self,), {"key": basic, "fix": None})
    return apply(Index, (self,), {"key": adv})


def _index(t, basic, adv):
    """``t[basic][adv]`` through the ops (used by backward formulas)."""
    if basic is not None and len(basic) > 1:
        t = apply(Slice, (t,), {"key": basic})
    if adv is not None:
        t = apply(Index, (t,), {"key": adv})
    return t


# --- writing through an index ------------------------------------------------------------------
_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def _put_error(tshape, vshape, adv, what):
    if adv is not None:
        return RuntimeError(f"shape mismatch: value tensor of shape {_fmt(vshape)} cannot be "
                            f"broadcast to indexing result of shape {_fmt(what)}")
    n = len(tshape)
    if len(vshape) > n:
        return RuntimeError(f"expand(ember.Tensor{{{_fmt(vshape)}}}, size={_fmt(tshape)}): the "
                            f"number of sizes provided ({n}) must be greater or equal to the "
                            f"number of dimensions in the tensor ({len(vshape)})")
    pad = (1,) * (n - len(vshape)) + tuple(vshape)
    for i in range(n):
        if pad[i] != 1 and pad[i] != tshape[i]:
            return RuntimeError(f"The expanded size of the tensor ({tshape[i]}) must match the "
                                f"existing size ({pad[i]}) at non-singleton dimension {i}.  "
                                f"Target sizes: {_fmt(tshape)}.  Tensor sizes: {_fmt(vshape)}")
    return RuntimeError(f"cannot write a value of shape {_fmt(vshape)} into a region of shape "
                        f"{_fmt(tshape)}")


def _writable(tgt, what=None):
    """A writable alias of a read-only target (a region of an expanded tensor). Like
    PyTorch, a copy into memory shared by several elements is an error, while the indexed
    writes (``what``) are allowed with a deprecation warning."""
    overlap = any(st == 0 and n > 1 for st, n in zip(tgt.strides, tgt.shape))
    if overlap and what is None:
        raise RuntimeError(_OVERLAP)
    from .shape import _root, _strided
    w = _strided(tgt, tgt.strides, writeable=True, via_root=True) \
        if _root(tgt).flags.writeable else None
    if w is None or not w.flags.writeable:
        raise RuntimeError("cannot write into this tensor: its memory is read-only")
    if overlap:
        warnings.warn(f"Use of {what} on expanded tensors is deprecated. Please clone() the "
                      f"tensor before performing this operation.", UserWarning, stacklevel=2)
    return w


def _put_value(tgt, v, vshape, adv, strip):
    """The value of ``tgt[adv] = v`` as PyTorch reads it: ``x[i] = v`` (``strip``) drops the
    leading size-1 dims of ``v``, ``index_put`` does not (NumPy does); a zero-size value is
    checked against the region (NumPy accepts, e.g., [2, 0] into [0])."""
    n = 0
    while n < v.ndim and v.shape[n] == 1:
        n += 1
    if n and strip:
        v = v.reshape(v.shape[n:])
    if v.size == 0 or n and not strip:
        rs = np.broadcast_to(_BYTE, tgt.shape)[adv].shape     # the region's shape
        if len(v.shape) > len(rs) or any(a != 1 and a != b for a, b in
                                         zip(v.shape[::-1], rs[::-1])):
            raise _put_error(tgt.shape, vshape, adv, rs)
    return v


class IndexPut(Op):
    """``x[basic][adv] = v`` (or ``+= v`` with repeated indices summed when ``accumulate``).
    With ``inplace`` the write goes straight into ``x``'s memory (what ``x[i] = v`` and the
    ``_`` variants use through :func:`inplace`)."""
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, v, basic, adv, accumulate=False, inplace=False, strip=False):
        vshape = np.shape(v)
        ctx.basic, ctx.adv, ctx.vshape, ctx.acc = basic, adv, vshape, accumulate
        out = x if inplace else x.copy()
        try:
            tgt = out if basic is None else out[basic]
        except IndexError as e:
            raise _index_error(e) from None
        if adv is not None and tgt.ndim == 0:
            tgt = tgt.reshape(1)
        if not tgt.flags.writeable:
            tgt = _writable(tgt, None if adv is None else "index_put_")
        if type(v) is _ndarray:
            if (_partial_overlap(tgt, v) if adv is None else
                    (np.may_share_memory(out, v) and np.shares_memory(out, v))):
                raise RuntimeError(_PARTIAL)
            if v.dtype != out.dtype:
                v = v.astype(out.dtype)
            if adv is not None and v.ndim:
                v = _put_value(tgt, v, vshape, adv, strip)
        try:
            if adv is None:
                if accumulate:
                    np.add(tgt, v, out=tgt, casting="unsafe")
                else:
                    tgt[...] = v
            elif accumulate:
                _accum(tgt, adv, v)
            else:
                tgt[adv] = v
        except IndexError as e:
            raise _np_index_error(e) from None
        except OverflowError:
            raise RuntimeError(f"value cannot be converted to type {_FROM_NP[out.dtype]} "
                               f"without overflow") from None
        except (ValueError, TypeError) as e:
            what = tgt[adv].shape if adv is not None else tgt.shape
            raise _put_error(tgt.shape, vshape, adv, what) from e
        return out

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        gx = gv = None
        if n[0]:
            gx = g if ctx.acc else apply(IndexPut, (g, 0), {"basic": ctx.basic, "adv": ctx.adv})
        if n[1]:
            gv = _index(g, ctx.basic, ctx.adv)
            extra = len(ctx.vshape) - gv._data.ndim
            if extra > 0:
                gv = gv.reshape((1,) * extra + gv._data.shape)
        return gx, gv


class SetItem(IndexPut):
    """``x[index] = value`` (PyTorch names its node CopySlices, or IndexPutBackward0 when the
    index is only tensors or masks, with no slicing part)."""
    opname = "setitem"
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, x, v, basic, adv, accumulate=False, inplace=False):
        if adv is not None and basic is None:    # PyTorch slices first when it can
            ctx._node_name = "IndexPutBackward0"
        return IndexPut.forward(ctx, x, v, basic, adv, accumulate, inplace, True)


def _value_arg(self, value):
    """PyTorch takes a Tensor or a Python number (NumPy integers too) as the value."""
    if isinstance(value, (Tensor, int, float, np.integer)):
        return value
    mod = type(value).__module__
    name = type(value).__name__ if mod == "builtins" else f"{mod}.{type(value).__name__}"
    raise TypeError(f"can't assign a {name} to a ember.{self.dtype._legacy}")


def _setitem(self, idx, value):
    value = _value_arg(self, value)
    d = self._data
    if type(idx) is int and d.ndim:
        basic, adv = (idx, Ellipsis), None
    else:
        p = _fast(d, idx)
        basic, adv, _, _ = p if p is not None else _parse(d, idx)
        if len(basic) == 1 and basic[0] is Ellipsis:
            basic = None
    if _state.enabled and self._requires_grad and self._grad_fn is None:
        # PyTorch slices first for basic indices (a view), indexes the leaf itself otherwise
        what = "a view of a leaf Variable" if adv is None else "a leaf Variable"
        raise RuntimeError(f"{what} that requires grad is being used in an in-place operation.")
    inplace(SetItem, self, value, basic=basic, adv=adv, accumulate=False, inplace=True)


def _put_key(x, indices, fname="index_put"):
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    key = []
    consumed = 0
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        a = t._data
        if a.dtype == np.bool_ or a.dtype == np.uint8:
            a = a.astype(np.bool_, copy=False)
            consumed += max(a.ndim, 1)
        elif a.dtype in _INDEX_DTYPES:
            consumed += 1
        else:
            raise _index_err()
        key.append(a)
    if consumed > x._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x._data.ndim} (got "
                         f"{len(indices)})")
    return tuple(key)


def _check_same_dtype(x, v, msg):
    if not isinstance(v, Tensor):
        raise TypeError(f"index_put(): argument 'values' must be Tensor, not {type(v).__name__}")
    if v._data.dtype != x._data.dtype:
        raise RuntimeError(msg.format(dst=_legacy(x._data.dtype), src=_legacy(v._data.dtype)))


_PUT_DTYPE = ("Index put requires the source and destination dtypes match, got {dst} for the "
              "destination and {src} for the source.")


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (a tuple of index
    tensors); with ``accumulate=True`` repeated indices add up.

    >>> import ember
    >>> ember.zeros(3).index_put((ember.tensor([0, 0]),), ember.tensor([1., 2.]),
    ...                          accumulate=True)
    tensor([3., 0., 0.])
    """
    key = _put_key(input, indices)
    _check_same_dtype(input, values, _PUT_DTYPE)
    return apply(IndexPut, (input, values), {"basic": None, "adv": key,
                                             "accumulate": bool(accumulate)})


def index_put_(input, indices, values, accumulate=False):
    """In-place :func:`index_put`."""
    key = _put_key(input, indices)
    _check_same_dtype(input, values, _PUT_DTYPE)
    return inplace(IndexPut, input, values, basic=None, adv=key, accumulate=bool(accumulate),
                   inplace=True)


# --- where / masked ops ------------------------------------------------------------------------
_C_NAMES = {np.dtype(k): v for k, v in (
    (np.float16, "c10::Half"), (np.float32, "float"), (np.float64, "double"),
    (np.int8, "signed char"), (np.uint8, "unsigned char"), (np.int16, "short int"),
    (np.int32, "int"), (np.int64, "long int"), (np.bool_, "bool"))}


def _check_bool(mask, msg):
    if not isinstance(mask, Tensor):
        raise TypeError(f"expected a Tensor for the mask, got {type(mask).__name__}")
    dt = mask._data.dtype
    if dt != np.bool_:
        raise RuntimeError(msg.format(dt=_C_NAMES[dt]))


def _bcast_shapes_error(*shapes):
    for i in range(len(shapes)):
        for j in range(i):
            try:
                np.broadcast_shapes(shapes[j], shapes[i])
            except ValueError:
                return broadcast_error(shapes[j], shapes[i])
    return RuntimeError(f"shapes {', '.join(_fmt(s) for s in shapes)} are not broadcastable")


class Where(Op):
    save = (0,)

    @staticmethod
    def forward(ctx, c, a, b, npdt):
        try:
            out = np.where(c, a, b)
        except ValueError:
            raise _bcast_shapes_error(np.shape(c), np.shape(a), np.shape(b)) from None
        return out.astype(npdt, copy=False)

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        n = ctx.needs_input_grad
        ga = where(c, g, 0.0) if n[1] else None
        gb = where(c, 0.0, g) if n[2] else None
        return None, ga, gb


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (tensors or
    numbers, broadcast and promoted); ``where(condition)`` is ``nonzero(condition,
    as_tuple=True)``.

    >>> import ember
    >>> x = ember.tensor([1., -2., 3.])
    >>> ember.where(x > 0, x, 0.)
    tensor([1., 0., 3.])
    """
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing a required argument: 'input' and 'other' are both "
                        "needed")
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' must be Tensor, not "
                        f"{type(condition).__name__}")
    cd = condition._data.dtype
    if cd != np.bool_:
        if cd == np.uint8:
            warnings.warn("where received a uint8 condition tensor. This behavior is deprecated "
                          "and will be removed in a future version of PyTorch. Use a boolean "
                          "condition instead.", UserWarning, stacklevel=2)
            condition = _wrap(condition._data.astype(np.bool_))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_legacy(cd)}")
    dims, zeros, cats = [], [], []
    for a in (input, other):
        if isinstance(a, Tensor):
            (dims if a._data.ndim else zeros).append(_FROM_NP[a._data.dtype])
        else:
            cats.append(scalar_category(a))
    rt = result_type_dtypes(dims, zeros, cats)
    return _out(apply(Where, (condition, input, other), {"npdt": rt.np}), out)


def _where_method(self, condition, other):
    return where(condition, self, other)


class MaskedFill(Op):
    save = (1,)

    @staticmethod
    def forward(ctx, x, mask, value, inplace=False):
        if type(value) is _ndarray:
            ctx._node_name = "MaskedFillBackward1"     # the tensor-value overload
        v = np.asarray(value).astype(x.dtype)
        if inplace:
            np.copyto(x if x.flags.writeable else _writable(x, "masked_fill_"), v, where=mask)
            return x
        try:
            return np.where(mask, v, x)
        except ValueError:
            raise _bcast_shapes_error(x.shape, mask.shape) from None

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        (mask,) = ctx.saved_tensors
        gx = apply(MaskedFill, (g, mask, 0), {}) if n[0] else None
        gv = None
        if n[2]:
            gv = apply(MaskedFill, (g, _wrap(~mask._data), 0), {}).sum()
        return gx, None, gv


_MF_MASK = "masked_fill_ only supports boolean masks, but got mask with dtype {dt}"


def _fill_value(value, fname):
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"{fname} only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
    elif not isinstance(value, (int, float, bool, np.generic)):
        raise TypeError(f"{fname}(): argument 'value' must be Number or Tensor, not "
                        f"{type(value).__name__}")
    return value


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or 0-d tensor) where ``mask`` is True
    (broadcast).

    >>> import ember
    >>> x = ember.tensor([1., 2., 3.])
    >>> x.masked_fill(x > 1, 0.)
    tensor([1., 0., 0.])
    """
    _check_bool(mask, _MF_MASK)
    value = _fill_value(value, "masked_fill_")
    return apply(MaskedFill, (input, mask, value), {})


def masked_fill_(self, mask, value):
    """In-place :func:`masked_fill`; ``mask`` must broadcast to this tensor's shape."""
    _check_bool(mask, _MF_MASK)
    value = _fill_value(value, "masked_fill_")
    sh = self._data.shape
    try:
        b = np.broadcast_shapes(sh, mask._data.shape)
    except ValueError:
        raise broadcast_error(sh, mask._data.shape) from None
    if b != sh:
        raise RuntimeError(f"output with shape {_fmt(sh)} doesn't match the broadcast shape "
                           f"{_fmt(b)}")
    return inplace(MaskedFill, self, mask, value, inplace=True)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True (both broadcast), as a 1-D tensor.

    >>> import ember
    >>> x = ember.tensor([[1, 2], [3, 4]])
    >>> ember.masked_select(x, x > 2)
    tensor([3, 4])
    """
    _check_bool(mask, "masked_select: expected BoolTensor for mask")
    from .shape import broadcast_tensors, reshape
    if input._data.shape != mask._data.shape:
        input, mask = broadcast_tensors(input, mask)
    if input._data.ndim == 0:
        input, mask = reshape(input, 1), reshape(mask, 1)
    return apply(Index, (input,), {"key": (mask._data,)})


class MaskedScatter(Op):
    """``x`` with the leading elements of ``source`` written, in order, where ``mask``."""
    save = (1,)

    @staticmethod
    def forward(ctx, x, mask, src, inplace=False):
        if inplace:
            out = x if x.flags.writeable else _writable(x, "masked_scatter_")
            m = np.broadcast_to(mask, x.shape)
        else:
            shape = np.broadcast_shapes(x.shape, mask.shape)
            out = np.array(np.broadcast_to(x, shape))
            m = np.broadcast_to(mask, shape)
        k = int(np.count_nonzero(m))
        if k > src.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out[m] = src.reshape(-1)[:k]
        ctx.k, ctx.src_shape = k, src.shape
        return x if inplace else out

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        (mask,) = ctx.saved_tensors
        gx = apply(MaskedFill, (g, mask, 0), {}) if n[0] else None
        gs = None
        if n[2]:
            m = np.broadcast_to(mask._data, g._data.shape)
            if not m.ndim:
                g, m = g.reshape(1), m.reshape(1)
            sel = apply(Index, (g,), {"key": (m,)})
            size = int(np.prod(ctx.src_shape))
            gs = apply(SliceGrad, (sel,), {"shape": (size,), "key": (slice(0, ctx.k),
                                                                     Ellipsis)})
            gs = gs.reshape(ctx.src_shape)
        return gx, None, gs


def _masked_scatter_args(input, mask, source, fname):
    _check_bool(mask, fname + " only supports boolean masks, but got mask with dtype {dt}")
    if not isinstance(source, Tensor):
        raise TypeError(f"{fname}(): argument 'source' must be Tensor, not "
                        f"{type(source).__name__}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got {_legacy(input._data.dtype)} and {_legacy(source._data.dtype)}")
    try:
        return np.broadcast_shapes(input._data.shape, mask._data.shape)
    except ValueError:
        raise broadcast_error(input._data.shape, mask._data.shape) from None


def masked_scatter(input, mask, source):
    """A copy of ``input`` with consecutive elements of ``source`` written where ``mask``
    is True (broadcast).

    >>> import ember
    >>> m = ember.tensor([True, False, True])
    >>> ember.zeros(3).masked_scatter(m, ember.tensor([1., 2., 3.]))
    tensor([1., 0., 2.])
    """
    _masked_scatter_args(input, mask, source, "masked_scatter_")
    return apply(MaskedScatter, (input, mask, source), {})


def masked_scatter_(self, mask, source):
    """In-place :func:`masked_scatter`; ``mask`` must broadcast to this tensor's shape."""
    b = _masked_scatter_args(self, mask, source, "masked_scatter_")
    if b != self._data.shape:
        raise RuntimeError(f"output with shape {_fmt(self._data.shape)} doesn't match the "
                           f"broadcast shape {_fmt(b)}")
    return inplace(MaskedScatter, self, mask, source, inplace=True)


# --- nonzero -----------------------------------------------------------------------------------
class Nonzero(Op):
    differentiable = False

    @staticmethod
    def forward(ctx, x, as_tuple):
        if as_tuple:
            if x.ndim == 0:
                return (np.zeros(1 if x else 0, np.int64),)
            return tuple(np.asarray(i, np.int64) for i in np.nonzero(x))
        return np.argwhere(x).astype(np.int64, copy=False)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or with
    ``as_tuple=True`` one 1-D tensor per dimension.

    >>> import ember
    >>> ember.nonzero(ember.tensor([0, 3, 0, 5]))
    tensor([[1],
            [3]])
    """
    if as_tuple:
        return apply(Nonzero, (input,), {"as_tuple": True})
    return _out(apply(Nonzero, (input,), {"as_tuple": False}), out)


def argwhere(input):
    """``nonzero(input)``: the ``(n, ndim)`` indices of non-zero elements."""
    return apply(Nonzero, (input,), {"as_tuple": False})


# --- gather / scatter --------------------------------------------------------------------------
def _grid(index, dim):
    """The full NumPy index of the elements that ``index`` addresses along ``dim``."""
    nd = index.ndim
    out = []
    for d in range(nd):
        if d == dim:
            out.append(index)
        else:
            s = [1] * nd
            s[d] = index.shape[d]
            out.append(np.arange(index.shape[d]).reshape(s))
    return tuple(out)


def _check_index(index, fname, int32_ok=True):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    dt = index._data.dtype
    if dt != np.int64 and not (int32_ok and dt == np.int32):
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index")
    return index._data


def _minmax(a):
    """(min, max) of a non-empty integer array (cheap for the small ones)."""
    if a.size <= 64:
        v = a.ravel().tolist()
        return min(v), max(v)
    return int(a.min()), int(a.max())


def _check_bounds(index, n, dim, exc=RuntimeError):
    if index.size:
        lo, hi = _minmax(index)
        if lo < 0 or hi >= n:
            bad = lo if lo < 0 else hi
            raise exc(f"index {bad} is out of bounds for dimension {dim} with size {n}")


def _gather_checks(x, dim, index, fname="gather"):
    xs = x.shape
    if index.ndim != len(xs) and not (index.ndim <= 1 and len(xs) <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(index.ndim):
        if d != dim and index.shape[d] > (xs[d] if xs else 1):
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{_fmt(index.shape)} to be no larger than self {_fmt(xs)} apart "
                               f"from dimension {dim}")
    _check_bounds(index, xs[dim] if xs else 1, dim)


class Gather(Op):
    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.shape = x.shape
        ctx.dim = dim
        ctx.index = index
        if x.ndim == 0:
            return x.reshape(1)[index]
        return x[_grid(index, dim)]

    @staticmethod
    def backward(ctx, g):
        return apply(GatherGrad, (g,), {"shape": ctx.shape, "index": ctx.index, "dim": ctx.dim})


class GatherGrad(Op):
    """Zeros of ``shape`` with ``g`` scatter-added at ``index`` along ``dim``."""
    node_name = "GatherBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, index, dim):
        ctx.index, ctx.dim = index, dim
        z = np.zeros(shape, g.dtype)
        if not shape:
            np.add.at(z.reshape(1), index, g)
        else:
            np.add.at(z, _grid(index, dim), g)
        return z

    @staticmethod
    def backward(ctx, gg):
        return apply(Gather, (gg,), {"index": ctx.index, "dim": ctx.dim})


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (index has input's number of
    dimensions and is no larger apart from ``dim``).

    >>> import ember
    >>> ember.gather(ember.tensor([[1, 2], [3, 4]]), 1, ember.tensor([[1], [0]]))
    tensor([[2],
            [3]])
    """
    idx = _check_index(index, "gather")
    dim = _norm_dim(_int(dim, "dim"), input._data.ndim)
    _gather_checks(input._data, dim, idx)
    return _out(apply(Gather, (input,), {"index": idx, "dim": dim}), out)


def _scatter_checks(x, dim, index, src, fname):
    xs = x.shape
    nd = len(xs)
    if index.ndim != nd and not (index.ndim <= 1 and nd <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if isinstance(src, _ndarray):
        if src.ndim != index.ndim and not (src.ndim <= 1 and index.ndim <= 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
        ss = src.shape
        for d in range(index.ndim):
            if index.shape[d] > (ss[d] if ss else 1) or \
                    (d != dim and index.shape[d] > (xs[d] if xs else 1)):
                raise RuntimeError(f"Expected index {_fmt(index.shape)} to be no larger than "
                                   f"self {_fmt(xs)} apart from dimension {dim} and to be no "
                                   f"larger size than src {_fmt(ss)}")
    else:
        for d in range(index.ndim):
            if d != dim and index.shape[d] > (xs[d] if xs else 1):
                raise RuntimeError(f"Expected index {_fmt(index.shape)} to be no larger than "
                                   f"self {_fmt(xs)} apart from dimension {dim}")
    _check_bounds(index, xs[dim] if xs else 1, dim)


class Scatter(Op):
    """``x`` with ``src`` (tensor or number) written at ``index`` along ``dim``; ``reduce``
    'add'/'multiply' combines instead of overwriting."""

    @staticmethod
    def forward(ctx, x, src, index, dim, reduce=None, inplace=False):
        ctx.index, ctx.dim, ctx.reduce = index, dim, reduce
        if type(src) is not _ndarray:
            ctx._node_name = "ScatterBackward1"        # the value overload
        ctx.src_shape = np.shape(src)
        out = x if inplace else x.copy()
        if not out.flags.writeable:
            out = _writable(out)
        if out.ndim == 0:
            tgt = out.reshape(1)
            key = (index.reshape(-1),)
            if type(src) is _ndarray:
                src = src.reshape(-1)[:index.size]
        else:
            tgt = out
            key = _grid(index, dim)
            if type(src) is _ndarray and src.shape != index.shape:
                if src.ndim == 0:
                    src = src.reshape((1,) * index.ndim)
                src = src[tuple(slice(0, n) for n in index.shape)]
        if reduce is None:
            tgt[key] = src
        elif reduce == "add":
            np.add.at(tgt, key, src)
        else:
            np.multiply.at(tgt, key, src)
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.reduce == "multiply":
            raise RuntimeError("the derivative for 'scatter' with reduce='multiply' is not "
                               "implemented")
        n = ctx.needs_input_grad
        gx = gs = None
        if n[0]:
            gx = g if ctx.reduce == "add" else apply(
                Scatter, (g, 0), {"index": ctx.index, "dim": ctx.dim})
        if n[1]:
            gs = apply(Gather, (g,), {"index": ctx.index, "dim": ctx.dim})
            if ctx.src_shape != ctx.index.shape:
                gs = _pad_to(gs, ctx.src_shape)
        return gx, gs


def _pad_to(g, shape):
    """Zeros of ``shape`` with ``g`` in the leading corner (gradient of a used region)."""
    gs = g._data.shape
    if len(shape) != len(gs):
        return g.reshape(shape) if g._data.size == int(np.prod(shape)) else g
    key = tuple(slice(0, n) for n in gs) + (Ellipsis,)
    return apply(SliceGrad, (g,), {"shape": tuple(shape), "key": key})


_REDUCES = {None: None, "add": "add", "multiply": "multiply"}


def _scatter_args(input, dim, index, src, value, reduce, fname):
    idx = index._data
    if src is None:
        src = value
    if src is None:
        raise TypeError(f"{fname}() missing required argument 'src' or 'value'")
    dim = _norm_dim(_int(dim, "dim"), input._data.ndim)
    if isinstance(src, Tensor):
        if src._data.dtype != input._data.dtype:
            raise RuntimeError(f"{fname}(): Expected self.dtype to be equal to src.dtype")
        sarr = src._data
    else:
        if not isinstance(src, (int, float, bool, np.generic)):
            raise TypeError(f"{fname}(): argument 'src' must be Tensor or Number, not "
                            f"{type(src).__name__}")
        sarr = None
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
    _scatter_checks(input._data, dim, idx, sarr, fname)
    return dim, idx, src


def _check_index_long(index, fname):
    return _check_index(index, fname.rstrip("_"))


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or a number) written at ``index`` along
    ``dim``: ``out[i][index[i][j]] = src[i][j]`` for ``dim=1``.

    >>> import ember
    >>> ember.zeros(2, 3).scatter(1, ember.tensor([[2], [0]]), 1.)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    _check_index_long(index, "scatter")
    dim, idx, src = _scatter_args(input, dim, index, src, value, reduce, "scatter")
    return apply(Scatter, (input, src), {"index": idx, "dim": dim, "reduce": reduce})


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    """In-place :func:`scatter`."""
    _check_index_long(index, "scatter_")
    dim, idx, src = _scatter_args(self, dim, index, src, value, reduce, "scatter_")
    return inplace(Scatter, self, src, index=idx, dim=dim, reduce=reduce, inplace=True)


def _check_src_tensor(src, fname):
    if not isinstance(src, Tensor):
        raise TypeError(f"{fname}(): argument 'src' (position 3) must be Tensor, not "
                        f"{type(src).__name__}")


class ScatterAdd(Scatter):
    """``scatter_add``: Scatter with ``reduce='add'``, under PyTorch's node name."""
    opname = "scatter_add"
    node_name = "ScatterAddBackward0"


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up).

    >>> import ember
    >>> ember.zeros(3).scatter_add(0, ember.tensor([0, 0, 2]), ember.tensor([1., 2., 3.]))
    tensor([3., 0., 3.])
    """
    _check_src_tensor(src, "scatter_add")
    _check_index_long(index, "scatter_add")
    dim, idx, src = _scatter_args(input, dim, index, src, None, "add", "scatter_add")
    return apply(ScatterAdd, (input, src), {"index": idx, "dim": dim, "reduce": "add"})


def scatter_add_(self, dim, index, src):
    """In-place :func:`scatter_add`."""
    _check_src_tensor(src, "scatter_add_")
    _check_index_long(index, "scatter_add_")
    dim, idx, src = _scatter_args(self, dim, index, src, None, "add", "scatter_add_")
    return inplace(ScatterAdd, self, src, index=idx, dim=dim, reduce="add", inplace=True)


# --- index_select / index_add / index_fill / index_copy ----------------------------------------
def _vector_index(index, fname):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    idx = index._data
    if idx.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{fname}(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError(f"{fname}(): Index is supposed to be a vector")
    return idx.reshape(-1)


class IndexSelect(Op):
    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.shape, ctx.index, ctx.dim = x.shape, index, dim
        if x.ndim == 0:
            return x.copy()
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return apply(IndexSelectGrad, (g,), {"shape": ctx.shape, "index": ctx.index,
                                             "dim": ctx.dim})


def _index_add_into(out, dim, index, v):
    """``out[..., index, ...] += v`` along ``dim`` with repeated indices summed; ``v`` has
    ``out``'s number of dimensions (or is a number)."""
    if out.ndim == 0:
        out = out.reshape(1)
        v = np.reshape(v, -1)
    elif dim:
        out = np.moveaxis(out, dim, 0)
        if np.ndim(v):
            v = np.moveaxis(v, dim, 0)
    if out.ndim >= 2 and index.size * (out.size // max(out.shape[0], 1)) > 4096:
        _add_rows(out, index, v)
    else:
        np.add.at(out, index, v)


class IndexSelectGrad(Op):
    """Zeros of ``shape`` with ``g`` added at ``index`` along ``dim``."""
    node_name = "IndexSelectBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, index, dim):
        ctx.index, ctx.dim = index, dim
        z = np.zeros(shape, g.dtype)
        _index_add_into(z, dim, index, g)
        return z

    @staticmethod
    def backward(ctx, gg):
        return apply(IndexSelect, (gg,), {"index": ctx.index, "dim": ctx.dim})


def index_select(input, dim, index, *, out=None):
    """The entries at ``index`` (a 1-D integer tensor) along ``dim``.

    >>> import ember
    >>> ember.tensor([[1, 2, 3], [4, 5, 6]]).index_select(1, ember.tensor([2, 0]))
    tensor([[3, 1],
            [6, 4]])
    """
    idx = _vector_index(index, "index_select")
    xs = input._data.shape
    dim = _norm_dim(_int(dim, "dim"), len(xs))
    n = xs[dim] if xs else 1
    if not xs and idx.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    if idx.size:
        lo, hi = _minmax(idx)
        if lo < 0 or hi >= n:
            raise RuntimeError(f"index_select(): index {lo if lo < 0 else hi} is out of bounds "
                               f"for dimension {dim} with size {n}")
    return _out(apply(IndexSelect, (input,), {"index": idx, "dim": dim}), out)


def _along_checks(x, dim, idx, src, fname, what="source"):
    xs = x._data.shape
    n = xs[dim] if xs else 1
    if src is not None:
        ss = src._data.shape
        k = ss[dim] if ss else 1
        if idx.size != k:
            raise RuntimeError(f"{fname}(): Number of indices ({idx.size}) should be equal to "
                               f"{what}.size(dim): ({k}), for dim: {dim}")
        if len(ss) != len(xs) and (ss or len(xs) > 1) or any(
                d != dim and ss[d] != xs[d] for d in range(len(ss))):
            raise RuntimeError(f"{what} tensor shape must match self tensor shape, excluding "
                               f"the specified dimension. Got self.shape = {_fmt(xs)} "
                               f"{what}.shape = {_fmt(ss)}")
    _check_bounds(idx, n, dim)


class IndexAdd(Op):
    @staticmethod
    def forward(ctx, x, src, index, dim, alpha=1, inplace=False):
        ctx.index, ctx.dim, ctx.alpha = index, dim, alpha
        out = x if inplace else x.copy()
        if not out.flags.writeable:
            out = _writable(out)
        v = src if alpha == 1 else (src * alpha).astype(x.dtype, copy=False)
        _index_add_into(out, dim, index, v)
        return out

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        gs = None
        if n[1]:
            gs = apply(IndexSelect, (g,), {"index": ctx.index, "dim": ctx.dim})
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return (g if n[0] else None), gs


def _index_add_args(input, dim, index, source, fname):
    idx = _vector_index(index, fname)
    if not isinstance(source, Tensor):
        raise TypeError(f"{fname}(): argument 'source' must be Tensor, not "
                        f"{type(source).__name__}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"{fname}(): self ({_legacy(input._data.dtype)}) and source "
                           f"({_legacy(source._data.dtype)}) must have the same scalar type")
    dim = _norm_dim(_int(dim, "dim"), input._data.ndim)
    _along_checks(input, dim, idx, source, "index_add_")
    return dim, idx


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``
    (repeated indices add up).

    >>> import ember
    >>> ember.zeros(3).index_add(0, ember.tensor([0, 0]), ember.tensor([1., 2.]))
    tensor([3., 0., 0.])
    """
    dim, idx = _index_add_args(input, dim, index, source, "index_add")
    return apply(IndexAdd, (input, source), {"index": idx, "dim": dim, "alpha": alpha})


def index_add_(self, dim, index, source, *, alpha=1):
    """In-place :func:`index_add`."""
    dim, idx = _index_add_args(self, dim, index, source, "index_add_")
    return inplace(IndexAdd, self, source, index=idx, dim=dim, alpha=alpha, inplace=True)


class IndexFill(Op):
    @staticmethod
    def forward(ctx, x, value, index, dim, inplace=False):
        ctx.index, ctx.dim = index, dim
        out = x if inplace else x.copy()
        tgt = out.reshape(1) if out.ndim == 0 else out
        if not tgt.flags.writeable:
            tgt = _writable(tgt, "index_fill_")
        tgt[(_ALL,) * dim + (index,)] = np.asarray(value).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        gx = apply(IndexFill, (g, 0), {"index": ctx.index, "dim": ctx.dim}) if n[0] else None
        gv = None
        if n[1]:
            gv = apply(IndexSelect, (g,), {"index": np.unique(ctx.index % max(
                g._data.shape[ctx.dim] if g._data.ndim else 1, 1)), "dim": ctx.dim}).sum()
        return gx, gv


def _index_fill_args(input, dim, index, value, fname):
    idx = _vector_index(index, fname)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{fname}(): Expected dtype int64 for index.")
    value = _fill_value(value, fname)
    dim = _norm_dim(_int(dim, "dim"), input._data.ndim)
    xs = input._data.shape
    n = xs[dim] if xs else 1
    if idx.size:
        lo, hi = _minmax(idx)
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
    return dim, idx, value


def index_fill(input, dim, index, value):
    """A copy of ``input`` with ``value`` written at ``index`` along ``dim``.

    >>> import ember
    >>> ember.zeros(2, 3).index_fill(1, ember.tensor([0, 2]), 1.)
    tensor([[1., 0., 1.],
            [1., 0., 1.]])
    """
    dim, idx, value = _index_fill_args(input, dim, index, value, "index_fill")
    return apply(IndexFill, (input, value), {"index": idx, "dim": dim})


def index_fill_(self, dim, index, value):
    """In-place :func:`index_fill`."""
    dim, idx, value = _index_fill_args(self, dim, index, value, "index_fill_")
    return inplace(IndexFill, self, value, index=idx, dim=dim, inplace=True)


class IndexCopy(Op):
    @staticmethod
    def forward(ctx, x, src, index, dim, inplace=False):
        ctx.index, ctx.dim, ctx.src_shape = index, dim, src.shape
        out = x if inplace else x.copy()
        if not out.flags.writeable:
            out = _writable(out)
        if out.ndim == 0:
            out[...] = src.reshape(())
        else:
            out[(_ALL,) * dim + (index,)] = src
        return out

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        gx = apply(IndexFill, (g, 0), {"index": ctx.index, "dim": ctx.dim}) if n[0] else None
        gs = None
        if n[1]:
            gs = apply(IndexSelect, (g,), {"index": ctx.index, "dim": ctx.dim})
            if gs._data.shape != ctx.src_shape:
                gs = gs.reshape(ctx.src_shape)
        return gx, gs


def _index_copy_args(input, dim, index, source, fname):
    idx = _vector_index(index, fname)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{fname}(): Expected a long tensor for index, but got "
                           f"{_legacy(idx.dtype)}")
    if not isinstance(source, Tensor):
        raise TypeError(f"{fname}(): argument 'source' must be Tensor, not "
                        f"{type(source).__name__}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"{fname}(): self and source expected to have the same dtype, but got "
                           f"(self) {_legacy(input._data.dtype)} and (source) "
                           f"{_legacy(source._data.dtype)}")
    dim = _norm_dim(_int(dim, "dim"), input._data.ndim)
    try:
        _along_checks(input, dim, idx, source, "index_copy_")
    except RuntimeError as e:
        if "Number of indices" in str(e):
            raise IndexError(str(e)) from None
        raise
    return dim, idx


def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices of ``source`` written at ``index`` along ``dim``.

    >>> import ember
    >>> ember.zeros(3).index_copy(0, ember.tensor([2, 0]), ember.tensor([1., 2.]))
    tensor([2., 0., 1.])
    """
    dim, idx = _index_copy_args(input, dim, index, source, "index_copy")
    return apply(IndexCopy, (input, source), {"index": idx, "dim": dim})


def index_copy_(self, dim, index, source):
    """In-place :func:`index_copy`."""
    dim, idx = _index_copy_args(self, dim, index, source, "index_copy_")
    return inplace(IndexCopy, self, source, index=idx, dim=dim, inplace=True)


# --- take / take_along_dim ---------------------------------------------------------------------
def take(input, index):
    """Elements of ``input`` seen as 1-D at ``index`` (any shape; negatives count from the
    end).

    >>> import ember
    >>> ember.take(ember.tensor([[1, 2], [3, 4]]), ember.tensor([0, 3]))
    tensor([1, 4])
    """
    if not isinstance(index, Tensor):
        raise TypeError(f"take(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{_legacy(idx.dtype)}")
    n = input._data.size
    if idx.size:
        lo, hi = _minmax(idx)
        if lo < -n or hi >= n:
            raise IndexError(f"out of range: tried to access index {lo if lo < -n else hi} on "
                             f"a tensor of {n} elements.")
    from .shape import reshape
    flat = reshape(input, -1)
    return apply(Index, (flat,), {"key": (idx,)})


def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of ``input`` at ``indices`` along ``dim`` (broadcast against each other apart
    from ``dim``); with ``dim=None`` both are flattened.

    >>> import ember
    >>> x = ember.tensor([[10, 30, 20], [60, 40, 50]])
    >>> ember.take_along_dim(x, x.argmax(1, keepdim=True), 1)
    tensor([[30],
            [60]])
    """
    from .shape import expand, reshape
    if not isinstance(indices, Tensor):
        raise TypeError(f"take_along_dim(): argument 'indices' must be Tensor, not "
                        f"{type(indices).__name__}")
    idx = indices._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_legacy(idx.dtype)}")
    wrap = dim is not None
    if dim is None:
        input = reshape(input, -1)
        idx = idx.reshape(-1)
        dim = 0
    else:
        xs = input._data.shape
        if len(xs) != idx.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {len(xs)} dimensions for input, "
                               f"and {idx.ndim} dimensions for indices")
        dim = _norm_dim(_int(dim, "dim"), len(xs))
        s = list(xs)
        s[dim] = idx.shape[dim]
        try:
            b = np.broadcast_shapes(tuple(s), idx.shape)
        except ValueError:
            raise broadcast_error(tuple(s), idx.shape) from None
        idx = np.broadcast_to(idx, b)
        s = list(b)
        s[dim] = xs[dim]
        if tuple(s) != xs:
            input = expand(input, tuple(s))
    n = input._data.shape[dim] if input._data.ndim else 1
    if wrap and idx.size and idx.min() < 0:
        idx = np.where(idx < 0, idx + n, idx)
    _check_bounds(idx, n, dim)
    return _out(apply(Gather, (input,), {"index": idx, "dim": dim}), out)


# --- methods -----------------------------------------------------------------------------------
def _nonzero_method(self, *, as_tuple=False):
    return nonzero(self, as_tuple=as_tuple)


METHODS = {
    "__getitem__": _getitem, "__setitem__": _setitem,
    "index_select": index_select, "masked_select": masked_select,
    "masked_fill": masked_fill, "masked_fill_": masked_fill_,
    "masked_scatter": masked_scatter, "masked_scatter_": masked_scatter_,
    "gather": gather, "scatter": scatter, "scatter_": scatter_,
    "scatter_add": scatter_add, "scatter_add_": scatter_add_,
    "take": take, "take_along_dim": take_along_dim,
    "nonzero": _nonzero_method, "argwhere": argwhere, "where": _where_method,
    "index_put": index_put, "index_put_": index_put_,
    "index_add": index_add, "index_add_": index_add_,
    "index_fill": index_fill, "index_fill_": index_fill_,
    "index_copy": index_copy, "index_copy_": index_copy_,
}
