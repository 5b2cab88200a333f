"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

``DataLoader(dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
worker_init_fn=None, multiprocessing_context=None, generator=None, *, prefetch_factor=None,
persistent_workers=False, pin_memory_device='', in_order=True)`` as in PyTorch.

With ``num_workers > 0`` each epoch (or, with ``persistent_workers=True``, the loader's
lifetime) has its own worker processes. The main process hands batches of indices to the
workers round-robin, at most ``prefetch_factor`` per worker ahead, and yields the results
in order (``in_order=False``: as they arrive). Results travel through shared memory (see
``_worker``). Each worker seeds ``random`` and ember's default generator with
``base_seed + worker_id`` and NumPy's global generator with a state mixed from both, where
``base_seed`` is drawn from ``generator`` (else ember's default generator) once per
iterator: random augmentations differ across workers and repeat with ``ember.manual_seed``.

Failure is loud and prompt: an exception in a worker is raised again in the main process
with the worker id and the original traceback; a worker that dies raises RuntimeError
naming its pid; ``timeout`` bounds each wait for a batch. Dropping the iterator (breaking
out of the loop, an exception, garbage collection, interpreter exit) stops the workers and
removes the shared memory not handed out yet.
"""
import itertools
import math
import multiprocessing
import multiprocessing.connection
import os
import secrets
import time
import traceback
import warnings
import weakref
from typing import Generic, TypeVar

from ... import _dtype as D
from ...ops.creation import empty
from . import _worker
from ._collate import default_collate, default_convert
from ._fetch import _DatasetKind
from ._worker import ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

get_worker_info = _worker.get_worker_info

T_co = TypeVar("T_co", covariant=True)

_SHUTDOWN_GRACE_S = 5.0   # how long workers get to exit on their own before SIGTERM


class _InfiniteConstantSampler(Sampler):
    """The index sampler of an IterableDataset: ``None`` forever."""

    def __iter__(self):
        while True:
            yield None


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches.

    Args (PyTorch's): ``batch_size`` (None: no batching), ``shuffle`` (a RandomSampler on
    ``generator``), ``sampler`` / ``batch_sampler`` (custom index orders), ``num_workers``
    (worker processes; 0 loads in the main process), ``collate_fn`` (default:
    :func:`default_collate`, or :func:`default_convert` without batching), ``pin_memory``
    (accepted; there is no pinned memory on the CPU), ``drop_last``, ``timeout`` (seconds
    to wait for a batch from the workers, 0 = forever), ``worker_init_fn(worker_id)``,
    ``multiprocessing_context`` ('fork', 'spawn', 'forkserver' or a context),
    ``generator``, ``prefetch_factor`` (batches loaded ahead per worker, default 2),
    ``persistent_workers`` (keep the workers between epochs), ``in_order``.

    >>> import ember
    >>> from ember.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(ember.arange(5.), ember.arange(5))
    >>> [y.tolist() for x, y in DataLoader(ds, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")

        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is "
                                 "mutually exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)

        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator

        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers

        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid = multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid:
                        raise ValueError(
                            "multiprocessing_context option should specify a valid start "
                            f"method in {valid!r}, but got "
                            f"multiprocessing_context={multiprocessing_context!r}")
                    multiprocessing_context = multiprocessing.get_context(
                        multiprocessing_context)
                if not isinstance(multiprocessing_context,
                                  multiprocessing.context.BaseContext):
                    raise TypeError(
                        "multiprocessing_context option should be a valid context object or a "
                        "string specifying the start method, but got "
                        f"multiprocessing_context={multiprocessing_context}")
            else:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading "
                    f"(num_workers > 0), but got num_workers={self.num_workers}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler",
                                           "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            it = self._iterator
            if it is None or it._shutdown:
                self._iterator = self._get_iterator()
            else:
                it._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warn when asked for more workers than this process has CPUs."""
        if not self.num_workers:
            return
        suggest = _cpu_count()
        cpuset_checked = hasattr(os, "sched_getaffinity")
        if suggest is None or self.num_workers > suggest:
            if suggest is None:
                detail = ("DataLoader is not able to compute a suggested max number of worker "
                          "in current system.")
            else:
                detail = (f"Our suggested max number of worker in current system is {suggest}"
                          f"{'' if cpuset_checked else ' (`cpuset` is not taken into account)'}"
                          ", which is smaller than what this DataLoader is going to create.")
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. "
                f"{detail} Please be aware that excessive worker creation might get DataLoader "
                "running slow or even freeze, lower the worker number to avoid potential "
                "slowness/freeze if necessary.", stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn("pin_memory_device is deprecated, the current accelerator will be "
                          "used as the device,ignore "
                          f"pin_memory_device='{loader.pin_memory_device}'.", stacklevel=3)
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        self._pin_memory = False
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(empty((), dtype=D.int64).random_(generator=loader.generator)
                              .item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._dataset_kind == _DatasetKind.Iterable \
                and self._IterableDataset_len_called is not None \
                and self._num_yielded > self._IterableDataset_len_called:
            msg = (f"Length of IterableDataset {self._dataset} was reported to be "
                   f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                   f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not "
                        "properly configuring the IterableDataset replica at each worker. "
                        "Please see the IterableDataset documentation for examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = self._next_index()
        return self._dataset_fetcher.fetch(index)


class _WorkerPool:
    """The worker processes of one iterator and their pipes; ``shutdown`` is what the
    iterator's finalizer runs, so it must not refer to the iterator."""

    def __init__(self):
        self.procs = []
        self.index_conns = []
        self.result_conns = []
        self.prefix = f"{_worker.SEGMENT_PREFIX}{os.getpid()}_{secrets.token_hex(4)}_"
        self.owner = os.getpid()
        self.done = False
        self.receiver = None

    def shutdown(self, grace=_SHUTDOWN_GRACE_S):
        if self.done or os.getpid() != self.owner:
            return
        self.done = True
        # Closing our read ends first makes a worker blocked on sending a result fail at
        # once (it then exits); the None asks idle workers to exit.
        for c in self.result_conns:
            c.close()
        for c in self.index_conns:
            try:
                c.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + grace
        for p in self.procs:
            p.join(max(0.0, deadline - time.monotonic()))
        for p in self.procs:
            if p.exitcode is None:
                p.terminate()
        for p in self.procs:
            if p.exitcode is None:
                p.join(1.0)
                if p.exitcode is None:
                    p.kill()
                    p.join()
        for c in self.index_conns:
            c.close()
        if self.receiver is not None:
            self.receiver.close()
        _worker.unlink_prefix(self.prefix)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if loader.prefetch_factor is None or loader.prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        self._shutdown = False
        ctx = loader.multiprocessing_context
        if ctx is None:
            ctx = multiprocessing.get_context()
        _worker.reap_stale_segments()
        pool = self._pool = _WorkerPool()
        self._finalizer = weakref.finalize(self, pool.shutdown, 1.0)
        try:
            for i in range(self._num_workers):
                index_r, index_w = ctx.Pipe(duplex=False)
                result_r, result_w = ctx.Pipe(duplex=False)
                for c in (index_r, index_w, result_r, result_w):
                    _worker._live_conns.add(c)
                w = ctx.Process(
                    target=_worker.worker_loop,
                    args=(self._dataset_kind, self._dataset, index_r, result_w,
                          self._auto_collation, self._collate_fn, self._drop_last,
                          self._base_seed, loader.worker_init_fn, i, self._num_workers,
                          pool.prefix, os.getpid()),
                    daemon=True)
                pool.index_conns.append(index_w)
                pool.result_conns.append(result_r)
                try:
                    w.start()
                finally:
                    index_r.close()
                    result_w.close()
                pool.procs.append(w)
        except BaseException:
            self._finalizer()
            self._shutdown = True
            raise
        self._receiver = pool.receiver = _worker.Receiver(self._num_workers)
        self._conns = pool.result_conns
        self._conn_worker = {id(c): i for i, c in enumerate(self._conns)}
        self._watching = list(range(self._num_workers))   # workers expected to stay alive
        self._wait_objs = self._conns + [p.sentinel for p in pool.procs]
        self._reset(loader, first_iter=True)

    # --- epochs --------------------------------------------------------------------
    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        n = self._num_workers
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * n
        self._workers_num_tasks = [0] * n
        self._worker_queue_idx_cycle = itertools.cycle(range(n))
        if not first_iter:
            for i in range(n):
                self._send_task(i, _ResumeIteration())
            remaining = n
            while remaining > 0:
                wid, msg = self._recv()
                if isinstance(msg[0], _ResumeIteration):
                    remaining -= 1
                else:
                    self._receiver.discard(wid, msg)   # from the epoch that was cut short
        for _ in range(self._prefetch_factor * n):
            self._try_put_index()

    # --- sending tasks --------------------------------------------------------------
    def _send_task(self, wid, task):
        try:
            self._pool.index_conns[wid].send(task)
        except (BrokenPipeError, ConnectionResetError):
            self._raise_dead(wid)

    def _try_put_index(self):
        n = self._num_workers
        if self._tasks_outstanding >= self._prefetch_factor * n:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        status = self._workers_status
        for _ in range(n):
            wid = next(self._worker_queue_idx_cycle)
            if status[wid]:
                if self._in_order:
                    break
                if self._workers_num_tasks[wid] < self._prefetch_factor * n // sum(status):
                    break
        else:
            return          # no worker left (every IterableDataset copy is exhausted)
        freed = self._receiver.released[wid]
        self._send_task(wid, (self._send_idx, index, freed))
        freed.clear()
        self._task_info[self._send_idx] = (wid,)
        self._tasks_outstanding += 1
        self._workers_num_tasks[wid] += 1
        self._send_idx += 1

    # --- receiving results ------------------------------------------------------------
    def _recv(self):
        """The next raw message from any worker, as (worker id, message). Raises when a
        worker died or ``timeout`` passed first."""
        if self._in_order:   # most often the batch we want is already waiting
            info = self._task_info.get(self._rcvd_idx)
            if info is not None and len(info) == 1:
                c = self._conns[info[0]]
                if c.poll():
                    return self._recv_from(info[0])
        timeout = self._timeout if self._timeout > 0 else None
        deadline = None if timeout is None else time.monotonic() + timeout
        wait = multiprocessing.connection.wait
        while True:
            ready = wait(self._wait_objs, timeout)
            for obj in ready:
                if not isinstance(obj, int):
                    return self._recv_from(self._conn_worker[id(obj)])
            if ready:
                self._raise_dead()
            if deadline is not None:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    self._shutdown_workers(grace=0.0)
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _recv_from(self, wid):
        try:
            return wid, self._conns[wid].recv()
        except (EOFError, OSError):
            self._raise_dead(wid)

    def _raise_dead(self, wid=None):
        """Raise the RuntimeError for the workers that exited (after stopping the others).
        ``wid``: a worker whose pipe broke, so it is exiting (or dead) even if not reaped."""
        procs = self._pool.procs
        if wid is not None:
            procs[wid].join(1.0)
        dead = [procs[i] for i in self._watching
                if procs[i].exitcode is not None or i == wid]
        if not dead:
            return
        codes = "; ".join(_describe_exit(p.exitcode) for p in dead)
        self._shutdown_workers(grace=0.0)
        pids = ", ".join(str(p.pid) for p in dead)
        raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly ({codes})")

    def _mark_worker_as_unavailable(self, wid, shutdown=False):
        self._workers_status[wid] = False
        if shutdown:
            self._watching.remove(wid)
            self._wait_objs = [self._conns[i] for i in self._watching] + \
                [self._pool.procs[i].sentinel for i in self._watching]
            try:
                self._pool.index_conns[wid].send(None)
            except OSError:
                pass

    def _next_data(self):
        if self._shutdown:
            raise StopIteration
        while True:
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration

            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process_data(info[1], info[0])

            wid, msg = self._recv()
            idx, data = self._receiver.unpack(wid, msg)
            self._tasks_outstanding -= 1
            if type(data) is _IterableDatasetStopIteration:
                self._workers_num_tasks[wid] -= 1
                self._mark_worker_as_unavailable(data.worker_id,
                                                 shutdown=not self._persistent_workers)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    del self._task_info[idx]
                    return self._process_data(data, wid)
                self._task_info[idx] += (data,)
            else:
                del self._task_info[idx]
                self._rcvd_idx += 1
                return self._process_data(data, wid)

    def _process_data(self, data, wid):
        self._workers_num_tasks[wid] -= 1
        self._try_put_index()
        if type(data) is ExceptionWrapper:
            data.reraise()
        return data

    def __next__(self):
        try:
            return _BaseDataLoaderIter.__next__(self)
        except StopIteration:
            raise
        except BaseException as e:
            # The traceback would keep this iterator (and so its workers) alive for as long
            # as someone holds the exception: drop the internal frames' locals.
            traceback.clear_frames(e.__traceback__.tb_next)
            del self, e
            raise

    # --- shutting down ----------------------------------------------------------------
    def _shutdown_workers(self, grace=_SHUTDOWN_GRACE_S):
        if not self._shutdown:
            self._shutdown = True
            self._finalizer.detach()
            self._pool.shutdown(grace)


def _describe_exit(code):
    if code is None:
        return "closed its pipe"
    if code < 0:
        import signal
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"killed by signal {name}"
    return f"exit code {code}"
