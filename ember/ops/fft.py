"""Discrete Fourier transforms: the ops behind ``ember.fft``.

Three core ops, as in PyTorch, each defined once with its adjoint as backward:

* ``FftC2C``: complex to complex over some dims, forward (``e^{-2 pi i ...}``) or inverse;
  its adjoint is the transform in the other direction with the same scaling.
* ``FftR2C``: real to complex (``onesided``: only the first ``n // 2 + 1`` frequencies of
  the last dim); adjoint: zero-fill the missing frequencies, inverse C2C, real part.
* ``FftC2R``: a one-sided Hermitian spectrum to a real signal (the last dim's length is
  given); adjoint: one-sided R2C, doubling the frequencies that stand for two.

The scaling of a transform is ``"none"``, ``"sqrt"`` (``1/sqrt(n)``) or ``"n"``
(``1/n``), ``n`` the number of points transformed; ``norm`` (``"backward"``, ``"ortho"``,
``"forward"``) picks it from the direction, as in PyTorch. The public functions (in
``ember.fft``) promote the input (integers to the default float dtype; float32 stays
float32: complex64 results), zero-pad or trim it to ``n``/``s`` (``_Resize``) and call the
core ops. NumPy's pocketfft does the work.
"""
import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _norm_dim
from ._dispatch import Op, apply

__all__ = []          # the functions live in the ``ember.fft`` namespace, not ``ember``

_NP_FWD = {"none": "backward", "sqrt": "ortho", "n": "forward"}    # NumPy's forward norm
_NP_INV = {"none": "forward", "sqrt": "ortho", "n": "backward"}    # NumPy's inverse norm


def _scale(norm, forward):
    """The scaling of a transform in direction ``forward`` for PyTorch's ``norm``."""
    if norm is None or norm == "backward":
        return "none" if forward else "n"
    if norm == "ortho":
        return "sqrt"
    if norm == "forward":
        return "n" if forward else "none"
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _cdt(npdt):
    return np.dtype(np.complex64) if npdt in (np.float32, np.complex64) else \
        np.dtype(np.complex128)


def _rdt(npdt):
    return np.dtype(np.float32) if npdt in (np.float32, np.complex64) else \
        np.dtype(np.float64)


# --- core ops ---------------------------------------------------------------------------------
class _Resize(Op):
    """Trim or zero-pad (at the end) the dims ``dims`` to ``sizes``; its adjoint is the
    resize back."""

    opname = "fft_resize"
    node_name = "ConstantPadNdBackward0"
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims, sizes):
        ctx.dims = dims
        ctx.orig = tuple(x.shape[d] for d in dims)
        key = [slice(None)] * x.ndim
        pads = [(0, 0)] * x.ndim
        pad = False
        for d, n in zip(dims, sizes):
            if n < x.shape[d]:
                key[d] = slice(0, n)
            elif n > x.shape[d]:
                pads[d] = (0, n - x.shape[d])
                pad = True
        y = x[tuple(key)]
        return np.pad(y, pads) if pad else np.array(y)

    @staticmethod
    def backward(ctx, g):
        return apply(_Resize, (g,), {"dims": ctx.dims, "sizes": ctx.orig})


def _resize(x, dims, sizes):
    shape = x._data.shape
    if all(shape[d] == n for d, n in zip(dims, sizes)):
        return x
    return apply(_Resize, (x,), {"dims": tuple(dims), "sizes": tuple(sizes)})


class FftC2C(Op):
    opname = "fft_c2c"
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims, scale, forward):
        ctx.args = (dims, scale, forward)
        if forward:
            r = np.fft.fftn(x, axes=dims, norm=_NP_FWD[scale])
        else:
            r = np.fft.ifftn(x, axes=dims, norm=_NP_INV[scale])
        return r.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        dims, scale, forward = ctx.args
        return apply(FftC2C, (g,), {"dims": dims, "scale": scale, "forward": not forward})


class FftR2C(Op):
    """Forward-direction transform of a real input (``onesided``: last dim halved)."""

    opname = "fft_r2c"
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims, scale, onesided):
        ctx.args = (dims, scale, onesided, x.shape[dims[-1]])
        f = np.fft.rfftn if onesided else np.fft.fftn
        return f(x, axes=dims, norm=_NP_FWD[scale]).astype(_cdt(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        dims, scale, onesided, n = ctx.args
        if onesided:       # the dropped frequencies get no gradient: zero-fill them
            g = _resize(g, (dims[-1],), (n,))
        from .complex import real
        return real(apply(FftC2C, (g,), {"dims": dims, "scale": scale, "forward": False}))


class FftC2R(Op):
    """Inverse-direction transform of a one-sided Hermitian spectrum to a real signal whose
    last transformed dim has length ``n`` (the input's has ``n // 2 + 1``)."""

    opname = "fft_c2r"
    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims, scale, n):
        ctx.args = (dims, scale, n)
        s = [x.shape[d] for d in dims[:-1]] + [n]
        return np.fft.irfftn(x, s=s, axes=dims, norm=_NP_INV[scale]).astype(_rdt(x.dtype),
                                                                             copy=False)

    @staticmethod
    def backward(ctx, g):
        dims, scale, n = ctx.args
        gi = apply(FftR2C, (g,), {"dims": dims, "scale": scale, "onesided": True})
        # frequencies 1 .. n - (n // 2 + 1) stand for themselves and their mirror images
        m = n // 2 + 1
        if n - m > 0:
            w = np.ones(m, _rdt(g._data.dtype))
            w[1:n - m + 1] = 2
            nd = g._data.ndim
            w = w.reshape((m,) + (1,) * (nd - 1 - dims[-1]))
            from .creation import from_numpy
            gi = gi * from_numpy(w)
        return gi


# --- argument handling (shared by the public functions) ---------------------------------------
def _promote(x, fname, require_complex):
    """PyTorch's input promotion for FFTs: integers/bool -> the default float dtype,
    float16 refused, and complex when ``require_complex``."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    npdt = x._data.dtype
    if npdt.kind == "c":
        return x
    dt = D._FROM_NP[npdt] if npdt.kind == "f" else D._default[0]
    if dt is D.float16:
        raise RuntimeError("Unsupported dtype Half")
    if require_complex:
        dt = dt.to_complex()
    return x if dt.np == npdt else x.to(dt)


def _real_only(x, fname):
    if isinstance(x, Tensor) and x._data.dtype.kind == "c":
        raise RuntimeError(f"{fname} expects a real input tensor, but got "
                           f"{x.dtype._legacy[:-6]}")


def _int_arg(v, fname, arg, pos):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"fft_{fname}(): argument '{arg}' (position {pos}) must be int, not "
                        f"{type(v).__name__}")
    return int(v)


def _wrap_dim(x, dim):
    nd = x._data.ndim
    if nd == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _norm_dim(dim, nd)


def _check_n(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _one_dim(x, n, dim, fname):
    """``(dim, n)`` of a 1-D transform, checked."""
    dim = _wrap_dim(x, _int_arg(dim, fname, "dim", 3))
    if n is not None:
        n = _int_arg(n, fname, "n", 2)
    return dim, n


def _nd_args(x, s, dim, fname):
    """``(dims, sizes)`` of an n-D transform from ``s`` and ``dim`` (PyTorch's defaults)."""
    nd = x._data.ndim
    shape = x._data.shape
    dims = None
    if dim is not None:
        if isinstance(dim, numbers.Integral):
            dim = (dim,)
        dims = [_wrap_dim(x, _int_arg(d, fname, "dim", 3)) for d in dim]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        if isinstance(s, numbers.Integral):
            s = (s,)
        s = [_int_arg(v, fname, "s", 2) for v in s]
        if dims is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} "
                               "dimensions.")
        if dims is None:
            dims = list(range(nd - len(s), nd))
        sizes = [shape[d] if v == -1 else v for d, v in zip(dims, s)]
    elif dims is None:
        dims = list(range(nd))
        sizes = list(shape)
    else:
        sizes = [shape[d] for d in dims]
    for v in sizes:
        _check_n(v)
    return dims, sizes


def _out(r, out):
    if out is None:
        return r
    from .elementwise import _out as write
    return write(r, out)


def _c2c(x, dims, norm, forward):
    return apply(FftC2C, (x,), {"dims": tuple(dims), "scale": _scale(norm, forward),
                               "forward": forward})


def _r2c(x, dims, norm, forward, onesided):
    r = apply(FftR2C, (x,), {"dims": tuple(dims), "scale": _scale(norm, forward),
                             "onesided": onesided})
    if not forward:       # an inverse transform of a real signal: conjugate the forward one
        from .complex import conj
        r = conj(r)
    return r


def _c2r(x, dims, norm, forward, n):
    if forward:           # hfft: the forward transform of a Hermitian signal
        from .complex import conj
        x = conj(x)
    return apply(FftC2R, (x,), {"dims": tuple(dims), "scale": _scale(norm, forward), "n": n})


# --- 1-D transforms ---------------------------------------------------------------------------
def _fft1(input, n, dim, norm, out, fname, forward):
    _scale(norm, forward)
    if not isinstance(input, Tensor) or input._data.dtype.kind != "c":
        x = _promote(input, fname, False)
        dim, n = _one_dim(x, n, dim, fname)
        n = x._data.shape[dim] if n is None else n
        _check_n(n)
        x = _resize(x, (dim,), (n,))
        return _out(_r2c(x, (dim,), norm, forward, onesided=False), out)
    dim, n = _one_dim(input, n, dim, fname)
    n = input._data.shape[dim] if n is None else n
    _check_n(n)
    x = _resize(input, (dim,), (n,))
    return _out(_c2c(x, (dim,), norm, forward), out)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The 1-D discrete Fourier transform along ``dim`` (``n``: zero-pad or trim the input
    to ``n`` points first). Real input gives a complex result of matching precision.

    >>> import ember
    >>> ember.fft.fft(ember.tensor([1., 2., 3., 4.]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    return _fft1(input, n, dim, norm, out, "fft", True)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The 1-D inverse discrete Fourier transform along ``dim``.

    >>> import ember
    >>> ember.fft.ifft(ember.tensor([10.+0j, -2+2j, -2+0j, -2-2j])).real
    tensor([1., 2., 3., 4.])
    """
    return _fft1(input, n, dim, norm, out, "ifft", False)


def _rfft1(input, n, dim, norm, out, fname, forward):
    _real_only(input, fname)
    x = _promote(input, fname, False)
    dim, n = _one_dim(x, n, dim, fname)
    n = x._data.shape[dim] if n is None else n
    _check_n(n)
    _scale(norm, forward)
    x = _resize(x, (dim,), (n,))
    return _out(_r2c(x, (dim,), norm, forward, onesided=True), out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The FFT of a real signal: only the ``n // 2 + 1`` non-negative frequencies.

    >>> import ember
    >>> ember.fft.rfft(ember.tensor([1., 2., 3., 4.]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    return _rfft1(input, n, dim, norm, out, "rfft", True)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse FFT of a real signal: the ``n // 2 + 1`` non-negative frequencies of a
    Hermitian spectrum (the inverse of :func:`hfft`)."""
    return _rfft1(input, n, dim, norm, out, "ihfft", False)


def _irfft1(input, n, dim, norm, out, fname, forward):
    x = _promote(input, fname, True)
    dim, n = _one_dim(x, n, dim, fname)
    given = n is not None
    n = 2 * (x._data.shape[dim] - 1) if n is None else n
    _check_n(n)
    _scale(norm, forward)
    if given:
        x = _resize(x, (dim,), (n // 2 + 1,))
    return _out(_c2r(x, (dim,), norm, forward, n), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`rfft`: a real signal of ``n`` points (default
    ``2 * (m - 1)`` for ``m`` frequencies) from its non-negative frequencies.

    >>> import ember
    >>> ember.fft.irfft(ember.tensor([10.+0j, -2+2j, -2+0j]))
    tensor([1., 2., 3., 4.])
    """
    return _irfft1(input, n, dim, norm, out, "irfft", False)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The FFT of a Hermitian-symmetric signal given by its first half: a real spectrum of
    ``n`` points (default ``2 * (m - 1)``)."""
    return _irfft1(input, n, dim, norm, out, "hfft", True)


# --- n-D transforms ---------------------------------------------------------------------------
def _fftn(input, s, dim, norm, out, fname, forward):
    x = _promote(input, fname, True)
    dims, sizes = _nd_args(x, s, dim, fname)
    _scale(norm, forward)
    if not dims:
        return _out(x if x is not input else input.clone(), out)
    x = _resize(x, dims, sizes)
    return _out(_c2c(x, dims, norm, forward), out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The N-D discrete Fourier transform over ``dim`` (default: all dims, or the last
    ``len(s)``), the input zero-padded or trimmed to ``s`` first.

    >>> import ember
    >>> ember.fft.fftn(ember.tensor([[1., 2.], [3., 4.]]))
    tensor([[10.+0.j, -2.+0.j],
            [-4.+0.j,  0.+0.j]])
    """
    return _fftn(input, s, dim, norm, out, "fftn", True)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The N-D inverse discrete Fourier transform (see :func:`fftn`)."""
    return _fftn(input, s, dim, norm, out, "ifftn", False)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D discrete Fourier transform (:func:`fftn` over the last two dims)."""
    return _fftn(input, s, dim, norm, out, "fft2", True)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D inverse discrete Fourier transform."""
    return _fftn(input, s, dim, norm, out, "ifft2", False)


def _rfftn(input, s, dim, norm, out, fname, forward):
    _real_only(input, fname)
    x = _promote(input, fname, False)
    dims, sizes = _nd_args(x, s, dim, fname)
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")
    _scale(norm, forward)
    x = _resize(x, dims, sizes)
    if forward:
        return _out(_r2c(x, dims, norm, True, onesided=True), out)
    # ihfftn: one-sided inverse over the last dim, then inverse C2C over the others
    r = _r2c(x, dims[-1:], norm, False, onesided=True)
    if len(dims) > 1:
        r = _c2c(r, dims[:-1], norm, False)
    return _out(r, out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The N-D FFT of a real signal; the last transformed dim keeps ``n // 2 + 1``
    frequencies."""
    return _rfftn(input, s, dim, norm, out, "rfftn", True)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D FFT of a real signal (see :func:`rfftn`)."""
    return _rfftn(input, s, dim, norm, out, "rfft2", True)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The N-D inverse FFT of a real signal, one-sided in the last dim (inverse of
    :func:`hfftn`)."""
    return _rfftn(input, s, dim, norm, out, "ihfftn", False)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D version of :func:`ihfftn`."""
    return _rfftn(input, s, dim, norm, out, "ihfft2", False)


def _irfftn(input, s, dim, norm, out, fname, forward):
    x = _promote(input, fname, True)
    dims, sizes = _nd_args(x, s, dim, fname)
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")
    if s is None or (not isinstance(s, numbers.Integral) and list(s)[-1] == -1):
        n = 2 * (x._data.shape[dims[-1]] - 1)
    else:
        n = sizes[-1]
    _check_n(n)
    _scale(norm, forward)
    sizes[-1] = n // 2 + 1
    x = _resize(x, dims, sizes)
    if forward:
        # hfftn: forward C2C over all dims but the last, then the Hermitian C2R
        if len(dims) > 1:
            x = _c2c(x, dims[:-1], norm, True)
        return _out(_c2r(x, dims[-1:], norm, True, n), out)
    return _out(_c2r(x, dims, norm, False, n), out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`rfftn`: a real signal whose last transformed dim has ``s[-1]``
    points (default ``2 * (m - 1)``)."""
    return _irfftn(input, s, dim, norm, out, "irfftn", False)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of :func:`rfft2`."""
    return _irfftn(input, s, dim, norm, out, "irfft2", False)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The N-D FFT of a Hermitian-symmetric signal given by its one-sided half in the last
    dim: a real result."""
    return _irfftn(input, s, dim, norm, out, "hfftn", True)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D version of :func:`hfftn`."""
    return _irfftn(input, s, dim, norm, out, "hfft2", True)


# --- helpers ----------------------------------------------------------------------------------
def _freq_dtype(dtype):
    dt = D._default[0] if dtype is None else D.as_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("fftfreq requires a floating point or complex dtype")
    if dt.is_complex:      # PyTorch's arange has no complex kernel
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dt._legacy[:-6]}'")
    return dt


def _freq_tensor(arr, dt, n, d, requires_grad):
    arr = arr.astype(dt.np)
    with np.errstate(divide="ignore", invalid="ignore"):
        arr *= dt.np.type(1.0 / (n * d)) if n * d else dt.np.type(np.inf)
    from .creation import _finish
    return _finish(arr, requires_grad, None)


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an ``n``-point FFT with sample spacing ``d``:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)``.

    >>> import ember
    >>> ember.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    n = _int_arg(n, "fftfreq", "n", 1)
    dt = _freq_dtype(dtype)
    from .._device import as_device
    as_device(device)
    k = np.arange(n, dtype=np.int64)
    k[(n + 1) // 2:] -= n
    return _freq_tensor(k, dt, n, d, requires_grad)


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of an ``n``-point real FFT (``n // 2 + 1`` of
    them).

    >>> import ember
    >>> ember.fft.rfftfreq(4)
    tensor([0.0000, 0.2500, 0.5000])
    """
    n = _int_arg(n, "rfftfreq", "n", 1)
    dt = _freq_dtype(dtype)
    from .._device import as_device
    as_device(device)
    return _freq_tensor(np.arange(n // 2 + 1, dtype=np.int64), dt, n, d, requires_grad)


def _shift(input, dim, fname, inverse):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    nd = input._data.ndim
    if dim is None:
        dims = list(range(nd))
    elif isinstance(dim, numbers.Integral):
        dims = [_norm_dim(int(dim), nd)]
    else:
        dims = [_norm_dim(int(d), nd) for d in dim]
    if not dims:
        return input.clone()
    shape = input._data.shape
    shifts = [-(shape[d] // 2) if inverse else shape[d] // 2 for d in dims]
    return input.roll(shifts, dims)


def fftshift(input, dim=None):
    """Move the zero frequency to the middle of ``dim`` (default: all dims): a roll by
    ``n // 2``.

    >>> import ember
    >>> ember.fft.fftshift(ember.fft.fftfreq(4))
    tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    return _shift(input, dim, "fftshift", False)


def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift` (a roll by ``-(n // 2)``)."""
    return _shift(input, dim, "ifftshift", True)
