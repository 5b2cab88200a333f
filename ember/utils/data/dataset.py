"""Datasets: the map-style :class:`Dataset` (``ds[i]``, ``len(ds)``), the stream-style
:class:`IterableDataset`, and the usual wrappers (``TensorDataset``, ``StackDataset``,
``ConcatDataset``, ``ChainDataset``, ``Subset``) plus :func:`random_split`, as in
``torch.utils.data``."""
import bisect
import itertools
import math
import warnings
from typing import Generic, TypeVar

import numpy as np

from ... import random as _random
from ..._tensor import Tensor, _wrap
from ...ops.creation import randperm
from ._collate import _gathered

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class Dataset(Generic[T_co]):
    """A map from keys (usually ``0 .. len-1``) to samples: subclasses define
    ``__getitem__`` (and usually ``__len__``, which samplers need). They may also define
    ``__getitems__(indices)`` to fetch a whole batch at once; the DataLoader uses it when
    present. ``ds1 + ds2`` concatenates.

    >>> from ember.utils.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self): return 4
    ...     def __getitem__(self, i): return i * i
    >>> (Squares() + Squares())[5]
    1
    """

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream of samples: subclasses define ``__iter__``.

    With ``num_workers > 0`` every worker process iterates its own copy of the dataset;
    use :func:`ember.utils.data.get_worker_info` in ``__iter__`` (or in a
    ``worker_init_fn``) to give each worker its own share of the stream, or every sample
    comes ``num_workers`` times. ``ds1 + ds2`` chains.

    >>> from ember.utils.data import IterableDataset, get_worker_info
    >>> class Range(IterableDataset):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self):
    ...         info = get_worker_info()
    ...         if info is None:
    ...             return iter(range(self.n))
    ...         return iter(range(info.id, self.n, info.num_workers))
    >>> list(Range(3) + Range(2))
    [0, 1, 2, 0, 1]
    """

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors: ``ds[i] == (t0[i], t1[i], ...)``.

    >>> import ember
    >>> from ember.utils.data import TensorDataset
    >>> ds = TensorDataset(ember.arange(6).view(3, 2), ember.tensor([0, 1, 0]))
    >>> len(ds), ds[1]
    (3, (tensor([2, 3]), tensor(1)))
    """

    def __init__(self, *tensors):
        for t in tensors:
            if tensors[0].size(0) != t.size(0):
                raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)

    def __getitems__(self, indices):
        """The samples at ``indices`` (the same tuples ``ds[i]`` gives), fetched for a
        whole batch at once; ``default_collate`` then gathers each tensor in one step."""
        tensors = self.tensors
        if type(self).__getitem__ is not TensorDataset.__getitem__ or not tensors:
            return [self[i] for i in indices]
        arrays = []
        for t in tensors:
            if type(t) is not Tensor or t._requires_grad or t._data.ndim == 0:
                return [self[i] for i in indices]
            arrays.append(t._data)
        for i in indices:
            if type(i) is not int:
                return [self[i] for i in indices]
        n = arrays[0].shape[0]
        idx = np.array(indices, dtype=np.intp)
        if idx.size and (idx.min() < -n or idx.max() >= n):
            return [self[i] for i in indices]      # IndexError from ember's indexing
        columns = [[_row(t, a, i) for i in indices] for t, a in zip(tensors, arrays)]
        return _gathered(list(zip(*columns)), arrays, idx)


def _row(base, arr, i):
    """``base[i]`` as a view of ``base`` (what ember's indexing returns, made directly)."""
    t = _wrap(arr[i, ...])
    if base._ver is None:
        base._ver = [0]
    t._ver = base._ver
    b = base._base
    t._base = base if b is None else b
    return t


class StackDataset(Dataset):
    """Zip datasets of equal length: positional datasets give tuple samples, keyword
    datasets give dict samples.

    >>> from ember.utils.data import StackDataset
    >>> StackDataset(a=[1, 2], b=['x', 'y'])[1]
    {'a': 2, 'b': 'y'}
    """

    def __init__(self, *args, **kwargs):
        if args:
            if kwargs:
                raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- "
                                 "(via ``kwargs``) like input/output, but both types are "
                                 "given.")
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets = args
        elif kwargs:
            tmp = list(kwargs.values())
            self._length = len(tmp[0])
            if any(self._length != len(d) for d in tmp):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def _column(self, dataset, indices):
        getitems = getattr(dataset, "__getitems__", None)
        if callable(getitems):
            items = getitems(indices)
            if len(items) != len(indices):
                raise ValueError("Nested dataset's output size mismatch. "
                                 f"Expected {len(indices)}, got {len(items)}")
            return items
        return [dataset[i] for i in indices]

    def __getitems__(self, indices):
        if isinstance(self.datasets, dict):
            batch = [{} for _ in indices]
            for k, d in self.datasets.items():
                for sample, item in zip(batch, self._column(d, indices)):
                    sample[k] = item
            return batch
        columns = [self._column(d, indices) for d in self.datasets]
        return [tuple(s) for s in zip(*columns)]

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """The datasets one after the other (map-style only).

    >>> from ember.utils.data import ConcatDataset
    >>> ds = ConcatDataset([[1, 2], [3]])
    >>> len(ds), ds[2], ds[-3], ds.cumulative_sizes
    (3, 3, 1, [2, 3])
    """

    @staticmethod
    def cumsum(sequence):
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]

    @property
    def cummulative_sizes(self):
        warnings.warn("cummulative_sizes attribute is renamed to cumulative_sizes",
                      DeprecationWarning, stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other, chained lazily.

    >>> from ember.utils.data import ChainDataset, IterableDataset
    >>> class Two(IterableDataset):
    ...     def __iter__(self): return iter([1, 2])
    ...     def __len__(self): return 2
    >>> ds = ChainDataset([Two(), Two()])
    >>> list(ds), len(ds)
    ([1, 2, 1, 2], 4)
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    >>> from ember.utils.data import Subset
    >>> s = Subset(['a', 'b', 'c', 'd'], [3, 1])
    >>> len(s), s[0], s[1]
    (2, 'd', 'b')
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        if type(self).__getitem__ is not Subset.__getitem__ \
                and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__. When "
                "subclassing Subset and overriding __getitem__, you must also override "
                "__getitems__ to ensure DataLoader works correctly with your custom logic. "
                "A simple implementation:\n\n"
                "def __getitems__(self, indices):\n"
                "    return [self.__getitem__(idx) for idx in indices]")

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=_random.default_generator):
    """Split ``dataset`` into non-overlapping random subsets of the given ``lengths``
    (integers summing to ``len(dataset)``, or fractions summing to 1: each gets
    ``floor(frac * len)`` and the remainder is handed out one by one, round-robin).

    >>> import ember
    >>> from ember.utils.data import random_split
    >>> a, b = random_split(range(10), [0.7, 0.3], generator=ember.Generator().manual_seed(0))
    >>> len(a), len(b), sorted(list(a) + list(b)) == list(range(10))
    (7, 3, True)
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(int(math.floor(n * frac)))
        remainder = n - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an "
                              "empty dataset.", stacklevel=2)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input "
                         "dataset!")
    indices = randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
