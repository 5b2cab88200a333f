"""``DistributedSampler``: each of ``num_replicas`` processes (ranks) gets its own equal share
of a dataset's indices."""
import math

from ...ops.creation import randperm
from ...random import Generator
from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _dist():
    """``ember.distributed`` when it exists and is usable, else None."""
    try:
        from ... import distributed
    except ImportError:
        return None
    is_available = getattr(distributed, "is_available", None)
    return distributed if is_available is not None and is_available() else None


class DistributedSampler(Sampler):
    """The indices of ``dataset`` for process ``rank`` of ``num_replicas``.

    Every epoch the indices are shuffled (``shuffle=True``) with the seed ``seed + epoch``
    (call :meth:`set_epoch` at the start of each epoch, the same on every rank), padded by
    repeating from the start so that every rank gets the same number (or, with
    ``drop_last=True``, cut to a multiple of ``num_replicas``), and rank ``r`` takes every
    ``num_replicas``-th index starting at ``r``. ``num_replicas`` and ``rank`` default to
    the process group's; pass them to use the sampler without one.

    >>> from ember.utils.data.distributed import DistributedSampler
    >>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False))
    ...  for r in (0, 1)]
    [[0, 2, 4], [1, 3, 0]]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None:
            dist = _dist()
            if dist is None:
                raise RuntimeError("Requires distributed package to be available")
            num_replicas = dist.get_world_size()
        if rank is None:
            dist = _dist()
            if dist is None:
                raise RuntimeError("Requires distributed package to be available")
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(self.dataset)
        if self.drop_last and n % self.num_replicas != 0:
            # the largest share every rank can have without repeating an index
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch; with ``shuffle=True`` it picks this epoch's permutation."""
        self.epoch = epoch
