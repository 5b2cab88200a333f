"""DataLoader worker processes and the shared-memory transport of their batches.

Channels. Each worker has two one-way pipes of its own: tasks ``(idx, batch_indices,
freed_slots)`` come in on one, results go out on the other. The main process waits on the
result pipes *and* the workers' process sentinels at once, so a worker that dies is noticed
the moment it dies, never by a hang (and ``timeout`` bounds every wait). A forked worker
closes the pipe ends it inherited from its siblings, so a broken pipe is seen as one.

Batches. A worker pickles its result with every ember Tensor and NumPy array replaced by a
reference (offset, dtype, shape) and writes the arrays and the pickle into a shared-memory
"slot": a file in ``/dev/shm`` (the temp directory where there is none), mapped by both
processes. Only the slot's number travels through the pipe (a few dozen bytes, so the
write is atomic). The main process copies the arrays out into ordinary memory as soon as
the message arrives and hands the slot back with the worker's next task. A worker keeps
a few slots (about ``prefetch_factor + 1``) and reuses them: creating and first touching
shared pages costs far more than copying a batch, especially in virtual machines. A new
slot's file is named ``ember_dl_<main pid>_<token>_<worker>_<n>``, announced with the
first result written into it, and unlinked by the main process as soon as it maps it,
so the memory goes away with the last mapping. Results of a couple of KiB travel whole
through the pipe instead, and so does everything when ``/dev/shm`` is full (with a
warning), rather than dying of SIGBUS.

Cleanup. Names that no one mapped yet (a slot announced in a message the main process
never read, a worker killed between creating a file and sending its name) share the
iterator's prefix: the main process unlinks whatever matches it once the workers have
exited; a worker unlinks its own unmapped names when it exits (in particular when its main
process died); and a new iterator removes the files of main processes that are gone
(killed together with their workers).
"""
import errno
import io
import itertools
import mmap
import os
import pickle
import random
import sys
import tempfile
import traceback
import weakref

import numpy as np

from ..._tensor import Tensor, _wrap
from ._fetch import _DatasetKind

__all__ = ["WorkerInfo", "get_worker_info"]

SEGMENT_PREFIX = "ember_dl_"
_INLINE_MAX = 2048      # results up to this size (pickle + arrays) go whole through the pipe
_ALIGN = 64
_WATCHDOG_S = 1.0       # how often an idle worker checks that its main process is alive

_worker_info = None
_shm_dir_cache = []
_live_conns = weakref.WeakSet()   # every pipe end the main process holds for its workers


class WorkerInfo:
    """What a worker process knows about itself (see :func:`get_worker_info`): ``id``,
    ``num_workers``, ``seed`` and ``dataset`` (this worker's copy)."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


def get_worker_info():
    """In a DataLoader worker process, its :class:`WorkerInfo` (``id``, ``num_workers``,
    ``seed``, ``dataset``); in the main process, ``None``. Use it in an
    ``IterableDataset.__iter__`` or a ``worker_init_fn`` to give each worker its own share
    of the data.

    >>> from ember.utils.data import get_worker_info
    >>> get_worker_info() is None
    True
    """
    return _worker_info


# --- exceptions and markers that travel from the workers --------------------------------


class _KeyErrorMessage(str):
    """A KeyError's message printed as is (KeyError otherwise shows the repr of its
    argument, which would turn the traceback text into one long line)."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker, as its type and formatted traceback text."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_name = exc_info[0].__name__
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def __reduce__(self):
        exc_type = self.exc_type
        try:                # a type the main process cannot rebuild is sent as RuntimeError
            pickle.dumps(exc_type)
        except Exception:
            exc_type = RuntimeError
        return _rebuild_wrapper, (exc_type, self.exc_name, self.exc_msg, self.where)

    def reraise(self):
        """Raise the exception again here, its message holding the original traceback."""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


def _rebuild_wrapper(exc_type, exc_name, exc_msg, where):
    w = ExceptionWrapper.__new__(ExceptionWrapper)
    w.exc_type, w.exc_name, w.exc_msg, w.where = exc_type, exc_name, exc_msg, where
    return w


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch; they echo it back."""


# --- shared-memory segments -----------------------------------------------------------


def shm_dir():
    """The directory the segments live in: ``/dev/shm`` where there is one."""
    if not _shm_dir_cache:
        d = "/dev/shm"
        ok = os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK)
        _shm_dir_cache.append(d if ok else tempfile.gettempdir())
    return _shm_dir_cache[0]


def unlink_prefix(prefix):
    """Remove every segment whose name starts with ``prefix``; returns how many."""
    d = shm_dir()
    n = 0
    try:
        entries = os.listdir(d)
    except OSError:
        return 0
    for name in entries:
        if name.startswith(prefix):
            try:
                os.unlink(os.path.join(d, name))
                n += 1
            except OSError:
                pass
    return n


_NO_SPACE = (errno.ENOSPC, errno.EFBIG, errno.ENOMEM)


def reap_stale_segments():
    """Remove the segments of main processes that no longer exist (killed together with
    their workers, so that no one could clean up)."""
    d = shm_dir()
    try:
        entries = [n for n in os.listdir(d) if n.startswith(SEGMENT_PREFIX)]
    except OSError:
        return
    alive = {}
    for name in entries:
        pid = name[len(SEGMENT_PREFIX):].split("_", 1)[0]
        if not pid.isdigit():
            continue
        if pid not in alive:
            try:
                os.kill(int(pid), 0)
                alive[pid] = True
            except ProcessLookupError:
                alive[pid] = False
            except OSError:         # someone else's process: leave its files alone
                alive[pid] = True
        if not alive[pid]:
            try:
                os.unlink(os.path.join(d, name))
            except OSError:
                pass


def _create_segment(path, size):
    """A new shared file of ``size`` bytes, mapped; None when the space is not there."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.posix_fallocate(fd, 0, size)   # reserve now: no SIGBUS when shm is full
        except OSError as e:
            if e.errno in _NO_SPACE:
                raise
            os.ftruncate(fd, size)            # file systems without fallocate
        except AttributeError:                # platforms without posix_fallocate
            os.ftruncate(fd, size)
        mm = mmap.mmap(fd, size)
    except OSError as e:
        os.close(fd)
        os.unlink(path)
        if e.errno in _NO_SPACE:
            return None
        raise
    os.close(fd)
    return mm


def _open_segment(path, size):
    """Map a segment a worker made and remove its name (the memory lives on while
    mapped)."""
    fd = os.open(path, os.O_RDWR)
    try:
        return mmap.mmap(fd, size)
    finally:
        os.close(fd)
        os.unlink(path)


class _Packer(pickle.Pickler):
    """Pickles a result with each Tensor / ndarray replaced by (offset, dtype, shape, kind)
    and collects the arrays with their offsets in the segment."""

    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.arrays = []
        self.size = 0
        self._ids = {}
        self._keep = []

    def persistent_id(self, obj):
        tp = type(obj)
        if tp is Tensor:
            arr = obj._data
            kind = 1
            if obj._requires_grad:
                if obj._grad_fn is not None:
                    raise RuntimeError(
                        "Cowardly refusing to serialize non-leaf tensor which requires_grad, "
                        "since autograd does not support crossing process boundaries.  If you "
                        "just want to transfer the data, call detach() on the tensor before "
                        "serializing (e.g., putting it on the queue).")
                kind = 2
        elif tp is np.ndarray:
            arr = obj
            kind = 0
        else:
            return None
        dt = arr.dtype
        if dt.hasobject or dt.names is not None or dt.subdtype is not None:
            return None
        key = id(obj)
        pid = self._ids.get(key)
        if pid is None:
            off = -(-self.size // _ALIGN) * _ALIGN
            self.size = off + arr.nbytes
            self.arrays.append((off, arr))
            self._keep.append(obj)
            pid = self._ids[key] = (off, dt.str, arr.shape, kind)
        return pid


class _Unpacker(pickle.Unpickler):
    """Rebuilds a packed result; arrays are copied out of the segment (which the worker
    reuses) or taken from the inline dict."""

    def __init__(self, file, buf, inline):
        super().__init__(file)
        self._buf = buf
        self._inline = inline
        self._made = {}

    def persistent_load(self, pid):
        made = self._made.get(pid[0])
        if made is not None:
            return made
        off, dt, shape, kind = pid
        if self._buf is not None:
            arr = np.ndarray(shape, dtype=dt, buffer=self._buf, offset=off).copy()
        else:
            arr = self._inline[off]
        if kind == 0:
            obj = arr
        else:
            obj = _wrap(arr)
            if kind == 2:
                obj.requires_grad_(True)
        self._made[off] = obj
        return obj


class Sender:
    """The worker's end of the transport. Results go through a small set of shared
    segments ("slots") that the worker reuses: the main process copies a result out as soon
    as it receives it and, with a later task, tells the worker which slots are free again.
    A slot too small for a result is replaced by a larger one under a new name."""

    def __init__(self, conn, prefix):
        self.conn = conn
        self.prefix = prefix
        self._names = itertools.count()
        self._slots = {}      # slot id -> (mmap, size)
        self._free = []
        self._next_id = 0

    def release(self, slot_ids):
        self._free.extend(slot_ids)

    def _slot(self, size):
        """(slot id, mmap, name if new) for a result of ``size`` bytes."""
        free = self._free
        for k, sid in enumerate(free):
            mm, cap = self._slots[sid]
            if cap >= size:
                del free[k]
                return sid, mm, None
        if free:
            sid = free.pop()
            self._slots.pop(sid)[0].close()
        else:
            sid = self._next_id
            self._next_id += 1
        cap = -(-max(size + size // 4, 1 << 16) // mmap.PAGESIZE) * mmap.PAGESIZE
        path = os.path.join(shm_dir(), self.prefix + str(next(self._names)))
        mm = _create_segment(path, cap)
        if mm is None:
            return sid, None, None
        self._slots[sid] = (mm, cap)
        return sid, mm, (path, cap)

    def send(self, idx, payload):
        f = io.BytesIO()
        p = _Packer(f)
        p.dump(payload)
        body = f.getbuffer()
        arrays = p.arrays
        nbody = len(body)
        if p.size + nbody <= _INLINE_MAX:
            self.conn.send((idx, bytes(body), {off: a for off, a in arrays}))
            return
        body_off = -(-p.size // _ALIGN) * _ALIGN
        size = body_off + nbody
        sid, mm, new = self._slot(size)
        if mm is None:   # no room in shared memory: the slow but safe way, the pipe
            _warn_no_shm(size)
            self.conn.send((idx, bytes(body), {off: np.ascontiguousarray(a)
                                               for off, a in arrays}))
            return
        try:
            for off, a in arrays:
                if a.size:
                    dst = np.ndarray(a.shape, a.dtype, buffer=mm, offset=off)
                    np.copyto(dst, a, casting="no")
                    del dst
            mm[body_off:size] = body
            del body
            self.conn.send((idx, None, (sid, new, body_off, nbody)))
        except BaseException:
            if new is None:
                self._free.append(sid)
            else:     # the main process never heard of this slot: drop it
                self._slots.pop(sid)[0].close()
                try:
                    os.unlink(new[0])
                except OSError:
                    pass
            raise

    def close(self):
        for mm, _ in self._slots.values():
            try:
                mm.close()
            except (BufferError, ValueError):
                pass
        self._slots.clear()


class Receiver:
    """The main process's end of the transport for all workers of one iterator."""

    def __init__(self, num_workers):
        self._maps = [{} for _ in range(num_workers)]
        self.released = [[] for _ in range(num_workers)]

    def _segment(self, wid, where):
        sid, new = where[0], where[1]
        if new is not None:
            self._maps[wid][sid] = _open_segment(*new)
        return sid, self._maps[wid][sid]

    def unpack(self, wid, msg):
        """``(idx, data)`` from a worker's message."""
        idx, body, where = msg
        if body is not None:
            return idx, _Unpacker(io.BytesIO(body), None, where).load()
        sid, mm = self._segment(wid, where)
        body_off, nbody = where[2], where[3]
        try:
            data = _Unpacker(io.BytesIO(mm[body_off:body_off + nbody]), mm, None).load()
        finally:
            self.released[wid].append(sid)
        return idx, data

    def discard(self, wid, msg):
        """Drop a message unread (its slot is free again)."""
        if msg[1] is None:
            sid, _ = self._segment(wid, msg[2])
            self.released[wid].append(sid)

    def close(self):
        for maps in self._maps:
            maps.clear()


_warned = []


def _warn_no_shm(size):
    if not _warned:
        _warned.append(True)
        print(f"ember DataLoader worker: no room for {size} bytes in {shm_dir()}; batches go "
              "through a pipe instead (slower). Enlarge the shared memory (e.g. docker "
              "--shm-size) to avoid this.", file=sys.stderr)


# --- the worker process --------------------------------------------------------------


def _numpy_seed(base_seed, worker_id):
    """NumPy's global seed for a worker: 128 bits mixed from ``base_seed`` and the worker id
    (a stream of its own, not the one ``random`` gets from ``base_seed + worker_id``)."""
    return np.random.SeedSequence(
        [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32]).generate_state(4)


def _recv_task(conn, parent_pid):
    """The next task, or None when told to stop or when the main process is gone."""
    try:
        while not conn.poll(_WATCHDOG_S):
            if os.getppid() != parent_pid:
                return None
        return conn.recv()
    except (EOFError, OSError):
        return None


def _close_inherited(keep):
    """In a forked worker: close the pipe ends of other workers (and the main process's
    ends of this worker's pipes) inherited with the fork, so that a pipe reports EOF as
    soon as the one process writing to it dies."""
    for c in list(_live_conns):
        if not any(c is k for k in keep):
            try:
                c.close()
            except OSError:
                pass
    _live_conns.clear()


def worker_loop(dataset_kind, dataset, index_conn, result_conn, auto_collation, collate_fn,
                drop_last, base_seed, init_fn, worker_id, num_workers, seg_prefix, parent_pid):
    """The body of a worker process: seed, run ``worker_init_fn``, then answer tasks
    ``(idx, index, freed_slots)`` until told to stop (``None``), until the main process goes
    away, or on Ctrl-C."""
    global _worker_info
    _close_inherited((index_conn, result_conn))
    prefix = f"{seg_prefix}{worker_id}_"
    sender = Sender(result_conn, prefix)
    where = f"in DataLoader worker process {worker_id}"
    try:
        from ... import random as ember_random
        seed = base_seed + worker_id
        random.seed(seed)
        ember_random.manual_seed(seed)
        np.random.seed(_numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)

        def make_fetcher():
            return _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                               collate_fn, drop_last)

        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher()
        except Exception:
            init_error = ExceptionWrapper(where=where)

        iteration_end = False
        while True:
            task = _recv_task(index_conn, parent_pid)
            if task is None:
                break
            if type(task) is _ResumeIteration:
                iteration_end = False
                if init_error is None:
                    try:
                        fetcher = make_fetcher()
                    except Exception:
                        init_error = ExceptionWrapper(where=where)
                if not _send(sender, task, None, where):
                    break
                continue
            idx, index, freed = task
            if freed:
                sender.release(freed)
            if iteration_end:
                continue
            if init_error is not None:
                data = init_error
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=where)
            if not _send(sender, idx, data, where):
                break
            del data
    except KeyboardInterrupt:
        pass    # the main process gets its own KeyboardInterrupt
    finally:
        sender.close()
        # Names still here were never mapped by the main process, and now never will be
        # (it told us to stop, or closed our pipes, or died): remove them.
        unlink_prefix(prefix)
        for c in (index_conn, result_conn):
            try:
                c.close()
            except OSError:
                pass


def _send(sender, idx, data, where):
    """Send one result; False when the main process has closed the pipe."""
    try:
        try:
            sender.send(idx, data)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise
        except Exception:     # the result cannot be sent (unpicklable, ...): say why
            sender.send(idx, ExceptionWrapper(where=where))
    except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
        return False
    return True
