"""Complex numbers: ``real``/``imag`` (views), ``view_as_real``/``view_as_complex``,
``complex``/``polar`` (building complex tensors from real ones), ``conj``, ``angle`` and
the ``Tensor.real``/``Tensor.imag`` properties.

Gradients follow PyTorch's convention for complex values: the gradient of a real loss
``L`` with respect to ``z = x + iy`` is ``dL/dx + i dL/dy`` (the conjugate Wirtinger
derivative, times two), so for a holomorphic ``f`` the vector-Jacobian product is
``g * conj(f'(z))``. Every op here declares ``complex_autograd = True``; ops elsewhere that
have not been checked for complex values refuse to record them (see ``_dispatch``).

ember has no lazy conjugate bit: ``conj()`` of a complex tensor is a new tensor holding
the conjugated values (PyTorch returns a view with the bit set), and ``is_conj()`` is
always False.
"""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ._dispatch import Op, apply, inplace

__all__ = ["real", "imag", "view_as_real", "view_as_complex", "complex", "polar", "conj",
           "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "is_neg", "angle",
           "is_complex"]

_E = {}
_PI = float(np.pi)


def _need_tensor(x, fname, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _is_c(t):
    return t._data.dtype.kind == "c"


# --- reinterpretation views -------------------------------------------------------------------
class ViewAsReal(Op):
    """The ``(..., 2)`` float view of a complex tensor's memory."""

    opname = "view_as_real"
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, z):
        r = z.real                     # a float view with z's strides
        half = r.itemsize
        return np.lib.stride_tricks.as_strided(r, z.shape + (2,), r.strides + (half,),
                                               writeable=z.flags.writeable)

    @staticmethod
    def backward(ctx, g):
        return apply(ViewAsComplex, (g,), _E)


class ViewAsComplex(Op):
    """The complex view of a float tensor whose last dimension holds (real, imag) pairs;
    a layout that cannot be viewed (only reached from gradients) is copied."""

    opname = "view_as_complex"
    view = True
    complex_autograd = True

    @staticmethod
    def forward(ctx, x):
        cdt = np.complex64 if x.dtype == np.float32 else np.complex128
        isz = x.itemsize
        if x.strides[-1] != isz or any(s % (2 * isz) for s in x.strides[:-1]):
            x = np.ascontiguousarray(x)
        return x.view(cdt)[..., 0]

    @staticmethod
    def backward(ctx, g):
        return apply(ViewAsReal, (g,), _E)


def view_as_real(input):
    """A real view of a complex tensor: a new last dimension of size 2 holds the real and
    imaginary parts.

    >>> import ember
    >>> ember.view_as_real(ember.tensor([1 + 2j, 3 - 4j]))
    tensor([[ 1.,  2.],
            [ 3., -4.]])
    """
    _need_tensor(input, "view_as_real")
    if not _is_c(input):
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return apply(ViewAsReal, (input,), _E)


def view_as_complex(input):
    """A complex view of a float tensor whose last dimension has size 2 (real, imag).

    >>> import ember
    >>> ember.view_as_complex(ember.tensor([[1., 2.], [3., -4.]]))
    tensor([1.+2.j, 3.-4.j])
    """
    _need_tensor(input, "view_as_complex")
    d = input._data
    if d.dtype == np.float16:
        raise NotImplementedError("view_as_complex: ember does not support complex32 "
                                  "(ComplexHalf); use a float32 or float64 tensor")
    if d.dtype.kind != "f":
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: "
                           f"{D._FROM_NP[d.dtype]._legacy[:-6]}")
    if d.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if d.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    st = input.stride()
    if st[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in st[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return apply(ViewAsComplex, (input,), _E)


def real(input):
    """The real part: a view of a complex tensor; a real tensor is returned as it is.

    >>> import ember
    >>> ember.real(ember.tensor([1 + 2j, 3 - 4j]))
    tensor([1., 3.])
    """
    _need_tensor(input, "real")
    if not _is_c(input):
        return input
    return view_as_real(input).select(-1, 0)


def imag(input):
    """The imaginary part of a complex tensor (a view).

    >>> import ember
    >>> ember.imag(ember.tensor([1 + 2j, 3 - 4j]))
    tensor([ 2., -4.])
    """
    _need_tensor(input, "imag")
    if not _is_c(input):
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input).select(-1, 1)


def _set_part(self, value, part):
    dst = part(self)
    if isinstance(value, Tensor):
        dst.copy_(value)
    else:
        dst.fill_(value)


_real_prop = property(real, lambda self, v: _set_part(self, v, real),
                      doc="The real part (a view; ``t.real = v`` writes it).")
_imag_prop = property(imag, lambda self, v: _set_part(self, v, imag),
                      doc="The imaginary part of a complex tensor (a view; ``t.imag = v`` "
                          "writes it).")


# --- building complex tensors -----------------------------------------------------------------
def _check_pair(a, b, fname):
    _need_tensor(a, fname, "real" if fname == "complex" else "abs", 1)
    _need_tensor(b, fname, "imag" if fname == "complex" else "angle", 2)
    da, db = a._data.dtype, b._data.dtype
    if da.kind != "f" or db.kind != "f":
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{D._FROM_NP[da]._legacy[:-6]} and {D._FROM_NP[db]._legacy[:-6]}")
    if da != db:
        raise RuntimeError(f"Expected object of scalar type {D._FROM_NP[da]._legacy[:-6]} but "
                           f"got scalar type {D._FROM_NP[db]._legacy[:-6]} for second argument")
    if da == np.float16:
        raise NotImplementedError(f"{fname}: ember does not support complex32 (ComplexHalf); "
                                  "use float32 or float64 inputs")
    try:
        return np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        from ._dispatch import broadcast_error
        raise broadcast_error(a._data.shape, b._data.shape) from None


class Complex(Op):
    complex_autograd = True

    @staticmethod
    def forward(ctx, a, b):
        cdt = np.complex64 if a.dtype == np.float32 else np.complex128
        out = np.empty(np.broadcast_shapes(a.shape, b.shape), cdt)
        out.real = a
        out.imag = b
        return out

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        return (real(g) if n[0] else None), (imag(g) if n[1] else None)


def _out(r, out):
    if out is None:
        return r
    from .elementwise import _out as write
    return write(r, out)


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i imag`` (float inputs of one dtype; broadcasts).

    >>> import ember
    >>> ember.complex(ember.tensor([1., 2.]), ember.tensor([3., -4.]))
    tensor([1.+3.j, 2.-4.j])
    """
    _check_pair(real, imag, "complex")
    return _out(apply(Complex, (real, imag), _E), out)


class Polar(Op):
    save = (0, 1)
    complex_autograd = True

    @staticmethod
    def forward(ctx, r, theta):
        cdt = np.complex64 if r.dtype == np.float32 else np.complex128
        out = np.empty(np.broadcast_shapes(r.shape, theta.shape), cdt)
        out.real = r * np.cos(theta)
        out.imag = r * np.sin(theta)
        return out

    @staticmethod
    def backward(ctx, g):
        r, theta = ctx.saved_tensors
        # z = r e^{i theta}: dL/dr = Re(g conj(u)), dL/dtheta = r Im(g conj(u)), u = e^{i theta}
        from .creation import ones_like
        u = apply(Polar, (ones_like(theta), theta), _E)
        gu = g * conj(u)
        n = ctx.needs_input_grad
        return (real(gu) if n[0] else None), (r * imag(gu) if n[1] else None)


def polar(abs, angle, *, out=None):
    """The complex tensor with absolute value ``abs`` and phase ``angle``.

    >>> import ember, math
    >>> ember.polar(ember.tensor([2.]), ember.tensor([math.pi / 2])).imag
    tensor([2.])
    """
    _check_pair(abs, angle, "polar")
    return _out(apply(Polar, (abs, angle), _E), out)


# --- conjugate and phase ----------------------------------------------------------------------
class Conj(Op):
    complex_autograd = True

    @staticmethod
    def forward(ctx, z):
        return np.conjugate(z)

    @staticmethod
    def backward(ctx, g):
        return apply(Conj, (g,), _E)


class ConjPhysical(Conj):
    opname = "conj_physical"


def conj(input):
    """The complex conjugate; a real tensor is returned as it is. (ember materialises the
    conjugate: PyTorch returns a lazily conjugated view.)

    >>> import ember
    >>> ember.conj(ember.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    _need_tensor(input, "conj")
    if not _is_c(input):
        return input
    return apply(Conj, (input,), _E)


def conj_physical(input, *, out=None):
    """The complex conjugate computed into new memory; a real tensor is returned as it is."""
    _need_tensor(input, "conj_physical")
    if not _is_c(input):
        return _out(input, out) if out is not None else input
    return _out(apply(ConjPhysical, (input,), _E), out)


def _conj_physical_(self):
    if not _is_c(self):
        return self
    return inplace(ConjPhysical, self)


def resolve_conj(input):
    """``input`` with its conjugate bit resolved: ember never sets the bit, so ``input``."""
    _need_tensor(input, "resolve_conj")
    return input


def resolve_neg(input):
    """``input`` with its negative bit resolved: ember never sets the bit, so ``input``."""
    _need_tensor(input, "resolve_neg")
    return input


def is_conj(input):
    """Whether ``input`` is a lazily conjugated view: never in ember."""
    _need_tensor(input, "is_conj")
    return False


def is_neg(input):
    """Whether ``input`` has the negative bit set: never in ember."""
    _need_tensor(input, "is_neg")
    return False


def is_complex(input):
    """Whether ``input`` has a complex dtype.

    >>> import ember
    >>> ember.is_complex(ember.tensor([1j])), ember.is_complex(ember.tensor([1.]))
    (True, False)
    """
    _need_tensor(input, "is_complex")
    return input._data.dtype.kind == "c"


class Angle(Op):
    save = (0,)
    complex_autograd = True

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "c":
            return np.angle(x)
        if x.dtype.kind != "f":
            x = x.astype(D._default[0].np)
        # pi for negative numbers, 0 for the rest (-0.0 included), NaN stays NaN
        r = np.where(x < 0, x.dtype.type(_PI), x.dtype.type(0))
        return np.where(x != x, x, r)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xd = x._data
        if xd.dtype.kind != "c":
            from .creation import zeros_like
            return zeros_like(x)
        # d angle = i z / |z|^2 (0 at z = 0)
        from .elementwise import Abs, _select
        a = apply(Abs, (x,), _E)
        return g * (x * 1j) / _select(a * a, xd != 0, 1.0)


def angle(input, *, out=None):
    """The phase of each element, in radians (for real numbers: pi for negatives, else 0).

    >>> import ember
    >>> ember.angle(ember.tensor([1j, -1.]))
    tensor([1.5708, 3.1416])
    """
    _need_tensor(input, "angle")
    return _out(apply(Angle, (input,), _E), out)


def _caster(dt):
    def f(self, memory_format=None):
        return self.to(dt)
    f.__name__ = {D.complex64: "cfloat", D.complex128: "cdouble"}[dt]
    return f


def _is_complex_method(self):
    return self._data.dtype.kind == "c"


def _false(self):
    return False


def _self(self):
    return self


METHODS = {
    "real": _real_prop, "imag": _imag_prop, "conj": conj, "conj_physical": conj_physical,
    "conj_physical_": _conj_physical_, "resolve_conj": _self, "resolve_neg": _self,
    "is_conj": _false, "is_neg": _false, "angle": angle, "is_complex": _is_complex_method,
    "cfloat": _caster(D.complex64), "cdouble": _caster(D.complex128),
}
