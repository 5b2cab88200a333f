"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The flag is thread-local, as in PyTorch; the dispatcher reads ``_state.enabled``.
"""
import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "inference_mode", "is_inference_mode_enabled"]


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled():
    """Whether operations are being recorded for autograd right now.

    >>> import ember
    >>> with ember.no_grad():
    ...     ember.is_grad_enabled()
    False
    """
    return _state.enabled


def is_inference_mode_enabled():
    return _state.inference


class _Mode:
    """Base of the grad-mode context managers; each also works as a decorator."""

    def __call__(self, fn):
        if isinstance(fn, type):
            raise TypeError(f"{type(self).__name__} can only decorate functions")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()

    def __enter__(self):
        self.prev = _state.enabled
        _state.enabled = self._target()
        return None

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False


class no_grad(_Mode):
    """Context manager (and decorator) that disables gradient recording.

    >>> import ember
    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def __init__(self, orig_func=None):
        # allow the bare-decorator form ``@no_grad`` as well as ``@no_grad()``
        self._orig = orig_func

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self

    def _target(self):
        return False


class enable_grad(no_grad):
    """Context manager (and decorator) that enables gradient recording inside ``no_grad``."""

    def _target(self):
        return True


class set_grad_enabled(_Mode):
    """Set grad mode to ``mode``; usable as a function call, a context manager or decorator.

    >>> import ember
    >>> _ = ember.set_grad_enabled(False)
    >>> ember.is_grad_enabled()
    False
    >>> _ = ember.set_grad_enabled(True)
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not "
                            f"{type(mode).__name__}")
        self.prev = _state.enabled
        self.mode = mode
        _state.enabled = mode

    def clone(self):
        return type(self)(self.mode)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False


class inference_mode(_Mode):
    """Like ``no_grad`` (ember has no separate inference tensors); ``mode=False`` is a no-op."""

    def __init__(self, mode=True):
        self.mode = mode

    def clone(self):
        return type(self)(self.mode)

    def __enter__(self):
        self.prev = _state.enabled
        self.prev_inf = _state.inference
        if self.mode:
            _state.enabled = False
            _state.inference = True

    def __exit__(self, *exc):
        _state.enabled = self.prev
        _state.inference = self.prev_inf
        return False
