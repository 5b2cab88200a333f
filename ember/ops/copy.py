"""Copies and conversions: ``to``/``type``/``float()``…, ``clone``, ``contiguous``,
``copy_``, ``fill_``, ``zero_``."""
import numpy as np

from .. import _dtype as D
from .._device import as_device, device
from .._tensor import Tensor
from ._dispatch import Op, apply, inplace

__all__ = ["clone"]


class ToCopy(Op):
    opname = "to"
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, npdt):
        ctx.src = x.dtype
        if x.dtype.kind == "c" and npdt.kind != "c":
            x = x.real        # complex -> real keeps the real part (its gradient: g + 0j)
        return x.astype(npdt)

    @staticmethod
    def backward(ctx, g):
        return g.to(D._FROM_NP[ctx.src])


class Clone(Op):
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, memory_format=None):
        return np.array(x, copy=True, order="C" if memory_format != "preserve_format" else "K")

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input, *, memory_format=None):
    """A copy of ``input`` with its own memory (differentiable).

    >>> import ember
    >>> a = ember.tensor([1., 2.]); b = a.clone(); b[0] = 5.; a
    tensor([1., 2.])
    """
    return apply(Clone, (input,), {"memory_format": memory_format})


def contiguous(self, memory_format=None):
    """This tensor if it is contiguous in memory, else a contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return apply(Clone, (self,), {"memory_format": None})


def _parse_to(args, kwargs):
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        o = rest.pop(0)
        dev, dt = o.device, o.dtype
    elif rest and isinstance(rest[0], (str, device, int)) and not isinstance(rest[0], bool):
        dev = rest.pop(0)
        if rest and not isinstance(rest[0], bool):
            dt = rest.pop(0)
    elif rest and rest[0] is not None and not isinstance(rest[0], bool):
        dt = rest.pop(0)
    if rest:  # non_blocking, copy positional
        rest.pop(0)
        if rest:
            copy = rest.pop(0)
    return dev, dt, copy


def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``to(dtype)``, ``to(device, dtype)``, ``to(other)``.
    Returns ``self`` when nothing changes (unless ``copy=True``).

    >>> import ember
    >>> ember.tensor([1, 2]).to(ember.float64)
    tensor([1., 2.], dtype=ember.float64)
    """
    dev, dt, copy = _parse_to(args, dict(kwargs))
    if dev is not None:
        as_device(dev)
    if dt is None:
        return clone(self) if copy else self
    dt = D.as_dtype(dt)
    if dt.np == self._data.dtype and not copy:
        return self
    return apply(ToCopy, (self,), {"npdt": dt.np})


def _caster(dt):
    def f(self, memory_format=None):
        return to(self, dt)
    f.__name__ = dt.name
    return f


_TYPE_NAMES = {f"torch.{d._legacy}": d for d in D.ALL}
_TYPE_NAMES.update({f"ember.{d._legacy}": d for d in D.ALL})
_TYPE_NAMES.update({d._legacy: d for d in D.ALL})


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """With no argument, the type name (``'ember.FloatTensor'``); else convert."""
    if dtype is None:
        return f"ember.{self.dtype._legacy}"
    if isinstance(dtype, str) and dtype in _TYPE_NAMES:
        dtype = _TYPE_NAMES[dtype]
    return to(self, dtype)


def type_as(self, other):
    return to(self, other.dtype)


def view_as_dtype(self, dtype):
    """Reinterpret the memory as another dtype of the same size (``x.view(ember.int32)``)."""
    dt = D.as_dtype(dtype)
    d = self._data
    if dt.itemsize != d.itemsize and (d.ndim == 0 or d.strides[-1] != d.itemsize):
        raise RuntimeError("self.stride(-1) must be 1 to view with a different element size")
    t = Tensor.__new__(Tensor)
    t._data = d.view(dt.np)
    t._grad_fn = None
    t._requires_grad = False
    from ._dispatch import _as_view
    _as_view(t, self)
    return t


class Copy(Op):
    opname = "copy_"
    node_name = "CopyBackwards"
    complex_autograd = True

    @staticmethod
    def forward(ctx, dst, src):
        ctx.src = src.dtype
        if np.iscomplexobj(src) and dst.dtype.kind != "c":
            src = np.real(src)
        try:
            return np.broadcast_to(src, dst.shape).astype(dst.dtype, copy=True)
        except ValueError:
            from ._dispatch import _inplace_shape_error
            raise _inplace_shape_error(dst.shape, np.shape(src)) from None

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        return (_zeros(g) if n[0] else None), (g.to(D._FROM_NP[ctx.src]) if n[1] else None)


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, any dtype) into this tensor, in place."""
    if not isinstance(src, Tensor):
        from .creation import tensor
        src = tensor(src)
    return inplace(Copy, self, src)


class Fill(Op):
    opname = "fill_"

    @staticmethod
    def forward(ctx, x, value):
        # PyTorch's names for fill_(number) and fill_(tensor)
        ctx._node_name = "FillBackward3" if type(value) is np.ndarray else "FillBackward2"
        return np.full(x.shape, value, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        return (_zeros(g) if n[0] else None), (g.sum() if n[1] else None)


def _zeros(g):
    from .creation import zeros_like
    return zeros_like(g)


def fill_(self, value):
    """Fill this tensor with ``value`` in place."""
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return inplace(Fill, self, value)


class Zero(Fill):
    opname = "zero_"

    @staticmethod
    def forward(ctx, x, value):
        return np.zeros(x.shape, dtype=x.dtype)


def zero_(self):
    """Fill this tensor with zeros in place."""
    return inplace(Zero, self, 0)


METHODS = {
    "to": to, "clone": clone, "contiguous": contiguous, "type": type_, "type_as": type_as,
    "copy_": copy_, "fill_": fill_, "zero_": zero_,
    "float": _caster(D.float32), "double": _caster(D.float64), "half": _caster(D.float16),
    "int": _caster(D.int32), "long": _caster(D.int64), "short": _caster(D.int16),
    "char": _caster(D.int8), "byte": _caster(D.uint8), "bool": _caster(D.bool_),
}


# --- writing through views inside a graph (PyTorch's "CopySlices") ---------------------------
def _strided(flat, shape, strides, offset):
    isz = flat.itemsize
    return np.lib.stride_tricks.as_strided(flat[offset:], shape,
                                           tuple(s * isz for s in strides))


class AsStrided(Op):
    """The region ``(shape, strides, offset)`` (in elements) of a contiguous tensor."""
    opname = "as_strided"

    @staticmethod
    def forward(ctx, x, shape, strides, offset):
        ctx.geom = (x.shape, shape, strides, offset)
        flat = np.ascontiguousarray(x).reshape(-1)
        return np.array(_strided(flat, shape, strides, offset))

    @staticmethod
    def backward(ctx, g):
        xshape, shape, strides, offset = ctx.geom
        from .creation import zeros
        z = zeros(xshape, dtype=g.dtype)
        return apply(AsStridedAdd, (z, g), {"shape": shape, "strides": strides,
                                             "offset": offset})


class AsStridedAdd(Op):
    """``base`` plus ``src`` added into the region ``(shape, strides, offset)``; where the
    region overlaps itself (an expanded view) every element it covers is summed, which
    is the gradient of :class:`AsStrided`."""
    opname = "as_strided_add"
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, base, src, shape, strides, offset):
        ctx.geom = (shape, strides, offset)
        out = np.array(base, order="C", copy=True)
        flat = out.reshape(-1)
        if 0 in strides or len(set(strides)) < len(strides):
            idx = _strided(np.arange(flat.size), shape, strides, offset)
            np.add.at(flat, idx, np.broadcast_to(src, shape))
        else:
            _strided(flat, shape, strides, offset)[...] += src
        return out

    @staticmethod
    def backward(ctx, g):
        shape, strides, offset = ctx.geom
        n = ctx.needs_input_grad
        attrs = {"shape": shape, "strides": strides, "offset": offset}
        return (g if n[0] else None), (apply(AsStrided, (g,), attrs) if n[1] else None)


class AsStridedScatter(Op):
    """A copy of ``base`` with the region ``(shape, strides, offset)`` replaced by ``src``;
    the graph node a base gets when one of its views is written in place."""
    opname = "as_strided_scatter"
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, src, shape, strides, offset):
        ctx.geom = (shape, strides, offset)
        out = np.array(base, order="C", copy=True)
        _strided(out.reshape(-1), shape, strides, offset)[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        shape, strides, offset = ctx.geom
        n = ctx.needs_input_grad
        attrs = {"shape": shape, "strides": strides, "offset": offset}
        gb = gs = None
        if n[0]:
            from .creation import zeros
            gb = apply(AsStridedScatter, (g, zeros(shape, dtype=g.dtype)), attrs)
        if n[1]:
            gs = apply(AsStrided, (g,), attrs)
        return gb, gs


def view_geometry(view, base):
    """``(shape, strides, offset)`` in elements of ``view``'s memory inside ``base``'s."""
    b, v = base._data, view._data
    if not b.flags.c_contiguous:
        raise RuntimeError(
            "ember cannot yet record an in-place operation on a view of a non-contiguous base "
            f"tensor (base shape {list(b.shape)}, strides {base.stride()}); call .contiguous() "
            "on the base first")
    isz = b.itemsize
    off = v.__array_interface__["data"][0] - b.__array_interface__["data"][0]
    return {"shape": v.shape, "strides": tuple(s // isz for s in v.strides), "offset": off // isz}
