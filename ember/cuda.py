"""``ember.cuda``: there is no CUDA backend yet, so nothing here is available."""

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "synchronize"]


def is_available():
    """False: ember has no CUDA backend yet.

    >>> import ember
    >>> ember.cuda.is_available()
    False
    """
    return False


def device_count():
    return 0


class CudaUnavailableError(RuntimeError, AssertionError):
    """Raised when CUDA is asked for; an AssertionError too, as PyTorch's CPU build raises."""


def _lazy_init(dev=None):
    what = f"device '{dev}'" if dev is not None else "CUDA"
    raise CudaUnavailableError(f"{what} was requested, but ember has no CUDA backend on this "
                               "machine (ember.cuda.is_available() is False); use device='cpu'")


def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def synchronize(device=None):
    _lazy_init(device)
