"""Turning a list of samples into a batch: ``default_collate``, ``default_convert``, ``collate``.

The rules are PyTorch's (``torch.utils.data._utils.collate``):

* ember Tensors are stacked along a new first dimension;
* NumPy arrays become tensors and are stacked (string/object arrays are an error);
* NumPy scalars become a tensor of their dtype, Python ``float`` a float64 tensor, ``int``
  an int64 tensor (``bool`` a bool tensor);
* ``str`` and ``bytes`` are left as a list;
* mappings, namedtuples and sequences are collated element by element, keeping their type
  where it can be rebuilt (a tuple gives a list);
* anything else is a ``TypeError``.

Stacking a batch of same-shaped, same-dtype tensors that need no gradient is one NumPy
``concatenate`` into a fresh array (what ``ember.stack`` computes, without its per-call
checks); everything else goes through ``ember.stack`` for its promotion, autograd and
error messages.
"""
import collections.abc
import copy
import re

import numpy as np

from ..._tensor import Tensor, _wrap
from ...ops.creation import as_tensor, from_numpy, tensor
from ...ops.shape import stack

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map",
           "collate_tensor_fn", "collate_numpy_array_fn", "collate_numpy_scalar_fn",
           "collate_float_fn", "collate_int_fn", "collate_str_fn"]

_np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
    "found {}")


def _stack_arrays(arrays):
    """Stack same-shape, same-dtype NumPy arrays into a new array, or None when they
    differ (the caller then lets ``ember.stack`` promote or raise)."""
    a0 = arrays[0]
    shape, dt = a0.shape, a0.dtype
    for a in arrays:
        if a.shape != shape or a.dtype != dt:
            return None
    n = len(arrays)
    if not shape:
        return np.array(arrays, dtype=dt).reshape(n)
    out = np.empty((n,) + shape, dt)
    if a0.size:
        np.concatenate(arrays, axis=0, out=out.reshape((n * shape[0],) + shape[1:]))
    return out


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack a batch of tensors along a new first dimension (``ember.stack(batch, 0)``)."""
    for t in batch:
        if not isinstance(t, Tensor) or t._requires_grad:
            return stack(batch, 0)
    out = _stack_arrays([t._data for t in batch])
    return stack(batch, 0) if out is None else _wrap(out)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """A batch of NumPy arrays as one stacked tensor."""
    elem = batch[0]
    if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    if elem.dtype.isnative:
        for b in batch:   # what from_numpy would reject goes the slow way, to its error
            if not isinstance(b, np.ndarray) or \
                    not b.flags.c_contiguous and any(s < 0 for s in b.strides):
                break
        else:
            from_numpy(elem)  # rejects dtypes ember has no tensor type for
            out = _stack_arrays(batch)
            if out is not None:
                return _wrap(out)
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """A batch of NumPy scalars as a 1-D tensor of their dtype."""
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """A batch of Python floats as a float64 tensor."""
    for x in batch:
        if type(x) is not float:
            return tensor(batch, dtype="float64")
    return _wrap(np.array(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None):
    """A batch of Python ints as an int64 tensor (bools as a bool tensor)."""
    for x in batch:
        if type(x) is not int:
            return tensor(batch)
    try:
        return _wrap(np.array(batch, dtype=np.int64))
    except OverflowError:
        return tensor(batch)      # ember's error for numbers out of range


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes are left as they are (the batch list)."""
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples), looking up element types in
    ``collate_fn_map`` (exact type first, then ``isinstance`` in insertion order) and
    recursing into mappings, namedtuples and sequences.

    >>> import ember
    >>> from ember.utils.data._collate import collate, default_collate_fn_map
    >>> collate([(1, 'a'), (2, 'b')], collate_fn_map=default_collate_fn_map)
    [tensor([1, 2]), ('a', 'b')]
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(elem_type)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        def one(key):
            return collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: one(key) for key in elem})
                return clone
            return elem_type({key: one(key) for key in elem})
        except TypeError:
            return {key: one(key) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if type(batch) is _GatheredSamples and collate_fn_map is default_collate_fn_map:
            fast = batch._collated()
            if fast is not None:
                return fast
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map)
                              for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_collate(batch):
    """Put each data field of a list of samples into a tensor with an outer batch dimension.

    Tensors are stacked; NumPy arrays and numbers become tensors (Python floats float64,
    ints int64); strings stay a list; mappings, namedtuples and sequences are collated
    field by field (a tuple of fields gives a list).

    >>> import ember
    >>> from ember.utils.data import default_collate
    >>> default_collate([0, 1, 2, 3])
    tensor([0, 1, 2, 3])
    >>> default_collate(["a", "b", "c"])
    ['a', 'b', 'c']
    >>> default_collate([{"A": 0, "B": 1}, {"A": 100, "B": 100}])
    {'A': tensor([  0, 100]), 'B': tensor([  1, 100])}
    >>> default_collate([(1.5, ember.tensor([1, 2])), (2.5, ember.tensor([3, 4]))])
    [tensor([1.5000, 2.5000], dtype=ember.float64), tensor([[1, 2],
            [3, 4]])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """Convert each NumPy array (and NumPy scalar) in ``data`` into a tensor, recursing into
    mappings, namedtuples and sequences; everything else is returned unchanged. This is
    the ``collate_fn`` of a DataLoader without automatic batching.

    >>> import numpy as np
    >>> from ember.utils.data import default_convert
    >>> default_convert(np.array([0, 1]))
    tensor([0, 1])
    >>> default_convert((np.array(0), 'x'))
    [tensor(0), 'x']
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" \
                and _np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


class _GatheredSamples(list):
    """The list of samples ``TensorDataset.__getitems__`` returns: ordinary tuples of row
    views, plus what is needed to collate them with one gather per tensor instead of
    stacking row by row. The shortcut is taken only while the list still holds exactly the
    samples it was made with (a collate_fn may edit it); the gather reads the tensors at
    collate time, so it sees any in-place change made to the rows meanwhile."""

    __slots__ = ("_arrays", "_index", "_items")

    def _collated(self):
        items = self._items
        if len(self) != len(items):
            return None
        for a, b in zip(self, items):
            if a is not b:
                return None
        idx = self._index
        return [_wrap(a[idx]) for a in self._arrays]


def _gathered(samples, arrays, index):
    out = _GatheredSamples(samples)
    out._arrays = arrays
    out._index = index
    out._items = tuple(samples)
    return out
