"""Tensor creation: from data (``tensor``, ``as_tensor``, ``asarray``, ``from_numpy``), by
shape (``zeros``, ``ones``, ``empty``, ``full``, ``eye``, ``arange``, ``linspace``,
``logspace`` …) and at random (``rand``, ``randn``, ``randint``, ``randperm``, ``normal``,
``bernoulli``, ``multinomial`` … and the in-place ``uniform_``, ``normal_``, ``random_`` …).

Every random function takes ``generator=`` (an :class:`ember.Generator`) and otherwise
draws from ``ember.random.default_generator``, so ``ember.manual_seed`` makes runs
reproducible. float32 samples are drawn as float32 (no float64 detour).
"""
import math
import numbers
import warnings

import numpy as np

from .. import _dtype as D
from .._device import as_device
from .._tensor import Tensor, Size, _size_arg, _wrap
from ..autograd.grad_mode import _state
from ..random import _rng
from ._dispatch import Op, _bump, apply, broadcast_error, inplace

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full",
           "arange", "zeros_like", "ones_like", "empty_like", "full_like", "scalar_tensor",
           "eye", "linspace", "logspace", "empty_strided", "rand", "randn", "randint",
           "randperm", "normal", "rand_like", "randn_like", "randint_like", "bernoulli",
           "multinomial", "poisson"]


# --- tensor(): PyTorch's dtype inference ----------------------------------------------------
_FAST = {int, float, bool}
_SEQ = (list, tuple, range, Size)


def _is_seq(x):
    return isinstance(x, _SEQ) or (isinstance(x, np.ndarray) and x.ndim > 0)


def _scalar_dtype(x, flags):
    """The dtype one scalar element contributes to the inference."""
    t = type(x)
    if t is bool:
        return D.bool_
    if t is int:
        return D.int64
    if t is float:
        return D._default[0]
    if isinstance(x, Tensor):
        if x._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        flags["tensors"] = True
        return D._FROM_NP[x._data.dtype]
    if isinstance(x, (np.generic, np.ndarray)):
        flags["tensors"] = True
        return D.from_numpy_dtype(x.dtype)
    if isinstance(x, bool):
        return D.bool_
    if isinstance(x, numbers.Integral):
        return D.int64
    if isinstance(x, numbers.Real):
        return D._default[0]
    if isinstance(x, numbers.Complex):
        return D._default_complex()
    if isinstance(x, str):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    if _is_seq(x):
        raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _first_shape(data):
    shape = []
    x = data
    while True:
        if isinstance(x, np.ndarray):
            shape.extend(x.shape)
            break
        if not _is_seq(x):
            break
        shape.append(len(x))
        if len(x) == 0:
            break
        x = x[0]
    return shape


def _walk(seq, shape, d, dts, flags):
    """Check ``seq`` against the expected ``shape`` from dimension ``d`` on and collect the
    element dtypes into ``dts`` (a dict used as an ordered set)."""
    n = len(seq)
    if n != shape[d]:
        raise ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {n})")
    if d == len(shape) - 1:
        if isinstance(seq, np.ndarray):
            dts[D.from_numpy_dtype(seq.dtype)] = None
            return
        types = set(map(type, seq))
        if types <= _FAST:
            for t in types:
                dts[D.bool_ if t is bool else D.int64 if t is int else D._default[0]] = None
            return
        for x in seq:
            dts[_scalar_dtype(x, flags)] = None
        return
    if isinstance(seq, np.ndarray):
        dts[D.from_numpy_dtype(seq.dtype)] = None
        return
    for x in seq:
        if isinstance(x, np.ndarray):
            if x.shape != tuple(shape[d + 1:]):
                raise ValueError(f"expected sequence of length {shape[d + 1]} at dim {d + 1} "
                                 f"(got {len(x) if x.ndim else 0})")
            flags["tensors"] = True
            dts[D.from_numpy_dtype(x.dtype)] = None
        elif _is_seq(x):
            _walk(x, shape, d + 1, dts, flags)
        else:
            if isinstance(x, str):
                raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
            raise TypeError("not a sequence")


def _plain(x):
    """Nested lists with ember tensors / 0-d arrays replaced by Python scalars."""
    if isinstance(x, Tensor):
        return x._data.reshape(()).item()
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return x.item()
    if isinstance(x, _SEQ):
        return [_plain(y) for y in x]
    return x


def _check_int_range(arr, dt):
    """PyTorch refuses Python values that overflow an integer dtype."""
    if arr.size == 0:
        return
    info = np.iinfo(dt.np) if dt.np.kind in "iu" else None
    if info is None:
        return
    lo = info.min if dt.np.kind == "i" else -(info.max + 1) // 2
    with np.errstate(invalid="ignore"):
        bad = not (np.all(np.isfinite(arr)) and arr.min() >= lo and arr.max() <= info.max) \
            if arr.dtype.kind == "f" else (arr.min() < lo or arr.max() > info.max)
    if bad:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")


def _build(data, dt):
    try:
        with np.errstate(over="ignore"):
            return np.array(data, dtype=dt.np)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None


def _infer_np(data, dtype=None):
    """A new NumPy array for ``data`` with PyTorch's dtype inference (or ``dtype``)."""
    want = None if dtype is None else D.as_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        return _astype(arr, want.np) if want is not None else arr.copy()
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return _astype(data, want.np) if want is not None else np.array(data, copy=True)
    flags = {}
    if _is_seq(data):
        shape = _first_shape(data)
        dts = {}
        _walk(data, shape, 0, dts, flags)
        dt = None
        for d in dts:
            dt = d if dt is None else D._PROMOTE[(dt, d)]
        if dt is None:
            dt = D._default[0]
        src = _plain(data) if flags else data
    else:
        dt = _scalar_dtype(data, flags)
        src = data.item() if isinstance(data, np.generic) else data
    if want is None or want is dt:
        return _build(src, dt)
    if dt.is_complex and not want.is_complex and not flags:
        # PyTorch refuses Python complex numbers for a real dtype
        if want.np.kind in "iub":
            raise TypeError("'complex' object cannot be interpreted as an integer")
        raise TypeError("must be real number, not complex")
    if dt.is_complex and not want.is_complex:
        src = np.real(np.array(src, dtype=np.complex128))
    if want.np.kind in "iu" and not flags:
        # Python numbers must fit the integer dtype (checked on exact values)
        arr = _build(src, D.float64 if dt.is_floating_point else dt)
        _check_int_range(arr, want)
        return arr.astype(want.np)
    with np.errstate(invalid="ignore", over="ignore"):
        return _build(src, want)


def _astype(arr, npdt):
    """``arr.astype(npdt)``; complex to real keeps the real part (no NumPy warning)."""
    if arr.dtype.kind == "c" and npdt.kind != "c":
        arr = arr.real
    return arr.astype(npdt)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying ``data`` (nested lists, scalars, NumPy arrays, tensors); the
    dtype is inferred unless given: bool, int64 for integers, the default float dtype for
    floats, the promoted dtype for mixtures. (``ember.Tensor(2)`` is instead an
    uninitialised float tensor of size 2.)

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> ember.tensor([True, 2.5]).dtype
    ember.float32
    >>> ember.tensor(2).shape
    ember.Size([])
    """
    as_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                      ".requires_grad_(True), rather than ember.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    t = _wrap(_infer_np(data, dtype))
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    """Like :func:`tensor`, but shares memory with a tensor or NumPy array when no
    conversion is needed.

    >>> import numpy as np, ember
    >>> a = np.zeros(2); t = ember.as_tensor(a); t[0] = 1.; a
    array([1., 0.])
    """
    as_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        t = from_numpy(data)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Convert ``obj`` to a tensor: shares memory when possible (``copy=None``), always
    copies (``copy=True``) or refuses to copy (``copy=False``)."""
    as_device(device)
    if copy:
        t = tensor(obj, dtype=dtype)
    elif isinstance(obj, (Tensor, np.ndarray)):
        src = obj._data.dtype if isinstance(obj, Tensor) else obj.dtype
        if copy is False and dtype is not None and D.as_dtype(dtype).np != src:
            raise ValueError(f"can't alias tensor with dtype '{D._FROM_NP[src]._legacy[:-6]}' "
                             f"into dtype '{D.as_dtype(dtype)._legacy[:-6]}'.")
        t = as_tensor(obj, dtype=dtype)
    else:
        t = tensor(obj, dtype=dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array.

    >>> import numpy as np, ember
    >>> a = np.array([1, 2, 3]); t = ember.from_numpy(a); t[0] = -1; a
    array([-1,  2,  3])
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    return _wrap(ndarray)


# --- by shape ---------------------------------------------------------------------------------
def _dt(dtype, out=None):
    if dtype is not None:
        return D.as_dtype(dtype)
    if out is not None:
        return out.dtype
    return D._default[0]


def _finish(arr, requires_grad, device, out=None):
    """Wrap a new array (or write it into ``out=``, resizing it) and set requires_grad."""
    as_device(device)
    if out is not None:
        if not isinstance(out, Tensor):
            raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
        if out._data.dtype != arr.dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {D._FROM_NP[arr.dtype]}, but "
                               f"got {out.dtype} instead")
        if out._data.shape != arr.shape:
            out._data = arr
        else:
            np.copyto(out._data, arr)
        _bump(out)
        if requires_grad:
            out.requires_grad_(True)
        return out
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _shape(args, size, fname):
    if size is not None:
        if args:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        args = (size,)
    return _size_arg(args, fname)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None):
    """A tensor of zeros of the given size (default float dtype).

    >>> import ember
    >>> ember.zeros(2, 3).shape
    ember.Size([2, 3])
    """
    return _finish(np.zeros(_shape(args, size, "zeros"), _dt(dtype, out).np), requires_grad,
                   device, out)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, memory_format=None):
    """A tensor of ones of the given size.

    >>> import ember
    >>> ember.ones(2, dtype=ember.int64)
    tensor([1, 1])
    """
    return _finish(np.ones(_shape(args, size, "ones"), _dt(dtype, out).np), requires_grad,
                   device, out)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None):
    """An uninitialised tensor of the given size."""
    return _finish(np.empty(_shape(args, size, "empty"), _dt(dtype, out).np), requires_grad,
                   device, out)


def _fill_dtype(fill_value):
    if isinstance(fill_value, bool):
        return D.bool_
    if isinstance(fill_value, numbers.Integral):
        return D.int64
    if isinstance(fill_value, complex):
        return D._default_complex()
    return D._default[0]


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor of ``fill_value``; the dtype is inferred from the value unless given.

    >>> import ember
    >>> ember.full((2,), 7)
    tensor([7, 7])
    """
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if isinstance(fill_value, Tensor):
        if fill_value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{fill_value._data.ndim} dimensions.")
        fill_value = fill_value.item()
    elif isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    dt = D.as_dtype(dtype) if dtype is not None else (
        out.dtype if out is not None else _fill_dtype(fill_value))
    with np.errstate(invalid="ignore", over="ignore"):
        arr = np.full(_size_arg((size,), "full"), fill_value, dt.np)
    return _finish(arr, requires_grad, device, out)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """A 0-d tensor holding ``s`` (default float dtype)."""
    if isinstance(s, Tensor):
        s = s.item()
    return _finish(np.array(s, _dt(dtype).np), requires_grad, device)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """A 2-D tensor with ones on the diagonal and zeros elsewhere, ``n`` rows and ``m``
    (default ``n``) columns.

    >>> import ember
    >>> ember.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    for name, v, pos in (("n", n, 1), ("m", m, 2)):
        if name == "m" and v is None:
            continue
        if isinstance(v, Tensor):
            v = v.item()
        if isinstance(v, (bool, float)) or not hasattr(v, "__index__"):
            raise TypeError(f"eye(): argument '{name}' (position {pos}) must be int, not "
                            f"{type(v).__name__}")
        if v.__index__() < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v.__index__()}")
    n = int(n)
    m = n if m is None else int(m)
    return _finish(np.eye(n, m, dtype=_dt(dtype, out).np), requires_grad, device, out)


def _num(v, what="arange"):
    if isinstance(v, Tensor):
        return v.item()
    if isinstance(v, np.generic):
        return v.item()
    if not isinstance(v, numbers.Real):
        raise TypeError(f"{what}(): argument must be a number, not {type(v).__name__}")
    return v


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``: int64 when all are
    integers, else the default float dtype. The length is ``ceil((end - start) / step)``
    (computed in float64, like PyTorch); with an integer ``dtype`` the bounds and step are
    truncated to integers first.

    >>> import ember
    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> ember.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if dtype is not None:
        dt = D.as_dtype(dtype)
    elif out is not None:
        dt = out.dtype
    elif all(isinstance(v, numbers.Integral) for v in (start, end, step)):
        dt = D.int64
    else:
        dt = D._default[0]
    if dt is D.bool_:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    for v in (start, end):
        if not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dt is D.int64:
        # integer bounds and step (truncated) decide everything
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt is D.int64:
        n = max(-((start - end) // step) if step > 0 else -((end - start) // -step), 0)
        arr = start + np.arange(n, dtype=np.int64) * step
    else:
        # the length comes from the bounds as float64 (as in PyTorch)
        n = max(int(math.ceil((float(end) - float(start)) / float(step))), 0)
        if dt.is_floating_point:
            arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
        else:
            with np.errstate(over="ignore"):
                arr = (int(start) + np.arange(n, dtype=np.int64) * int(step)).astype(dt.np)
    return _finish(arr, requires_grad, device, out)


def _steps(steps):
    if isinstance(steps, Tensor):
        steps = steps.item()
    if isinstance(steps, (bool, float)) or not hasattr(steps, "__index__"):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    steps = steps.__index__()
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def _linspace(start, end, steps, npdt):
    """``steps`` values from ``start`` to ``end`` as PyTorch's CPU linspace computes them:
    ``step = (end - start) / (steps - 1)`` in ``npdt``, then ``start + i * step`` for the
    first half and ``end - (steps - 1 - i) * step`` for the rest (so both ends are exact),
    each a fused multiply-add with one rounding. float32 gets that exactly from float64
    arithmetic; float64 uses an exact product (Dekker's split) and a compensated
    sum. Also the bin edges of ``histc``/``histogram``."""
    if steps == 0:
        return np.empty(0, npdt)
    s, e = npdt.type(start), npdt.type(end)
    if steps == 1:
        return np.array([s], npdt)
    step = (e - s) / npdt.type(steps - 1)
    i = np.arange(steps)
    first = i < steps // 2
    if npdt not in (np.float32, np.float64):        # float16, complex: plain arithmetic
        ii = i.astype(npdt)
        return np.where(first, s + ii * step, e - (npdt.type(steps - 1) - ii) * step)
    base = np.where(first, np.float64(s), np.float64(e))
    k = np.where(first, i, i - (steps - 1)).astype(np.float64)
    step = np.float64(step)
    p = step * k
    if npdt != np.float64:
        return (base + p).astype(npdt)
    c = 134217729.0 * step            # 2**27 + 1: split step into two 26-bit halves
    shi = c - (c - step)
    err = (shi * k - p) + (step - shi) * k      # step * k == p + err exactly
    sm = base + p
    bv = sm - base
    e1 = (base - (sm - bv)) + (p - bv)          # base + p == sm + e1 exactly
    return sm + (e1 + err)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` values evenly spaced from ``start`` to ``end`` (both included).

    >>> import ember
    >>> ember.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start, end, steps = _num(start, "linspace"), _num(end, "linspace"), _steps(steps)
    dt = _dt(dtype, out)
    if dt is D.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    work = dt.np if dt.is_floating_point else np.dtype(np.float64)
    if not dt.is_floating_point:
        start, end = int(start), int(end)
    with np.errstate(invalid="ignore"):
        arr = _linspace(start, end, steps, work).astype(dt.np)
    return _finish(arr, requires_grad, device, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` values ``base ** x`` for ``x`` evenly spaced from ``start`` to ``end``.

    >>> import ember
    >>> ember.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    start, end, steps = _num(start, "logspace"), _num(end, "logspace"), _steps(steps)
    dt = _dt(dtype, out)
    if dt is D.bool_:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    if not dt.is_floating_point:
        start, end = int(start), int(end)
    with np.errstate(over="ignore", invalid="ignore"):
        arr = np.power(float(_num(base, "logspace")),
                       _linspace(start, end, steps, np.dtype(np.float64))).astype(dt.np)
    return _finish(arr, requires_grad, device, out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given size and strides (in elements)."""
    size = _size_arg((size,), "empty_strided")
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    dt = _dt(dtype)
    n = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    buf = np.empty(max(n, 0), dt.np)
    arr = np.lib.stride_tricks.as_strided(buf, size, tuple(s * dt.itemsize for s in stride))
    return _finish(arr, requires_grad, device)


def _like(fn):
    def f(input, *, dtype=None, layout=None, device=None, requires_grad=False,
          memory_format=None, pin_memory=False):
        dt = input.dtype if dtype is None else D.as_dtype(dtype)
        return fn(input._data.shape, dtype=dt, device=device, requires_grad=requires_grad)
    f.__name__ = fn.__name__ + "_like"
    f.__doc__ = f"Like :func:`{fn.__name__}` with the shape (and dtype) of ``input``."
    return f


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, pin_memory=False):
    """A tensor of ``fill_value`` with the shape (and dtype) of ``input``."""
    dt = input.dtype if dtype is None else D.as_dtype(dtype)
    return full(input._data.shape, fill_value, dtype=dt, device=device,
                requires_grad=requires_grad)


# --- random -----------------------------------------------------------------------------------
def _not_impl(kernel, dt):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dt._legacy[:-6]}'")


def _complex_sample(draw, rng, shape, npdt, scale=None):
    """Samples of a complex dtype: independent real and imaginary parts."""
    real = np.dtype(npdt.char.lower() if npdt.char in "FD" else npdt)
    arr = draw(rng, tuple(shape) + (2,), real)
    if scale is not None:
        arr *= real.type(scale)
    return arr.view(npdt).reshape(shape)


def _uniform(rng, shape, npdt):
    """Uniform [0, 1) samples of float dtype ``npdt`` (float32 drawn as float32); for a
    complex dtype, the real and imaginary parts are each uniform on [0, 1)."""
    if npdt.kind == "c":
        return _complex_sample(_uniform, rng, shape, npdt)
    if npdt == np.float32 or npdt == np.float64:
        return rng.random(shape, dtype=npdt)
    return rng.random(shape, dtype=np.float32).astype(npdt)


def _normal(rng, shape, npdt):
    if npdt.kind == "c":
        # complex standard normal: E|z|^2 = 1, each part of variance 1/2
        return _complex_sample(_normal, rng, shape, npdt, math.sqrt(0.5))
    if npdt == np.float32 or npdt == np.float64:
        return rng.standard_normal(shape, dtype=npdt)
    return rng.standard_normal(shape, dtype=np.float32).astype(npdt)


class _Sample(Op):
    """Random samples drawn beforehand, recorded against their parameters: like PyTorch,
    the sample is not differentiated through (the gradient is zero)."""

    @staticmethod
    def forward(ctx, *params, values):
        return values

    @staticmethod
    def backward(ctx, g):
        z = g * 0
        return tuple(z if n else None for n in ctx.needs_input_grad)


class NormalSample(_Sample):
    opname = "normal"
    node_name = "NormalBackward0"


class BernoulliSample(_Sample):
    opname = "bernoulli"
    node_name = "BernoulliBackward0"


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples from [0, 1).

    >>> import ember
    >>> x = ember.rand(2, 3); x.shape, bool(((x >= 0) & (x < 1)).all())
    (ember.Size([2, 3]), True)
    """
    shape = _shape(args, size, "rand")
    dt = _dt(dtype, out)
    if not (dt.is_floating_point or dt.is_complex):
        raise _not_impl("check_uniform_bounds", dt)
    return _finish(_uniform(_rng(generator), shape, dt.np), requires_grad, device, out)


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Samples from the standard normal distribution.

    >>> import ember
    >>> ember.randn(4, 5).shape
    ember.Size([4, 5])
    """
    shape = _shape(args, size, "randn")
    dt = _dt(dtype, out)
    if not (dt.is_floating_point or dt.is_complex):
        raise _not_impl("normal_kernel_cpu", dt)
    return _finish(_normal(_rng(generator), shape, dt.np), requires_grad, device, out)


def _check_int_bounds(low, high, dt):
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    if dt is D.bool_:
        lo, hi, name = 0, 1, "bool"
    elif dt.is_floating_point:
        return
    else:
        info = np.iinfo(dt.np)
        lo, hi = info.min, info.max
        name = _CNAMES.get(dt.name, dt.name)
    if low < lo:
        raise RuntimeError(f"from is out of bounds for {name}")
    if high - 1 > hi:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")


_CNAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
           "int64": "long"}


def _randint_values(rng, low, high, shape, dt):
    r = rng.integers(low, high, shape, dtype=np.int64)
    return r if dt.np == np.int64 else r.astype(dt.np)


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """Random integers from [low, high) (``randint(high, size)`` or
    ``randint(low, high, size)``); int64 unless ``dtype`` says otherwise.

    >>> import ember
    >>> x = ember.randint(3, 5, (10,)); x.dtype, bool(((x >= 3) & (x < 5)).all())
    (ember.int64, True)
    """
    args = list(args)
    if size is None and args:
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise TypeError("randint() takes from 2 to 3 positional arguments")
    if high is None:
        raise TypeError("randint() missing required argument 'high'")
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if not isinstance(size, (tuple, list, Size)):
        pos = 3 if low is not None else 2
        raise TypeError(f"randint(): argument 'size' (position {pos}) must be tuple of ints, "
                        f"not {type(size).__name__}")
    low = 0 if low is None else int(_num(low, "randint"))
    high = int(_num(high, "randint"))
    shape = _size_arg((size,), "randint")
    dt = D.int64 if dtype is None else D.as_dtype(dtype)
    if dtype is None and out is not None:
        dt = out.dtype
    _check_int_bounds(low, high, dt)
    return _finish(_randint_values(_rng(generator), low, high, shape, dt), requires_grad, device,
                   out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of ``0 .. n-1`` (int64 by default).

    >>> import ember
    >>> sorted(ember.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    if isinstance(n, Tensor):
        n = n.item()
    if isinstance(n, (bool, float)) or not hasattr(n, "__index__"):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    n = n.__index__()
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = D.int64 if dtype is None else D.as_dtype(dtype)
    if dt is D.bool_ and n > 2 or (not dt.is_floating_point and dt is not D.bool_
                                   and n - 1 > np.iinfo(dt.np).max):
        raise RuntimeError(f"n is too large for result tensor type: '{dt._legacy}'")
    arr = _rng(generator).permutation(n)
    return _finish(arr.astype(dt.np, copy=False), requires_grad, device, out)


def _result_float(*vals):
    """The float dtype of a mix of tensors and Python numbers (tensors decide)."""
    dt = None
    for v in vals:
        if isinstance(v, Tensor):
            d = v.dtype
            dt = d if dt is None else D._PROMOTE[(dt, d)]
    return dt or D._default[0]


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False):
    """Normal samples: ``normal(mean_tensor, std_tensor)`` (broadcast),
    ``normal(mean, std_tensor)``, ``normal(mean_tensor, std=1.0)``, or
    ``normal(mean, std, size)``. As in PyTorch, no gradient flows through the sample
    (it is zero for tensor ``mean`` and ``std``).

    >>> import ember
    >>> ember.normal(ember.zeros(3), 1.0).shape
    ember.Size([3])
    >>> ember.normal(2.0, 3.0, (2, 2)).shape
    ember.Size([2, 2])
    """
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    rng = _rng(generator)
    if mt or st:
        if size is not None:
            raise TypeError("normal() received an invalid combination of arguments: 'size' is "
                            "only accepted with float mean and std")
        for t in (mean, std):
            if isinstance(t, Tensor) and not t.is_floating_point():
                raise _not_impl("normal_kernel_cpu", t.dtype)
        if st:
            if std._data.size and np.any(std._data < 0):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        elif std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        sm = mean._data.shape if mt else ()
        ss = std._data.shape if st else ()
        try:
            shape = np.broadcast_shapes(sm, ss)
        except ValueError:
            raise broadcast_error(sm, ss) from None
        dt = _result_float(mean, std)
        arr = _normal(rng, shape, dt.np)
        arr *= std._data if st else std
        arr += mean._data if mt else mean
        r = apply(NormalSample, (mean, std), {"values": arr})
        if out is not None:
            return _finish(r._data, False, None, out)
        return r
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, "
                        "float), but expected one of: (Tensor mean, Tensor std), (Tensor mean, "
                        "float std), (float mean, Tensor std), (float mean, float std, tuple of "
                        "ints size)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = _dt(dtype, out)
    if not dt.is_floating_point:
        raise _not_impl("normal_kernel_cpu", dt)
    arr = _normal(rng, _size_arg((size,), "normal"), dt.np)
    if std != 1:
        arr *= std
    if mean != 0:
        arr += mean
    return _finish(arr, requires_grad, device, out)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """Uniform [0, 1) samples with the shape (and dtype) of ``input``."""
    return rand(input._data.shape, generator=generator,
                dtype=input.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    """Standard normal samples with the shape (and dtype) of ``input``."""
    return randn(input._data.shape, generator=generator,
                 dtype=input.dtype if dtype is None else dtype, device=device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """Random integers in [low, high) with the shape (and dtype) of ``input``
    (``randint_like(input, high)`` or ``randint_like(input, low, high)``)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, generator=generator,
                   dtype=input.dtype if dtype is None else dtype, device=device,
                   requires_grad=requires_grad)


def _check_p(p, name):
    if not 0 <= p <= 1:
        raise RuntimeError(f"{name} expects p to be in [0, 1], but got p={p}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples: element ``i`` is 1 with probability ``input[i]`` (or ``p`` for all);
    the result has ``input``'s shape and dtype.

    >>> import ember
    >>> ember.bernoulli(ember.tensor([0., 1.]))
    tensor([0., 1.])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    d = input._data
    rng = _rng(generator)
    if p is None:
        if d.dtype.kind != "f":
            raise _not_impl("bernoulli_tensor_cpu_p_", input.dtype)
        if d.size and not (np.all(d >= 0) and np.all(d <= 1)):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        probs = d
    else:
        if isinstance(p, Tensor):
            probs = p._data
        else:
            _check_p(p, "bernoulli_")
            probs = p
    unpd = d.dtype if d.dtype.kind == "f" and d.dtype != np.float16 else np.dtype(np.float32)
    u = _uniform(rng, d.shape, unpd)
    arr = (u < probs).astype(d.dtype)
    if out is not None:
        return _finish(arr, False, None, out)
    return apply(BernoulliSample, (input,), {"values": arr})


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the categorical distribution(s) with the (unnormalised)
    probabilities in the last dimension of ``input`` (1-D or 2-D); without replacement
    each index is drawn at most once per row.

    >>> import ember
    >>> ember.multinomial(ember.tensor([0., 1., 0.]), 2, replacement=True)
    tensor([1, 1])
    """
    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype._legacy[:-6]}")
    if d.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n_cat = d.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    p = d.reshape(-1, n_cat).astype(np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    tot = p.sum(-1)
    if np.any(tot <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    rows = p.shape[0]
    if replacement:
        cdf = np.cumsum(p, -1)
        cdf /= cdf[:, -1:]
        u = rng.random((rows, num_samples))
        offs = np.arange(rows)[:, None]
        idx = np.searchsorted((cdf + offs).reshape(-1), (u + offs).reshape(-1), side="right")
        idx = np.minimum(idx.reshape(rows, num_samples) - offs * n_cat, n_cat - 1)
    else:
        # exponential races: the k smallest keys E_i / p_i are a sample without replacement
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential((rows, n_cat)) / p
        if num_samples < n_cat:
            part = np.argpartition(keys, num_samples - 1, axis=-1)[:, :num_samples]
            order = np.argsort(np.take_along_axis(keys, part, -1), axis=-1, kind="stable")
            idx = np.take_along_axis(part, order, -1)
        else:
            idx = np.argsort(keys, axis=-1, kind="stable")
    idx = idx.astype(np.int64, copy=False)
    if d.ndim == 1:
        idx = idx.reshape(num_samples)
    return _finish(idx, False, None, out)


def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (same shape and dtype)."""
    d = input._data
    if d.dtype.kind != "f":
        raise _not_impl("poisson_cpu", input.dtype)
    if d.size and np.any(d < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    return _wrap(_rng(generator).poisson(d).astype(d.dtype))


# --- in-place random fills ---------------------------------------------------------------------
class RandomFill(Op):
    """Overwrite a tensor with values drawn beforehand (the gradient to the old values is
    zero)."""

    opname = "random_"

    @staticmethod
    def forward(ctx, x, values):
        return values

    @staticmethod
    def backward(ctx, g):
        return g * 0


def _direct(self):
    """Whether samples can be drawn straight into this tensor's memory."""
    d = self._data
    return not (_state.enabled and self._requires_grad) and d.flags.c_contiguous and \
        d.flags.writeable and (d.dtype == np.float32 or d.dtype == np.float64)


def _fill(self, arr):
    if _state.enabled and self._requires_grad:
        return inplace(RandomFill, self, values=arr)
    np.copyto(self._data, arr, casting="unsafe")
    _bump(self)
    return self


def _float_only(self, kernel):
    if self._data.dtype.kind != "f":
        raise _not_impl(kernel, self.dtype)


def uniform_(self, from_=0, to=1, *, generator=None, **kw):
    """Fill with uniform samples from [from, to) in place."""
    from_ = kw.pop("from", from_)
    _float_only(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    d = self._data
    rng = _rng(generator)
    direct = _direct(self)
    arr = rng.random(dtype=d.dtype, out=d) if direct else _uniform(rng, d.shape, d.dtype)
    if to - from_ != 1:
        arr *= to - from_
    if from_ != 0:
        arr += from_
    if direct:
        _bump(self)
        return self
    return _fill(self, arr)


def normal_(self, mean=0, std=1, *, generator=None):
    """Fill with normal samples in place."""
    _float_only(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    d = self._data
    rng = _rng(generator)
    direct = _direct(self)
    arr = rng.standard_normal(dtype=d.dtype, out=d) if direct else _normal(rng, d.shape, d.dtype)
    if std != 1:
        arr *= std
    if mean != 0:
        arr += mean
    if direct:
        _bump(self)
        return self
    return _fill(self, arr)


def random_(self, from_=0, to=None, *, generator=None, **kw):
    """Fill with random integers in place: ``random_(to)`` draws from [0, to),
    ``random_(from, to)`` from [from, to), ``random_()`` from [0, the dtype's largest
    exactly representable integer]."""
    from_ = kw.pop("from", from_)
    d = self._data
    dt = self.dtype
    if to is None:
        if dt is D.bool_:
            hi = 2
        elif dt.is_floating_point:
            hi = 2 ** (np.finfo(d.dtype).nmant + 1) + 1
        else:
            hi = int(np.iinfo(d.dtype).max) + 1
        lo = from_
    else:
        lo, hi = from_, to
    lo, hi = int(lo), int(hi)
    _check_int_bounds(lo, hi, dt)
    rng = _rng(generator)
    if hi > 2 ** 63 - 1:
        arr = rng.integers(lo, hi, d.shape, dtype=np.uint64) if lo >= 0 else \
            rng.integers(lo, hi - 1, d.shape, dtype=np.int64, endpoint=True)
    else:
        arr = rng.integers(lo, hi, d.shape, dtype=np.int64)
    return _fill(self, arr.astype(d.dtype))


def _random_(self, *args, generator=None, **kw):
    if len(args) == 1 and "to" not in kw:
        return random_(self, 0, args[0], generator=generator, **kw)
    return random_(self, *args, generator=generator, **kw)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples (1 with probability ``p``, a number or a tensor) in place."""
    d = self._data
    if isinstance(p, Tensor):
        pd = p._data
        if pd.size and not (np.all(pd >= 0) and np.all(pd <= 1)):
            raise RuntimeError("bernoulli_ expects all elements of p to be in [0, 1]")
        probs = pd
    else:
        _check_p(p, "bernoulli_")
        probs = p
    u = _uniform(_rng(generator), d.shape, d.dtype if d.dtype in (np.float32, np.float64)
                 else np.dtype(np.float32))
    return _fill(self, u < probs)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd`` in place."""
    _float_only(self, "exponential_cpu")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    d = self._data
    npdt = d.dtype if d.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    arr = _rng(generator).standard_exponential(d.shape, dtype=npdt)
    if lambd != 1:
        arr /= lambd
    return _fill(self, arr)


def geometric_(self, p, *, generator=None):
    """Fill with geometric samples (number of trials to the first success) in place."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    d = self._data
    return _fill(self, _rng(generator).geometric(p, d.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples in place."""
    _float_only(self, "cauchy_cpu")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    d = self._data
    return _fill(self, median + sigma * _rng(generator).standard_cauchy(d.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with log-normal samples (``exp`` of normal(mean, std)) in place."""
    _float_only(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    d = self._data
    return _fill(self, np.exp(mean + std * _rng(generator).standard_normal(d.shape)))


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


# --- Tensor.new_* -----------------------------------------------------------------------------
def _new_factory(fn):
    def f(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
          pin_memory=False):
        return fn(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)
    f.__name__ = "new_" + fn.__name__
    return f


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                pin_memory=False):
    return tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                       layout=None, pin_memory=False):
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=device, requires_grad=requires_grad)


METHODS = {"new_zeros": _new_factory(zeros), "new_ones": _new_factory(ones),
           "new_empty": _new_factory(empty), "new_tensor": _new_tensor, "new_full": _new_full,
           "new_empty_strided": _new_empty_strided,
           "uniform_": uniform_, "normal_": normal_, "random_": _random_,
           "bernoulli_": bernoulli_, "exponential_": exponential_, "geometric_": geometric_,
           "cauchy_": cauchy_, "log_normal_": log_normal_,
           "bernoulli": _bernoulli_method, "multinomial": _multinomial_method}
