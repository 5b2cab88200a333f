"""ember: PyTorch's API on NumPy. ``import ember as torch``.

The namespace re-exports the tensor type, dtypes, devices, grad modes and every op
function (collected by ``ember.ops``); it holds no logic of its own.
"""
from . import _dtype, autograd, backend, cuda, fft, linalg, nn, optim, random, serialization, utils
from ._device import device
from ._dtype import (bool_ as bool, can_cast, cdouble, cfloat, complex64, complex128, dtype,
                     finfo, float16, float32, float64, get_default_dtype, iinfo, int8, int16,
                     int32, int64, promote_types, result_type, set_default_dtype, uint8)
from ._tensor import Size, Tensor
from ._tensor_str import get_printoptions, set_printoptions
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from .ops import FUNCTIONS as _FUNCTIONS
from .random import Generator, default_generator, initial_seed, manual_seed, seed
from .random import get_rng_state, set_rng_state
from .serialization import load, save

globals().update(_FUNCTIONS)

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
__version__ = "0.1.0"


def is_tensor(obj):
    """Whether ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def set_num_threads(n):
    """Set the number of threads ember uses on the CPU: NumPy's OpenBLAS for matrix
    products, and the depthwise-convolution kernels, which share their blocks out.

    Small products on busy cores run faster on one thread. Where NumPy's BLAS is not
    OpenBLAS only the convolution kernels follow it.
    """
    import builtins
    if isinstance(n, builtins.bool) or not isinstance(n, builtins.int):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    from .backend.cpu import set_blas_threads
    set_blas_threads(n)


def get_num_threads():
    """The number of threads matrix products use on the CPU."""
    from .backend.cpu import num_threads
    return num_threads()
