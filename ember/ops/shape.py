"""Shape ops: views (view, reshape, permute, transpose, expand, squeeze, unsqueeze, narrow,
diagonal, split, unbind …), joins (cat, stack …) and copies that rearrange elements (repeat,
tile, repeat_interleave, flip, roll).

View ops return NumPy views that share memory and the version counter with their input, and
report PyTorch's strides (NumPy and PyTorch disagree on the stride of some size-1 and
broadcast dimensions; :func:`_strided` rebuilds those views with PyTorch's layout).
"""
import warnings

import numpy as np

from .._tensor import Size, Tensor, _norm_dim, _wrap
from ._dispatch import Op, _as_view, apply, broadcast_error

__all__ = ["reshape", "permute", "transpose", "swapaxes", "swapdims", "unsqueeze", "squeeze",
           "flatten", "unflatten", "ravel", "t", "adjoint", "select", "narrow", "diagonal",
           "movedim", "moveaxis", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
           "tile", "repeat_interleave", "cat", "concat", "concatenate", "stack", "hstack",
           "vstack", "dstack", "column_stack", "row_stack", "atleast_1d", "atleast_2d",
           "atleast_3d", "split", "tensor_split", "hsplit", "vsplit", "dsplit", "chunk",
           "unbind", "flip", "fliplr", "flipud", "roll", "meshgrid", "cartesian_prod",
           "combinations", "diff"]

_ndarray = np.ndarray
_ALL = slice(None)


# --- helpers -----------------------------------------------------------------------------------
def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _int(v, what="argument"):
    """A Python int from an int, NumPy integer or one-element integer Tensor."""
    if type(v) is int:
        return v
    if isinstance(v, (bool, float)) or not hasattr(v, "__index__"):
        raise TypeError(f"{what} must be int, not {type(v).__name__}")
    return v.__index__()


def _shape_args(args, fname):
    if not args:
        raise TypeError(f"{fname}() missing 1 required positional argument: 'shape'")
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for s in args:
        if type(s) is int:
            out.append(s)
            continue
        if isinstance(s, Tensor):
            s = s.item()
        if isinstance(s, (bool, float)) or not hasattr(s, "__index__"):
            raise TypeError(f"{fname}(): argument 'shape' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        out.append(s.__index__())
    return tuple(out)


def _dim_list(dims, nd, fname=None):
    """Normalise an int or a sequence of dims, rejecting duplicates as PyTorch does."""
    if not isinstance(dims, (tuple, list)):
        dims = (dims,)
    out = tuple(_norm_dim(_int(d, "dim"), nd) for d in dims)
    if len(set(out)) != len(out):
        seen = set()
        for d in out:
            if d in seen:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
            seen.add(d)
    return out


def _infer(shape, numel):
    """Resolve one -1 in ``shape`` for a tensor of ``numel`` elements (PyTorch's checks)."""
    neg = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if neg >= 0:
                raise RuntimeError("only one dimension can be inferred")
            neg = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_fmt(shape)}")
        else:
            known *= s
    if neg >= 0:
        if known == 0:
            if numel == 0:
                raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {_fmt(shape)} "
                                   "because the unspecified dimension size -1 can be any value "
                                   "and is ambiguous")
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg] + (numel // known,) + shape[neg + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return shape


def _root(v):
    while True:
        b = v.base
        if not isinstance(b, _ndarray):
            return v
        v = b


def _strided(v, strides, shape=None, writeable=None, via_root=False):
    """A view of ``v``'s memory starting at ``v``'s first element, with ``shape`` (default
    ``v.shape``) and byte ``strides``; the base chain reaches the memory's owner, so views
    made this way stay ordinary NumPy views. Returns None when the memory can't be re-viewed."""
    if shape is None:
        shape = v.shape
    try:
        fl = v.flags
        if not via_root and (fl.c_contiguous or fl.f_contiguous):   # v's buffer: v[0, ...]
            r = _ndarray(shape, v.dtype, buffer=v, offset=0, strides=strides)
        else:
            root = _root(v)
            off = v.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            r = _ndarray(shape, v.dtype, buffer=root, offset=off, strides=strides)
    except (TypeError, ValueError, BufferError):
        return None
    if writeable is None:
        writeable = v.flags.writeable
    if not writeable and r.flags.writeable:
        r.flags.writeable = False
    return r


def _contig_strides(shape, itemsize):
    st = []
    acc = itemsize
    for s in reversed(shape):
        st.append(acc)
        acc *= s if s > 1 else 1
    return tuple(reversed(st))


def _canonical(a):
    """``a`` as a C-contiguous array with PyTorch's strides (a copy only when ``a`` isn't
    contiguous): the layout of a freshly computed result."""
    if not a.flags.c_contiguous:
        return np.array(a, order="C")
    if a.ndim > 1 and a.size:
        st = _contig_strides(a.shape, a.itemsize)
        if a.strides != st:
            r = _strided(a, st)
            if r is not None:
                return r
    return a


def _restride(v, strides):
    """``v`` with PyTorch's byte ``strides`` (when they differ from NumPy's)."""
    if v.strides == strides or v.size == 0:
        return v
    r = _strided(v, strides)
    return v if r is None else r


def _out(result, out):
    """Write ``result`` into ``out`` (PyTorch's ``out=``), resizing an empty/mismatched one."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    from .copy import copy_
    copy_(out, result)
    return out


def _mark_views(outs, base):
    """Share ``base``'s version counter with every output that is a view (apply marks only
    the first output of a multi-output op)."""
    for o in outs:
        if o._data.base is not None:
            _as_view(o, base)
    return outs


# --- view and reshape --------------------------------------------------------------------------
_VIEW_ERR = ("view size is not compatible with input tensor's size and stride (at least one "
             "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")


def _view_strides(old, ost, new, itemsize):
    """Byte strides for viewing an array of shape ``old`` / byte strides ``ost`` as shape
    ``new`` without copying, chosen as PyTorch chooses them (size-1 dimensions included);
    None when no view exists.

    The old dimensions fall into chunks that are contiguous among themselves (size-1
    dimensions never break a chunk). Walking both shapes from the right, each chunk must be
    covered exactly by consecutive new dimensions, whose strides are the chunk's innermost
    stride times the sizes to their right within the chunk; new size-1 dimensions are taken
    by the chunk being filled when they are met.
    """
    if not old:
        return (itemsize,) * len(new)
    nv = len(new)
    out = [0] * nv
    v = nv - 1
    base = ost[-1]
    tn = 1
    vn = 1
    for d in range(len(old) - 1, -1, -1):
        tn *= old[d]
        if d == 0 or (old[d - 1] != 1 and ost[d - 1] != tn * base):
            while v >= 0 and (vn < tn or new[v] == 1):
                out[v] = vn * base
                vn *= new[v]
                v -= 1
            if vn != tn:
                return None
            if d > 0:
                base = ost[d - 1]
                tn = vn = 1
    if v != -1:
        return None
    return tuple(out)


def _view(x, shape):
    """``x`` viewed as ``shape`` with PyTorch's strides, or None when that needs a copy."""
    if not x.size or x.flags.c_contiguous and (
            1 not in x.shape or x.strides == _contig_strides(x.shape, x.itemsize)):
        return x.reshape(shape)             # canonical strides, as PyTorch's
    st = _view_strides(x.shape, x.strides, shape, x.itemsize)
    if st is None:
        return None
    v = _strided(x, st, shape)
    return x.reshape(shape, copy=False) if v is None else v


class View(Op):
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        v = _view(x, shape)
        if v is None:
            raise RuntimeError(_VIEW_ERR)
        return v

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Reshape(Op):
    view = True
    complex_autograd = True
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        v = _view(x, shape)
        if v is None:
            v = np.empty(shape, x.dtype)        # a copy that owns its memory (base None)
            v.reshape(x.shape)[...] = x
        return v

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


def view(self, *shape):
    """A view of this tensor with another shape (no copy; the strides must allow it), or
    ``view(dtype)``: the same memory reinterpreted as another dtype.

    >>> import ember
    >>> ember.arange(6).view(3, -1)
    tensor([[0, 1],
            [2, 3],
            [4, 5]])
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)) \
            and shape[0] is not None and not isinstance(shape[0], Tensor):
        from .copy import view_as_dtype
        return view_as_dtype(self, shape[0])
    shape = _infer(_shape_args(shape, "view"), self._data.size)
    return apply(View, (self,), {"shape": shape})


def view_as(self, other):
    """``self.view(other.shape)``."""
    return view(self, other._data.shape)


def reshape(input, *shape):
    """A tensor with the same data and a new shape: a view when possible, else a copy.

    >>> import ember
    >>> ember.arange(6).reshape(2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    shape = _infer(_shape_args(shape, "reshape"), input._data.size)
    return apply(Reshape, (input,), {"shape": shape})


def reshape_as(self, other):
    """``self.reshape(other.shape)``."""
    return reshape(self, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim`` … ``end_dim`` into one (a view when possible).

    >>> import ember
    >>> ember.zeros(2, 3, 4).flatten(1).shape
    ember.Size([2, 12])
    """
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(input, 1)
    s = _norm_dim(_int(start_dim, "start_dim"), nd)
    e = _norm_dim(_int(end_dim, "end_dim"), nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return apply(Reshape, (input,), {"shape": shape[:s] + (n,) + shape[e + 1:]})


def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (one entry may be -1); a view.

    >>> import ember
    >>> ember.zeros(2, 12).unflatten(1, (3, -1)).shape
    ember.Size([2, 3, 4])
    """
    shape = input._data.shape
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    sizes = _shape_args((sizes,), "unflatten")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[dim]
    try:
        sizes = _infer(sizes, n)
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {_fmt(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({n}) in the input tensor") from None
    return apply(Reshape, (input,), {"shape": shape[:dim] + sizes + shape[dim + 1:]})


def ravel(input):
    """The elements as a 1-D tensor: a view of a contiguous tensor, else a copy."""
    if not input._data.flags.c_contiguous:
        from .copy import contiguous
        input = contiguous(input)
    return apply(View, (input,), {"shape": (input._data.size,)})


# --- permutations ------------------------------------------------------------------------------
class Permute(Op):
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.permute(inv)


def permute(input, *dims):
    """A view with the dimensions reordered.

    >>> import ember
    >>> ember.zeros(2, 3, 4).permute(2, 0, 1).shape
    ember.Size([4, 2, 3])
    """
    nd = input._data.ndim
    dims = _shape_args(dims, "permute")
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_norm_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(Permute, (input,), {"dims": dims})


class Transpose(Op):
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.d = (dim0, dim1)
        return x.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(*ctx.d)


def transpose(input, dim0, dim1):
    """A view with dimensions ``dim0`` and ``dim1`` swapped.

    >>> import ember
    >>> ember.tensor([[1, 2, 3]]).transpose(0, 1)
    tensor([[1],
            [2],
            [3]])
    """
    nd = input._data.ndim
    if nd == 0:
        _norm_dim(_int(dim0, "dim0"), 0)
        _norm_dim(_int(dim1, "dim1"), 0)
        return apply(Permute, (input,), {"dims": ()})
    return apply(Transpose, (input,), {"dim0": _norm_dim(_int(dim0, "dim0"), nd),
                                       "dim1": _norm_dim(_int(dim1, "dim1"), nd)})


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dimensions (0-D and 1-D come back as they are)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd == 2:
        return apply(T, (input,), {"dim0": 0, "dim1": 1})
    return apply(Permute, (input,), {"dims": tuple(range(nd))})


class T(Transpose):
    """``t()``: the transpose of a matrix (PyTorch names its node ``TBackward0``)."""
    opname = "t"
    node_name = "TBackward0"


def adjoint(input):
    """The conjugate transpose of the last two dimensions (a view; real tensors: ``mT``)."""
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {nd}-D tensor.")
    return apply(Transpose, (input,), {"dim0": nd - 2, "dim1": nd - 1})


def _H(self):
    nd = self._data.ndim
    if nd == 2:
        return apply(Transpose, (self,), {"dim0": 0, "dim1": 1})
    if nd == 0:
        import warnings
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return apply(Permute, (self,), {"dims": ()})
    raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor."
                       + (" For batches of matrices, consider using tensor.mH" if nd > 2 else ""))


def _mH(self):
    nd = self._data.ndim
    if nd < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {nd}-D tensor.")
    return apply(Transpose, (self,), {"dim0": nd - 2, "dim1": nd - 1})


def movedim(input, source, destination):
    """Move dimensions ``source`` to positions ``destination`` (ints or sequences); a view.

    >>> import ember
    >>> ember.zeros(2, 3, 4).movedim(0, -1).shape
    ember.Size([3, 4, 2])
    """
    nd = input._data.ndim
    src = list(source) if isinstance(source, (tuple, list)) else [source]
    dst = list(destination) if isinstance(destination, (tuple, list)) else [destination]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    src = [_norm_dim(_int(d, "source"), nd) for d in src]
    dst = [_norm_dim(_int(d, "destination"), nd) for d in dst]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in set(src))
    order = tuple(o if o is not None else next(rest) for o in order)
    return apply(Permute, (input,), {"dims": order})


moveaxis = movedim


# --- expand / broadcast ------------------------------------------------------------------------
class Expand(Op):
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, shape, strides):
        ctx.shape = x.shape
        if shape == x.shape:
            return x.view()
        fl = x.flags
        if x.size and (fl.c_contiguous or fl.f_contiguous):
            v = _ndarray(shape, x.dtype, buffer=x, offset=0, strides=strides)
            if not fl.writeable or any(st == 0 and n > 1 for st, n in zip(strides, shape)):
                v.flags.writeable = False
            return v
        # memory shared by several elements: read-only, as NumPy's broadcast views
        shared = any(st == 0 and n > 1 for st, n in zip(strides, shape))
        v = _strided(x, strides, shape, writeable=not shared and x.flags.writeable) \
            if x.size else None
        if v is None:
            v = np.broadcast_to(x, shape)
        return v

    @staticmethod
    def backward(ctx, g):
        from ._dispatch import sum_to
        return sum_to(g, ctx.shape)


def _expand_geometry(x, sizes, what="expand"):
    """PyTorch's expanded shape and byte strides of array ``x`` for target ``sizes``."""
    shape = x.shape
    nd = len(sizes)
    lead = nd - len(shape)
    if lead < 0:
        raise RuntimeError(f"{what}({_type_str(x)}{{{_fmt(shape)}}}, size={_fmt(sizes)}): the "
                           f"number of sizes provided ({nd}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({len(shape)})")
    out = [0] * nd
    st = [0] * nd
    xs = x.strides
    zero_d = not shape           # PyTorch gives every dimension of an expanded 0-d tensor stride 0
    isz = x.itemsize
    for i in range(nd - 1, -1, -1):
        s = sizes[i]
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out[i] = s
            st[i] = (out[i + 1] * st[i + 1] if i + 1 < nd else isz) if s == 1 and not zero_d \
                else 0
            continue
        cur = shape[i - lead]
        if s == -1 or s == cur:
            out[i] = cur
            st[i] = xs[i - lead]
        elif cur == 1:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out[i] = s
            st[i] = 0
        else:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{_fmt(sizes)}.  Tensor sizes: {_fmt(shape)}")
    return tuple(out), tuple(st)


def _type_str(x):
    from .._dtype import _FROM_NP
    return f"ember.{_FROM_NP[x.dtype]._legacy}"


def expand(self, *sizes):
    """A broadcast view of this tensor (no copy); -1 keeps a dimension's size.

    >>> import ember
    >>> ember.tensor([[1], [2]]).expand(2, 3)
    tensor([[1, 1, 1],
            [2, 2, 2]])
    """
    sizes = _shape_args(sizes, "expand")
    shape, strides = _expand_geometry(self._data, sizes)
    return apply(Expand, (self,), {"shape": shape, "strides": strides})


def expand_as(self, other):
    """``self.expand(other.shape)``."""
    return expand(self, other._data.shape)


def broadcast_to(input, size):
    """``input.expand(size)``: a broadcast view."""
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to (ints count as 1-D shapes).

    >>> import ember
    >>> ember.broadcast_shapes((2, 1), (3,))
    ember.Size([2, 3])
    """
    norm = []
    for s in shapes:
        if isinstance(s, (tuple, list)):
            norm.append(tuple(_int(k, "shape") for k in s))
        else:
            norm.append((_int(s, "shape"),))
    nd = max((len(s) for s in norm), default=0)
    out = [1] * nd
    for j, s in enumerate(norm):
        for i, k in enumerate(s):
            p = nd - len(s) + i
            if k < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {k}: "
                                   f"{list(s)}")
            if out[p] == 1:
                out[p] = k
            elif k != 1 and k != out[p]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {k} at "
                                   f"{p - nd}! Mismatching argument at index {j} had {s}; but "
                                   f"expected shape should be broadcastable to {out}")
    return Size(out)


def broadcast_tensors(*tensors):
    """Views of ``tensors`` expanded to their common broadcast shape (a tuple).

    >>> import ember
    >>> a, b = ember.broadcast_tensors(ember.zeros(2, 1), ember.zeros(3))
    >>> a.shape, b.shape
    (ember.Size([2, 3]), ember.Size([2, 3]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shapes = [t._data.shape for t in tensors]
    try:
        shape = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        for i in range(len(shapes)):
            for j in range(i):
                try:
                    np.broadcast_shapes(shapes[j], shapes[i])
                except ValueError:
                    raise broadcast_error(shapes[j], shapes[i]) from None
        raise
    return tuple(expand(t, shape) for t in tensors)


# --- squeeze / unsqueeze -----------------------------------------------------------------------
class Unsqueeze(Op):
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        shape = x.shape
        v = x.reshape(shape[:dim] + (1,) + shape[dim:])
        if v.size:
            xs = x.strides
            st = xs[:dim] + ((shape[dim] * xs[dim]) if dim < len(shape) else x.itemsize,) \
                + xs[dim:]
            if v.strides != st:
                v = _restride(v, st)
        return v

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.dim)


def unsqueeze(input, dim):
    """A view with a new dimension of size 1 inserted at ``dim``.

    >>> import ember
    >>> ember.tensor([1, 2]).unsqueeze(1).shape
    ember.Size([2, 1])
    """
    return apply(Unsqueeze, (input,), {"dim": _norm_dim(_int(dim, "dim"), input._data.ndim + 1)})


class Squeeze(Op):
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.shape = x.shape
        return x.squeeze(axis=dims) if dims else x.view()

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


def squeeze(input, dim=None):
    """A view with size-1 dimensions removed (all, or those among ``dim``: an int or tuple).

    >>> import ember
    >>> ember.zeros(2, 1, 3, 1).squeeze().shape
    ember.Size([2, 3])
    """
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        dims = tuple(i for i in _dim_list(dim, len(shape)) if shape and shape[i] == 1)
    return apply(Squeeze, (input,), {"dims": dims})


def _inplace_view(fn):
    """``x.squeeze_()``-style ops: ``x`` itself becomes the view (its data and history)."""
    def f(self, *args, **kwargs):
        from ..autograd.grad_mode import _state
        if _state.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        r = fn(self, *args, **kwargs)
        self._data = r._data
        if r._grad_fn is not None:
            self._grad_fn = r._grad_fn
            self._out_nr = r._out_nr
        from ._dispatch import _bump
        _bump(self)                     # metadata changed in place: a new version
        return self
    f.__name__ = fn.__name__ + "_"
    f.__doc__ = f"In-place version of :meth:`Tensor.{fn.__name__}` (changes the view)."
    return f


# --- slicing views -----------------------------------------------------------------------------
class Slice(Op):
    """Basic indexing ``x[key]`` (ints, slices, None, Ellipsis): a view. ``fix`` gives
    PyTorch's byte strides for the result when NumPy's differ (new size-1 dimensions)."""
    view = True
    node_name = "SliceBackward0"

    @staticmethod
    def forward(ctx, x, key, fix=None):
        ctx.shape = x.shape
        ctx.key = key
        try:
            v = x[key]
        except IndexError as e:
            raise _index_error(e) from None
        if fix is not None and v.size:
            st = list(v.strides)
            for p, s in fix:
                st[p] = s
            st = tuple(st)
            fl = x.flags
            if fl.c_contiguous or fl.f_contiguous:
                try:
                    return _ndarray(v.shape, v.dtype, buffer=x, offset=_key_offset(x, key),
                                    strides=st)
                except (TypeError, ValueError, BufferError):
                    pass
            v = _restride(v, st)
        return v

    @staticmethod
    def backward(ctx, g):
        return apply(SliceGrad, (g,), {"shape": ctx.shape, "key": ctx.key})


def _index_error(e):
    """NumPy's IndexError in PyTorch's words."""
    msg = str(e)
    if "out of bounds" in msg:
        return IndexError(msg.replace(" axis ", " dimension "))
    if msg.startswith("too many indices"):
        nd = msg.split("array is ", 1)[-1].split("-dimensional", 1)[0]
        return IndexError(f"too many indices for tensor of dimension {nd}")
    return IndexError(msg)


def _key_offset(x, key):
    """Byte offset of ``x[key]``'s first element for a basic key of ints, slices, None."""
    off = 0
    d = 0
    shape, strides = x.shape, x.strides
    for k in key:
        if k is None:
            continue
        if k is Ellipsis:
            d += len(shape) - sum(1 for j in key if j is not None and j is not Ellipsis)
            continue
        if type(k) is slice:
            off += k.indices(shape[d])[0] * strides[d]
        else:
            k = k.__index__()
            off += (k + shape[d] if k < 0 else k) * strides[d]
        d += 1
    return off


class Select(Slice):
    node_name = "SelectBackward0"


class UnsqueezeSlice(Slice):
    node_name = "UnsqueezeBackward0"


class SliceGrad(Op):
    """Zeros of ``shape`` with ``g`` written at basic index ``key`` (backward of slicing)."""
    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        z = np.zeros(shape, g.dtype)
        z[key] = g
        return z

    @staticmethod
    def backward(ctx, gg):
        return apply(Slice, (gg,), {"key": ctx.key})


def select(input, dim, index):
    """The slice at ``index`` along ``dim`` (that dimension removed); a view."""
    shape = input._data.shape
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    index = _int(index, "index")
    n = shape[dim]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_fmt(shape)} at dimension {dim}")
    return apply(Select, (input,), {"key": (_ALL,) * dim + (index, Ellipsis)})


def narrow(input, dim, start, length):
    """The view ``input[..., start:start + length, ...]`` along ``dim``.

    >>> import ember
    >>> ember.arange(6).narrow(0, 2, 3)
    tensor([2, 3, 4])
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    start = _int(start, "start")
    length = _int(length, "length")
    n = shape[dim]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return apply(Slice, (input,), {"key": (_ALL,) * dim + (slice(start, start + length),)})


class Diagonal(Op):
    view = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape = x.shape
        ctx.args = (offset, dim1, dim2)
        v = np.diagonal(x, offset, dim1, dim2)
        if x.flags.writeable:
            v.flags.writeable = True
        return v

    @staticmethod
    def backward(ctx, g):
        return apply(DiagonalGrad, (g,), {"shape": ctx.shape, "args": ctx.args})


class DiagonalGrad(Op):
    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, args):
        ctx.args = args
        z = np.zeros(shape, g.dtype)
        d = np.diagonal(z, *args)
        d.flags.writeable = True
        d[...] = g
        return z

    @staticmethod
    def backward(ctx, gg):
        offset, d1, d2 = ctx.args
        return apply(Diagonal, (gg,), {"offset": offset, "dim1": d1, "dim2": d2})


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal (``offset`` above the main one) of the ``dim1``/``dim2`` planes,
    as the last dimension.

    >>> import ember
    >>> ember.arange(9).reshape(3, 3).diagonal()
    tensor([0, 4, 8])
    """
    nd = input._data.ndim
    d1 = _norm_dim(_int(dim1, "dim1"), nd)
    d2 = _norm_dim(_int(dim2, "dim2"), nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply(Diagonal, (input,), {"offset": _int(offset, "offset"), "dim1": d1, "dim2": d2})


class Unfold(Op):
    """All windows of ``size`` elements, ``step`` apart, along ``dim`` (a view; the window
    becomes the last dimension)."""
    view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.args = x.shape, (dim, size, step)
        if x.ndim == 0:
            return x.reshape(1)
        n = x.shape[dim]
        m = (n - size) // step + 1
        xs = x.strides
        shape = x.shape[:dim] + (m,) + x.shape[dim + 1:] + (size,)
        st = xs[:dim] + (xs[dim] * step,) + xs[dim + 1:] + (xs[dim],)
        overlap = size > step and m > 1
        v = _strided(x, st, shape, writeable=x.flags.writeable and not overlap)
        if v is None:
            v = np.lib.stride_tricks.as_strided(x, shape, st, writeable=False)
        return v

    @staticmethod
    def backward(ctx, g):
        return apply(UnfoldGrad, (g,), {"shape": ctx.shape, "args": ctx.args})


class UnfoldGrad(Op):
    """Zeros of ``shape`` with every window of ``g`` added back where it came from."""
    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, args):
        ctx.args = args
        if not shape:
            return g.reshape(())
        dim, size, step = args
        z = np.zeros(shape, g.dtype)
        m = g.shape[dim]
        pre = (_ALL,) * dim
        if size <= m:
            for k in range(size):
                z[pre + (slice(k, k + step * (m - 1) + 1, step),)] += g[..., k]
        else:
            for i in range(m):
                z[pre + (slice(i * step, i * step + size),)] += np.moveaxis(g[pre + (i,)], -1,
                                                                            dim)
        return z

    @staticmethod
    def backward(ctx, gg):
        dim, size, step = ctx.args
        return apply(Unfold, (gg,), {"dim": dim, "size": size, "step": step})


def unfold(self, dimension, size, step):
    """A view of all slices of ``size`` elements, ``step`` apart, along ``dimension``; the
    slices form a new last dimension.

    >>> import ember
    >>> ember.arange(5).unfold(0, 2, 2)
    tensor([[0, 1],
            [2, 3]])
    """
    shape = self._data.shape
    dim = _norm_dim(_int(dimension, "dimension"), len(shape))
    size, step = _int(size, "size"), _int(step, "step")
    n = shape[dim] if shape else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return apply(Unfold, (self,), {"dim": dim, "size": size, "step": step})


# --- split / unbind ----------------------------------------------------------------------------
class Split(Op):
    """Views ``x[start:stop]`` along ``dim`` for each ``(start, stop)`` in ``segs``."""
    view = True
    node_name = "SplitWithSizesBackward0"

    @staticmethod
    def forward(ctx, x, segs, dim):
        ctx.shape = x.shape
        ctx.segs = segs
        ctx.dim = dim
        pre = (_ALL,) * dim
        return tuple(x[pre + (slice(a, b),)] for a, b in segs)

    @staticmethod
    def backward(ctx, *grads):
        return apply(SplitGrad, grads, {"shape": ctx.shape, "segs": ctx.segs, "dim": ctx.dim})


class SplitGrad(Op):
    """Zeros of ``shape`` with each gradient added into its segment along ``dim``."""

    @staticmethod
    def forward(ctx, *grads, shape, segs, dim):
        ctx.segs = segs
        ctx.dim = dim
        pre = (_ALL,) * dim
        ends = [b for _, b in segs]
        starts = [a for a, _ in segs]
        if starts[:1] == [0] and ends[-1:] == [shape[dim]] and starts[1:] == ends[:-1]:
            return np.concatenate(grads, axis=dim)
        z = np.zeros(shape, grads[0].dtype)
        for (a, b), g in zip(segs, grads):
            z[pre + (slice(a, b),)] += g
        return z

    @staticmethod
    def backward(ctx, gg):
        return apply(Split, (gg,), {"segs": ctx.segs, "dim": ctx.dim})


def _split(input, segs, dim):
    outs = apply(Split, (input,), {"segs": tuple(segs), "dim": dim})
    return _mark_views(outs, input)


def split(tensor, split_size_or_sections, dim=0):
    """Split into views of ``split_size`` along ``dim`` (the last may be smaller), or into
    pieces of the given list of sizes. Returns a tuple.

    >>> import ember
    >>> [p.tolist() for p in ember.arange(5).split(2)]
    [[0, 1], [2, 3], [4]]
    """
    shape = tensor._data.shape
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    n = shape[dim]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = [_int(s, "split_sizes") for s in split_size_or_sections]
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            if any(s < 0 for s in sizes):
                bad = next(s for s in sizes if s < 0)
                raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                                   f"entries, but got split_sizes={sizes} ({bad})")
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
    else:
        s = _int(split_size_or_sections, "split_size")
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={s}")
        if s == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        k = max((n + s - 1) // s, 1) if s else 1
        sizes = [s] * (k - 1) + [n - s * (k - 1)]
    segs = []
    a = 0
    for s in sizes:
        segs.append((a, a + s))
        a += s
    return _split(tensor, segs, dim)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` views of (nearly) equal size along ``dim``; may return fewer.

    >>> import ember
    >>> [p.tolist() for p in ember.arange(5).chunk(3)]
    [[0, 1], [2, 3], [4]]
    """
    chunks = _int(chunks, "chunks")
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    n = shape[dim]
    s = (n + chunks - 1) // chunks
    if s == 0 and n == 0:
        return _split(input, [(0, 0)] * chunks, dim)
    return split(input, s, dim)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``sections`` nearly equal views, or at the given ``indices`` along ``dim``
    (NumPy's ``array_split``). Returns a tuple.

    >>> import ember
    >>> [p.tolist() for p in ember.arange(7).tensor_split(3)]
    [[0, 1, 2], [3, 4], [5, 6]]
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    n = shape[dim]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype.kind not in "iu":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have "
                               f"integral dtype, but got {ios.dtype}")
        if ios._data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {ios._data.ndim} dims")
        ios = ios._data.tolist()
    if isinstance(ios, (tuple, list)):
        segs = _clamped_segments([_int(k, "indices") for k in ios], n)
    else:
        k = _int(ios, "sections")
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        segs = []
        a = 0
        for i in range(k):
            b = a + q + (1 if i < r else 0)
            segs.append((a, b))
            a = b
    return _split(input, segs, dim)


def _clamped_segments(indices, n):
    segs = []
    prev = 0
    for i in indices + [n]:
        if i < 0:
            i = max(i + n, 0)
        i = min(i, n)
        start = min(prev, n)
        segs.append((start, max(start, i)))
        prev = i
    return segs


def _nsplit(fname, min_dim, axis_of):
    def f(input, indices_or_sections):
        nd = input._data.ndim
        if nd < min_dim:
            raise RuntimeError(f"torch.{fname} requires a tensor with at least {min_dim} "
                               f"dimension, but got a tensor with {nd} dimensions!")
        d = axis_of(nd)
        if not isinstance(indices_or_sections, (tuple, list, Tensor)):
            k = _int(indices_or_sections, "sections")
            n = input._data.shape[d]
            if k == 0 or n % k:
                raise RuntimeError(f"torch.{fname} attempted to split along dimension {d}, but "
                                   f"the size of the dimension {n} is not divisible by the split "
                                   f"size {k}!")
        return tensor_split(input, indices_or_sections, d)
    f.__name__ = fname
    f.__doc__ = f"``tensor_split`` along dimension {fname[0]} (see ``torch.{fname}``)."
    return f


hsplit = _nsplit("hsplit", 1, lambda nd: 1 if nd > 1 else 0)
vsplit = _nsplit("vsplit", 2, lambda nd: 0)
dsplit = _nsplit("dsplit", 3, lambda nd: 2)


class Unbind(Op):
    view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        pre = (_ALL,) * dim
        return tuple(x[pre + (i, Ellipsis)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim)


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views (that dimension removed).

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]]).unbind(1)
    (tensor([1, 3]), tensor([2, 4]))
    """
    shape = input._data.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    if shape[dim] == 0:
        return ()
    return _mark_views(apply(Unbind, (input,), {"dim": dim}), input)


# --- joins -------------------------------------------------------------------------------------
def _tensor_seq(tensors, fname):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not Tensor")
    tensors = tuple(tensors)
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return tensors


def _skipped(a):
    return a.ndim == 1 and a.shape[0] == 0


def _common_dtype(tensors):
    """PyTorch's promoted dtype of a list of tensors as a NumPy dtype, or None when they
    already agree (the common case, kept cheap)."""
    d0 = tensors[0]._data.dtype
    for t in tensors:
        if t._data.dtype != d0:
            from .._dtype import _FROM_NP, result_type_dtypes
            return result_type_dtypes([_FROM_NP[t._data.dtype] for t in tensors], [], []).np
    return None


class Cat(Op):
    @staticmethod
    def forward(ctx, *arrays, dim, npdt=None):
        if npdt is not None:
            arrays = [a.astype(npdt, copy=False) for a in arrays]
        keep = []
        sizes = []
        ref = None
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                                   f"concatenated")
            if _skipped(a):
                sizes.append(None)
                continue
            if ref is None:
                ref = a.shape
            elif a.ndim != len(ref):
                raise RuntimeError(f"Tensors must have same number of dimensions: got "
                                   f"{len(ref)} and {a.ndim}")
            else:
                for d, (p, q) in enumerate(zip(ref, a.shape)):
                    if d != dim and p != q:
                        raise RuntimeError(
                            f"Sizes of tensors must match except in dimension {dim}. Expected "
                            f"size {p} but got size {q} for tensor number {i} in the list.")
            keep.append(a)
            sizes.append(a.shape[dim])
        ctx.sizes = sizes
        ctx.dim = dim
        if not keep:
            return np.empty((0,), arrays[0].dtype)
        return np.concatenate(keep, axis=dim)

    @staticmethod
    def backward(ctx, g):
        dim = ctx.dim
        out = []
        a = 0
        segs = []
        for s in ctx.sizes:
            if s is not None:
                segs.append((a, a + s))
                a += s
        parts = iter(apply(Split, (g,), {"segs": tuple(segs), "dim": dim}) if segs else ())
        for s in ctx.sizes:
            out.append(_wrap(np.zeros((0,), g._data.dtype)) if s is None else next(parts))
        return tuple(out)


def cat(tensors, dim=0, *, axis=None, out=None):
    """Concatenate tensors along an existing dimension, promoting dtypes as PyTorch does
    (1-D empty tensors are skipped).

    >>> import ember
    >>> ember.cat([ember.tensor([1, 2]), ember.tensor([3])])
    tensor([1, 2, 3])
    """
    if axis is not None:
        dim = axis
    tensors = _tensor_seq(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    nd = 1
    for i, x in enumerate(tensors):
        d = x._data
        if d.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               f"concatenated")
        if not _skipped(d):
            nd = d.ndim
            break
    dim = _norm_dim(_int(dim, "dim"), nd)
    return _out(apply(Cat, tensors, {"dim": dim, "npdt": _common_dtype(tensors)}), out)


concat = concatenate = cat


class Stack(Op):
    @staticmethod
    def forward(ctx, *arrays, dim, npdt=None):
        if npdt is not None:
            arrays = [a.astype(npdt, copy=False) for a in arrays]
        ref = arrays[0].shape
        for i, a in enumerate(arrays):
            if a.shape != ref:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"{_fmt(ref)} at entry 0 and {_fmt(a.shape)} at entry {i}")
        ctx.dim = dim
        return np.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return apply(Unbind, (g,), {"dim": ctx.dim})


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dimension ``dim``.

    >>> import ember
    >>> ember.stack([ember.tensor([1, 2]), ember.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = _tensor_seq(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    dim = _norm_dim(_int(dim, "dim"), tensors[0]._data.ndim + 1)
    return _out(apply(Stack, tensors, {"dim": dim, "npdt": _common_dtype(tensors)}), out)


def _atleast(n):
    def one(x):
        d = x._data.ndim
        if d >= n:
            return x
        s = x._data.shape
        if n == 1:
            shape = (1,)
        elif n == 2:
            shape = (1,) * (2 - d) + s
        else:
            shape = {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[d]
        return apply(Reshape, (x,), {"shape": shape})

    def f(*tensors):
        if len(tensors) == 1:
            t0 = tensors[0]
            if isinstance(t0, Tensor):
                return one(t0)
            return tuple(one(x) for x in t0)
        return tuple(one(x) for x in tensors)
    f.__name__ = f"atleast_{n}d"
    f.__doc__ = f"The tensor(s) viewed with at least {n} dimension(s)."
    return f


atleast_1d = _atleast(1)
atleast_2d = _atleast(2)
atleast_3d = _atleast(3)


def hstack(tensors, *, out=None):
    """Concatenate along dimension 1 (dimension 0 for 1-D tensors)."""
    ts = [atleast_1d(x) for x in _tensor_seq(tensors, "hstack")]
    if not ts:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenate along dimension 0 after making each tensor at least 2-D."""
    ts = [atleast_2d(x) for x in _tensor_seq(tensors, "vstack")]
    if not ts:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(ts, 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate along dimension 2 after making each tensor at least 3-D."""
    ts = [atleast_3d(x) for x in _tensor_seq(tensors, "dstack")]
    if not ts:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat(ts, 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack 0-D/1-D tensors as columns (and concatenate 2-D ones) along dimension 1."""
    ts = []
    for x in _tensor_seq(tensors, "column_stack"):
        d = x._data.ndim
        ts.append(apply(Reshape, (x,), {"shape": (x._data.size, 1)}) if d <= 1 else x)
    if not ts:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    return cat(ts, 1, out=out)


# --- repeat / tile / repeat_interleave ---------------------------------------------------------
class Repeat(Op):
    @staticmethod
    def forward(ctx, x, reps):
        shape = (1,) * (len(reps) - x.ndim) + x.shape
        inter = tuple(k for pair in zip(reps, shape) for k in pair)
        ctx.shape = x.shape
        ctx.inter = inter
        out = tuple(r * s for r, s in zip(reps, shape))
        xi = x.reshape(tuple(k for s in shape for k in (1, s)))
        res = np.empty(out, x.dtype)
        res.reshape(inter)[...] = xi
        return res

    @staticmethod
    def backward(ctx, g):
        n = len(ctx.inter) // 2
        g = g.reshape(ctx.inter).sum(dim=tuple(range(0, 2 * n, 2)))
        return g.reshape(ctx.shape)


def repeat(self, *sizes):
    """Tile this tensor ``sizes[i]`` times along each dimension (PyTorch's ``repeat``, which
    is NumPy's ``tile``; extra leading sizes add dimensions).

    >>> import ember
    >>> ember.tensor([1, 2]).repeat(2)
    tensor([1, 2, 1, 2])
    """
    reps = _shape_args(sizes, "repeat")
    shape = self._data.shape
    if len(reps) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    full = (1,) * (len(reps) - len(shape)) + shape
    out = [r * s for r, s in zip(reps, full)]
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension "
                               f"{min(out)}: {out}")
    return apply(Repeat, (self,), {"reps": reps})


def tile(input, dims):
    """Repeat ``input`` along each dimension (fewer ``dims`` than dimensions are padded with
    leading 1s).

    >>> import ember
    >>> ember.tensor([[1, 2]]).tile((2,))
    tensor([[1, 2, 1, 2]])
    """
    dims = _shape_args((dims,) if not isinstance(dims, (tuple, list)) else (tuple(dims),),
                       "tile")
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


class RepeatInterleave(Op):
    @staticmethod
    def forward(ctx, x, reps, dim):
        ctx.reps = reps
        ctx.dim = dim
        ctx.n = x.shape[dim]
        return np.repeat(x, reps, axis=dim)

    @staticmethod
    def backward(ctx, g):
        reps, dim = ctx.reps, ctx.dim
        if isinstance(reps, int):
            s = g._data.shape
            return g.reshape(s[:dim] + (ctx.n, reps) + s[dim + 1:]).sum(dim + 1)
        return apply(SegmentSum, (g,), {"reps": reps, "dim": dim})


class SegmentSum(Op):
    """Sums of consecutive segments of lengths ``reps`` along ``dim`` (backward of
    ``repeat_interleave`` with a tensor of repeats)."""

    @staticmethod
    def forward(ctx, g, reps, dim):
        ctx.reps = reps
        ctx.dim = dim
        shape = g.shape[:dim] + (len(reps),) + g.shape[dim + 1:]
        out = np.zeros(shape, g.dtype)
        nz = np.flatnonzero(reps)
        if nz.size and g.shape[dim]:
            starts = (np.cumsum(reps) - reps)[nz]
            out[(_ALL,) * dim + (nz,)] = np.add.reduceat(g, starts, axis=dim)
        return out

    @staticmethod
    def backward(ctx, gg):
        return apply(RepeatInterleave, (gg,), {"reps": ctx.reps, "dim": ctx.dim})


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int or a tensor of per-element counts) along
    ``dim`` (the flattened input when None). With only a tensor of counts, returns the
    indices ``0, 0, …, 1, …`` repeated by those counts.

    >>> import ember
    >>> ember.tensor([1, 2]).repeat_interleave(2)
    tensor([1, 1, 2, 2])
    """
    if repeats is None:
        r = input._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.dtype.kind not in "iu":
            raise RuntimeError("repeats has to be Long or Int tensor")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        return _wrap(np.repeat(np.arange(r.size, dtype=r.dtype), r.reshape(-1)))
    if dim is None:
        input = reshape(input, -1)
        dim = 0
    shape = input._data.shape
    dim = _norm_dim(_int(dim, "dim"), len(shape))
    n = shape[dim] if shape else 1
    if not shape:
        input = reshape(input, 1)
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.dtype.kind not in "iu":
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                      f"'{repeats.dtype._legacy[:-6]}'")
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.size == 1:
            reps = int(r.reshape(()))
            if reps < 0:
                raise RuntimeError("Repeats must be non-negative")
        else:
            if r.size != n:
                raise RuntimeError(f"repeats must have the same size as input along dim, but "
                                   f"got repeats.size(0) = {r.size} and input.size({dim}) = {n}")
            if r.size and r.min() < 0:
                raise RuntimeError("repeats can not be negative")
            reps = r.astype(np.int64)
    else:
        reps = _int(repeats, "repeats")
        if reps < 0:
            raise RuntimeError("Repeats must be non-negative")
    return apply(RepeatInterleave, (input,), {"reps": reps, "dim": dim})


# --- flip / roll -------------------------------------------------------------------------------
class Flip(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        key = [_ALL] * x.ndim
        for d in dims:
            key[d] = slice(None, None, -1)
        return x[tuple(key)].copy()

    @staticmethod
    def backward(ctx, g):
        return apply(Flip, (g,), {"dims": ctx.dims})


def flip(input, *dims):
    """A copy with the order of elements reversed along ``dims``.

    >>> import ember
    >>> ember.tensor([1, 2, 3]).flip(0)
    tensor([3, 2, 1])
    """
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return apply(Flip, (input,), {"dims": _dim_list(tuple(dims), input._data.ndim)})


def fliplr(input):
    """Flip left/right (dimension 1); the input must be at least 2-D."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return apply(Flip, (input,), {"dims": (1,)})


def flipud(input):
    """Flip up/down (dimension 0); the input must be at least 1-D."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return apply(Flip, (input,), {"dims": (0,)})


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts = shifts
        ctx.dims = dims
        if dims is None:
            return np.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return apply(Roll, (g,), {"shifts": tuple(-s for s in ctx.shifts), "dims": ctx.dims})


def roll(input, shifts, dims=None):
    """Shift elements cyclically by ``shifts`` along ``dims`` (the flattened tensor when None).

    >>> import ember
    >>> ember.tensor([1, 2, 3, 4]).roll(1)
    tensor([4, 1, 2, 3])
    """
    shifts = tuple(_int(s, "shifts") for s in shifts) if isinstance(shifts, (tuple, list)) \
        else (_int(shifts, "shifts"),)
    nd = input._data.ndim
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return apply(Roll, (input,), {"shifts": shifts, "dims": None})
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    dims = tuple(_norm_dim(_int(d, "dims"), nd) for d in dims)
    return apply(Roll, (input,), {"shifts": shifts, "dims": dims})


# --- grids, products, differences --------------------------------------------------------------
def _grid_inputs(tensors, fname):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"{fname}(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    return tensors


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 0-D/1-D tensors: output ``i`` repeats input ``i`` along every
    other dimension (views, no copies). ``indexing='ij'`` (the default, with PyTorch's
    warning when not given) puts input ``i`` on dimension ``i``; ``'xy'`` swaps the first two
    dimensions (NumPy's Cartesian convention).

    >>> import ember
    >>> xs, ys = ember.meshgrid(ember.tensor([1, 2, 3]), ember.tensor([4, 5]), indexing="ij")
    >>> xs
    tensor([[1, 1],
            [2, 2],
            [3, 3]])
    """
    tensors = _grid_inputs(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    elif not isinstance(indexing, str):
        raise TypeError(f"meshgrid(): argument 'indexing' must be str, not "
                        f"{type(indexing).__name__}")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    dt = tensors[0]._data.dtype
    for x in tensors:
        if x._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got a tensor of shape {_fmt(x._data.shape)}")
        if x._data.dtype != dt:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    n = len(tensors)
    axes = list(range(n))
    if indexing == "xy" and n > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * n
    for x, ax in zip(tensors, axes):
        shape[ax] = x._data.size
    out = []
    for x, ax in zip(tensors, axes):
        s = [1] * n
        s[ax] = shape[ax]
        out.append(reshape(x, tuple(s)).expand(tuple(shape)))
    return tuple(out)


def _vectors(tensors, fname):
    for x in tensors:
        if x._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {_fmt(x._data.shape)}")


def cartesian_prod(*tensors):
    """All combinations of one element from each 1-D tensor, one per row (like
    ``itertools.product``); a single tensor is returned as it is.

    >>> import ember
    >>> ember.cartesian_prod(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    tensors = _grid_inputs(tensors, "cartesian_prod")
    _vectors(tensors, "cartesian_prod")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """All length-``r`` combinations of the elements of a 1-D tensor, one per row, in
    ``itertools.combinations`` order (``combinations_with_replacement`` with
    ``with_replacement=True``).

    >>> import ember
    >>> ember.combinations(ember.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"combinations(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)):
        raise TypeError(f"combinations(): argument 'r' must be int, not {type(r).__name__}")
    r = int(r)
    _vectors((input,), "combinations")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(np.empty((0,), input._data.dtype))
    n = input._data.shape[0]
    idx = np.indices((n,) * r).reshape(r, -1)
    keep = np.ones(idx.shape[1], bool)
    for k in range(r - 1):
        keep &= idx[k] <= idx[k + 1] if with_replacement else idx[k] < idx[k + 1]
    idx = np.ascontiguousarray(idx[:, keep].T)
    picked = input.index_select(0, _wrap(idx.reshape(-1)))
    return reshape(picked, idx.shape)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``out[i] = x[i + 1] - x[i]``, logical
    xor for bool), after concatenating ``prepend`` / ``append`` along ``dim`` (``n = 0``
    returns a copy of ``input`` alone, as in PyTorch).

    >>> import ember
    >>> ember.diff(ember.tensor([1, 3, 2, 7]))
    tensor([ 2, -1,  5])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"diff(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"diff(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"diff(): argument 'dim' must be int, not {type(dim).__name__}")
    shape = input._data.shape
    if not shape:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = int(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _norm_dim(int(dim), len(shape))
    for name, t in (("prepend", prepend), ("append", append)):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(t).__name__}")
        ts = t._data.shape
        if len(ts) != len(shape):
            raise RuntimeError(f"diff expects prepend or append to be the same dimension as "
                               f"input (got {name} of shape {_fmt(ts)} for input of shape "
                               f"{_fmt(shape)})")
        for d, (p, q) in enumerate(zip(shape, ts)):
            if d != dim and p != q:
                raise RuntimeError(f"diff expects the shape of tensor to prepend or append to "
                                   f"match that of input except along the differencing "
                                   f"dimension; input.size({d}) = {p}, but got "
                                   f"tensor.size({d}) = {q}")
    if n == 0:                      # PyTorch: a copy of the input, prepend/append unused
        return input.clone()
    x = input
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, input, append) if t is not None], dim)
    is_bool = x._data.dtype == np.bool_
    for _ in range(n):
        m = x._data.shape[dim]
        if m == 0:
            break
        hi, lo = narrow(x, dim, 1, m - 1), narrow(x, dim, 0, m - 1)
        x = hi.logical_xor(lo) if is_bool else hi - lo
    return x


# --- methods -----------------------------------------------------------------------------------
def _flip_method(self, *dims):
    if not dims:
        raise TypeError("flip() missing 1 required positional arguments: \"dims\"")
    return flip(self, *dims)


def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


def _repeat_interleave_method(self, repeats, dim=None, *, output_size=None):
    return repeat_interleave(self, repeats, dim, output_size=output_size)


METHODS = {
    "view": view, "view_as": view_as, "reshape": reshape, "reshape_as": reshape_as,
    "flatten": flatten, "unflatten": unflatten, "ravel": ravel,
    "permute": permute, "transpose": transpose, "swapaxes": transpose, "swapdims": transpose,
    "transpose_": _inplace_view(transpose), "swapaxes_": _inplace_view(transpose),
    "swapdims_": _inplace_view(transpose), "t": t, "t_": _inplace_view(t),
    "adjoint": adjoint, "H": property(_H), "mH": property(_mH),
    "movedim": movedim, "moveaxis": movedim,
    "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
    "unsqueeze": unsqueeze, "unsqueeze_": _inplace_view(unsqueeze),
    "squeeze": squeeze, "squeeze_": _inplace_view(squeeze),
    "select": select, "narrow": narrow, "diagonal": diagonal, "unfold": unfold,
    "split": _split_method, "chunk": chunk, "tensor_split": tensor_split, "hsplit": hsplit,
    "vsplit": vsplit, "dsplit": dsplit, "unbind": unbind,
    "repeat": repeat, "tile": tile, "repeat_interleave": _repeat_interleave_method,
    "flip": _flip_method, "fliplr": fliplr, "flipud": flipud, "roll": roll, "diff": diff,
}
