"""ember's random number stream: ``manual_seed``, ``seed``, ``Generator``, RNG state.

ember draws every random number (``rand``, ``randn``, ``randint``, ``randperm``,
``normal``, ``bernoulli``, ``multinomial``, the in-place ``uniform_``/``normal_``/…, and
whatever ``nn`` draws for initialisation and dropout) from a :class:`Generator`: the one
passed as ``generator=``, else ``default_generator``. A generator wraps a NumPy PCG64
bit generator: seeded runs are reproducible in ember, but the numbers differ from
PyTorch's Mersenne-Twister stream.

>>> import ember
>>> _ = ember.manual_seed(0); a = ember.rand(2)
>>> _ = ember.manual_seed(0); bool((a == ember.rand(2)).all())
True
"""
import contextlib

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "default_generator", "fork_rng"]

_DEFAULT_SEED = 67280421310721
_STATE_BYTES = 48          # PCG64 state (16) + increment (16) + cached uint32 (8) + seed (8)
_U64 = (1 << 64) - 1


def _check_seed(seed):
    seed = int(seed)
    if not -(1 << 63) <= seed <= _U64:
        raise ValueError(f"Overflow when unpacking long long: seed {seed} is out of the range "
                           f"[-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff]")
    return seed & _U64


class Generator:
    """A random number generator; pass it as ``generator=`` to random functions.

    >>> import ember
    >>> g = ember.Generator().manual_seed(0)
    >>> a = ember.rand(3, generator=g); _ = g.manual_seed(0)
    >>> bool((a == ember.rand(3, generator=g)).all())
    True
    """

    def __init__(self, device="cpu"):
        from ._device import as_device
        self.device = as_device(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Reset the stream to the one ``seed`` gives; returns this generator."""
        seed = _check_seed(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        """Seed from a fresh non-deterministic value and return that value."""
        s = int(np.random.SeedSequence().entropy) & _U64
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (for :meth:`set_state`)."""
        from .ops.creation import from_numpy
        st = self._rng.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(4, "little")
               + int(st["uinteger"]).to_bytes(4, "little")
               + self._seed.to_bytes(8, "little"))
        return from_numpy(np.frombuffer(raw, np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by :meth:`get_state`; returns this generator."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"RNG state must be an ember.ByteTensor, got "
                            f"{type(new_state).__name__}")
        d = new_state._data
        if d.dtype != np.uint8:
            raise TypeError(f"RNG state must be an ember.ByteTensor (uint8), got "
                            f"{new_state.dtype}")
        if d.size != _STATE_BYTES:
            raise RuntimeError(f"Expected the RNG state to have {_STATE_BYTES} bytes, but got "
                               f"{d.size}")
        raw = np.ascontiguousarray(d).reshape(-1).tobytes()
        bg = np.random.PCG64()
        bg.state = {"bit_generator": "PCG64",
                    "state": {"state": int.from_bytes(raw[0:16], "little"),
                              "inc": int.from_bytes(raw[16:32], "little")},
                    "has_uint32": int.from_bytes(raw[32:36], "little"),
                    "uinteger": int.from_bytes(raw[36:40], "little")}
        self._rng = np.random.Generator(bg)
        self._seed = int.from_bytes(raw[40:48], "little")
        return self

    def __repr__(self):
        return f"<ember.Generator object (device='{self.device}', seed={self._seed})>"


default_generator = Generator()


def manual_seed(seed):
    """Seed ember's default generator (every random draw in ember uses it unless a
    ``generator=`` is given); returns the generator."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed of the default generator."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """A context in which the default generator can be used freely: its state is
    restored on exit."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _rng(generator=None):
    """The NumPy generator behind ``generator`` (or the default one)."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an ember.Generator, not {type(generator).__name__}")
    return generator._rng
