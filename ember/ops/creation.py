"""Tensor creation: from data (``tensor``, ``as_tensor``, ``from_numpy``) and by shape
(``zeros``, ``ones``, ``empty``, ``full``, ``arange`` …)."""
import numbers

import numpy as np

from .. import _dtype as D
from .._device import as_device
from .._tensor import Tensor, _size_arg, _wrap

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full",
           "arange", "zeros_like", "ones_like", "empty_like", "full_like", "scalar_tensor"]


def _infer_np(data):
    """NumPy array for Python data with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return np.array(data, copy=True)
    if isinstance(data, bool):
        return np.array(data, dtype=np.bool_)
    if isinstance(data, numbers.Integral) and not isinstance(data, np.generic):
        return np.array(data, dtype=np.int64)
    if isinstance(data, float):
        return np.array(data, dtype=D._default[0].np)
    if isinstance(data, np.generic):
        return np.array(data)
    if isinstance(data, (list, tuple)):
        flat = []
        _check_nested(data, flat)
        kinds = {_kind(x) for x in flat}
        if "c" in kinds:
            raise NotImplementedError("complex tensors are not supported by ember yet")
        if "f" in kinds:
            dt = D._default[0].np
        elif "i" in kinds:
            dt = np.int64
        elif "b" in kinds:
            dt = np.bool_
        elif flat:
            dt = D._default[0].np
        else:
            dt = D._default[0].np
        items = [x._data if isinstance(x, Tensor) else x for x in data] \
            if any(isinstance(x, Tensor) for x in data) else data
        return np.array(items, dtype=dt)
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _kind(x):
    if isinstance(x, bool) or (isinstance(x, np.generic) and x.dtype == np.bool_):
        return "b"
    if isinstance(x, numbers.Integral):
        return "i"
    if isinstance(x, numbers.Real):
        return "f"
    if isinstance(x, Tensor):
        k = x._data.dtype.kind
        return {"b": "b", "u": "i", "i": "i", "f": "f"}[k]
    if isinstance(x, np.ndarray):
        return {"b": "b", "u": "i", "i": "i", "f": "f"}.get(x.dtype.kind, "f")
    if isinstance(x, complex):
        return "c"
    raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _check_nested(data, flat, depth=0):
    """Flatten nested sequences, checking they are rectangular like PyTorch does."""
    if isinstance(data, (list, tuple)):
        lens = None
        for x in data:
            if isinstance(x, (list, tuple)):
                n = len(x)
                if lens is None:
                    lens = n
                elif lens != n:
                    raise ValueError(f"expected sequence of length {lens} at dim {depth + 1} "
                                     f"(got {n})")
                _check_nested(x, flat, depth + 1)
            else:
                flat.append(x)
    else:
        flat.append(data)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying ``data``; the dtype is inferred (int64, the default float
    dtype, bool) unless given.

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> ember.tensor(1.5).dtype
    ember.float32
    """
    as_device(device)
    arr = _infer_np(data)
    if dtype is not None:
        arr = arr.astype(D.as_dtype(dtype).np, copy=False)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    """Like :func:`tensor` but shares memory with a tensor or NumPy array when it can."""
    as_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        t = _wrap(data)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype, device=device)
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


def _dt(dtype):
    return D._default[0] if dtype is None else D.as_dtype(dtype)


def _finish(arr, requires_grad, device):
    as_device(device)
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of zeros of the given size (default float dtype)."""
    return _finish(np.zeros(_size_arg(size, "zeros"), _dt(dtype).np), requires_grad, device)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of ones of the given size."""
    return _finish(np.ones(_size_arg(size, "ones"), _dt(dtype).np), requires_grad, device)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor of the given size."""
    return _finish(np.empty(_size_arg(size, "empty"), _dt(dtype).np), requires_grad, device)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """A tensor of ``fill_value``; the dtype is inferred from the value unless given."""
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = D.bool_
        elif isinstance(fill_value, numbers.Integral):
            dtype = D.int64
        else:
            dtype = D._default[0]
    return _finish(np.full(_size_arg((size,), "full"), fill_value, D.as_dtype(dtype).np),
                   requires_grad, device)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.array(s, _dt(dtype).np), requires_grad, device)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 when all are ints.

    >>> import ember
    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    """
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dt = D.int64 if all(isinstance(v, numbers.Integral) for v in vals) else D._default[0]
    else:
        dt = D.as_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    if dt.is_floating_point:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        arr = (start + np.arange(n, dtype=np.int64) * step).astype(dt.np)
    return _finish(arr, requires_grad, device)


def _like(fn):
    def f(input, *, dtype=None, layout=None, device=None, requires_grad=False,
          memory_format=None):
        dt = input.dtype if dtype is None else D.as_dtype(dtype)
        return fn(input._data.shape, dtype=dt, device=device, requires_grad=requires_grad)
    return f


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    dt = input.dtype if dtype is None else D.as_dtype(dtype)
    return full(input._data.shape, fill_value, dtype=dt, device=device,
                requires_grad=requires_grad)


def _new_factory(fn):
    def f(self, *size, dtype=None, device=None, requires_grad=False, **kw):
        return fn(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)
    return f


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=self.dtype if dtype is None else dtype,
                  requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                requires_grad=requires_grad)


METHODS = {"new_zeros": _new_factory(zeros), "new_ones": _new_factory(ones),
           "new_empty": _new_factory(empty), "new_tensor": _new_tensor, "new_full": _new_full}
