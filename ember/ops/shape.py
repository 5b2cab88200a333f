"""Shape ops: views (view, reshape, permute, transpose, expand, squeeze, unsqueeze …)
and joins/splits. View ops return NumPy views that share memory and the version counter."""
import numpy as np

from .._tensor import Tensor, _norm_dim, _size_arg
from ._dispatch import Op, apply

__all__ = ["reshape", "permute", "transpose", "swapaxes", "swapdims", "unsqueeze"]


def _infer(shape, numel, what="view"):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _shape_args(args, fname):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for s in args:
        if isinstance(s, Tensor):
            s = s.item()
        if isinstance(s, (bool, float)) or not hasattr(s, "__index__"):
            raise TypeError(f"{fname}(): argument 'shape' must be tuple of ints, but found element "
                            f"of type {type(s).__name__} at pos {len(out)}")
        out.append(s.__index__())
    return tuple(out)


class View(Op):
    view = True

    @staticmethod
    def forward(ctx, x, shape):
        shape = _infer(shape, x.size)
        ctx.shape = x.shape
        v = x.view()
        try:
            v.shape = shape
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead.") from None
        return v

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


class Reshape(Op):
    view = True
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        shape = _infer(shape, x.size)
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


def view(self, *shape):
    """A view of this tensor with another shape (no copy; the strides must allow it)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)) \
            and shape[0] is not None and not isinstance(shape[0], Tensor):
        from .copy import view_as_dtype
        return view_as_dtype(self, shape[0])
    return apply(View, (self,), {"shape": _shape_args(shape, "view")})


def reshape(input, *shape):
    """A tensor with the same data and a new shape: a view when possible, else a copy.

    >>> import ember
    >>> ember.arange(6).reshape(2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    return apply(Reshape, (input,), {"shape": _shape_args(shape, "reshape")})


class Permute(Op):
    view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return g.permute(*inv)


def permute(input, *dims):
    """A view with the dimensions reordered."""
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

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.d = (dim0, dim1)
        return x.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(*ctx.d)


def transpose(input, dim0, dim1):
    """A view with dimensions ``dim0`` and ``dim1`` swapped."""
    nd = input._data.ndim
    return apply(Transpose, (input,), {"dim0": _norm_dim(dim0, nd), "dim1": _norm_dim(dim1, nd)})


swapaxes = swapdims = transpose


class Expand(Op):
    view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        from ._dispatch import sum_to
        return sum_to(g, ctx.shape)


def expand(self, *sizes):
    """A broadcast view of this tensor (no copy); -1 keeps a dimension's size."""
    sizes = _shape_args(sizes, "expand")
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand({_type_short(self)}{{{_fmt(shape)}}}, size={_fmt(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to "
                           f"the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   "leading, non-existing dimension 0")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            out.append(cur)
        elif cur == 1 or cur == s:
            out.append(s)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{_fmt(sizes)}.  Tensor sizes: {_fmt(shape)}")
    out = tuple(out)
    if out == shape:
        return apply(Expand, (self,), {"shape": out})
    return apply(Expand, (self,), {"shape": out})


def _type_short(t):
    return f"ember.{t.dtype._legacy}"


class Unsqueeze(Op):
    view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.expand_dims(x, dim)

    @staticmethod
    def backward(ctx, g):
        return g.squeeze(ctx.dim)


def unsqueeze(input, dim):
    """A view with a new dimension of size 1 inserted at ``dim``."""
    return apply(Unsqueeze, (input,), {"dim": _norm_dim(dim, input._data.ndim + 1)})


class Squeeze(Op):
    view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.shape = x.shape
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


def squeeze(input, dim=None):
    """A view with size-1 dimensions removed (all, or those in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = tuple(i for i in (_norm_dim(d, len(shape)) for d in ds) if shape[i] == 1)
    return apply(Squeeze, (input,), {"dims": dims})


__all__ += ["squeeze"]

METHODS = {
    "view": view, "reshape": reshape, "permute": permute, "transpose": transpose,
    "swapaxes": transpose, "swapdims": transpose, "expand": expand,
    "expand_as": lambda self, other: expand(self, other._data.shape),
    "unsqueeze": unsqueeze, "squeeze": squeeze,
    "t": lambda self: transpose(self, 0, 1) if self._data.ndim == 2 else self,
}
