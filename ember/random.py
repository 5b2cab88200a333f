"""ember's random number stream: ``manual_seed``, ``seed``, ``Generator``.

ember draws from its own NumPy-based generator (PCG64): seeded runs are reproducible in
ember, but the numbers differ from PyTorch's Mersenne-Twister stream.
"""
import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "default_generator"]


class Generator:
    """A random number generator; ``ember.Generator().manual_seed(0)``.

    >>> import ember
    >>> g = ember.Generator().manual_seed(0)
    >>> a = ember.rand(3, generator=g); _ = g.manual_seed(0)
    >>> bool((a == ember.rand(3, generator=g)).all())
    True
    """

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = 67280421310721
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            seed &= (1 << 64) - 1
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy % (1 << 63))
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .ops.creation import tensor
        import pickle
        raw = pickle.dumps(self._rng.bit_generator.state)
        return tensor(list(raw), dtype="uint8")

    def set_state(self, state):
        import pickle
        self._rng.bit_generator.state = pickle.loads(bytes(state._data.tolist()))
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed ember's default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _rng(generator=None):
    return (generator or default_generator)._rng
