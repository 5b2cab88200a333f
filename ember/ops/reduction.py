"""Reductions over all elements or over ``dim`` (with ``keepdim``)."""
import numpy as np

from .._dtype import as_dtype
from .._tensor import _norm_dim
from ._dispatch import Op, apply

__all__ = ["sum"]


def _dims(dim, ndim):
    """Normalise ``dim`` (None, int or sequence) to a sorted tuple of axes, or None."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        out = tuple(sorted(_norm_dim(d, ndim) for d in dim))
        if len(set(out)) != len(out):
            raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
        return out
    return (_norm_dim(dim, ndim),)


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's ``shape``."""
    if not keepdim and dims is not None:
        for d in dims:
            g = g.unsqueeze(d)
    elif not keepdim:
        g = g.reshape((1,) * len(shape))
    return g.expand(shape)


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False, dtype=None):
        dims = _dims(dim, x.ndim)
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        if dtype is not None:
            npdt = as_dtype(dtype).np
        elif x.dtype.kind in "biu":
            npdt = np.int64
        else:
            npdt = x.dtype
        return np.sum(x, axis=dims, keepdims=keepdim, dtype=npdt)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints).

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]]).sum(dim=0)
    tensor([4, 6])
    """
    return apply(Sum, (input,), {"dim": dim, "keepdim": keepdim, "dtype": dtype})


METHODS = {"sum": sum}
