"""Anomaly detection: ``detect_anomaly()`` / ``set_detect_anomaly(True)``.

While enabled, every graph node remembers the stack of the forward call that created it;
when backward produces NaN (``check_nan``) or fails inside a node, the error names the
node and shows that forward stack, i.e. the user's line that created the culprit.
"""
import traceback
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

_enabled = False
_check_nan = True


def is_anomaly_enabled():
    return _enabled


def is_anomaly_check_nan_enabled():
    return _check_nan


def _set(mode, check_nan):
    global _enabled, _check_nan
    _enabled, _check_nan = bool(mode), bool(check_nan)


def record_forward(node):
    """Keep the creating stack on ``node`` (without ember's own frames)."""
    stack = traceback.extract_stack()[:-1]
    keep = [f for f in stack if "/ember/" not in f.filename.replace("\\", "/")] or stack
    node._anomaly_trace = "".join(traceback.format_list(keep))


def forward_trace(node):
    return getattr(node, "_anomaly_trace", None) if hasattr(node, "__dict__") else None


def _warn_trace(node):
    tr = forward_trace(node)
    if tr:
        warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                      f"the error:\n{tr}", UserWarning, stacklevel=3)


def check_outputs(node, outs):
    """Raise if ``node``'s backward returned NaN (called by the engine in anomaly mode)."""
    if not _check_nan:
        return
    import numpy as np
    for i, g in enumerate(outs):
        if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
            tr = forward_trace(node)
            where = (f"\nThe forward call that created it:\n{tr}" if tr else "")
            _warn_trace(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               f"output.{where}")


def note_failure(node):
    """An exception escaped ``node``'s backward: show where the node came from."""
    _warn_trace(node)


class detect_anomaly:
    """Context manager that turns on anomaly detection for the autograd engine.

    >>> import ember
    >>> x = ember.tensor([0.], requires_grad=True)
    >>> with ember.autograd.detect_anomaly():
    ...     y = (x.sqrt() * 0).sum()
    ...     try:
    ...         y.backward()
    ...     except RuntimeError as e:
    ...         print(str(e).splitlines()[0])
    Function 'SqrtBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = (_enabled, _check_nan)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)
        _set(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _set(*self.prev)
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off (a function call or a context manager)."""

    def __init__(self, mode, check_nan=True):
        self.prev = (_enabled, _check_nan)
        _set(mode, check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _set(*self.prev)
        return False
