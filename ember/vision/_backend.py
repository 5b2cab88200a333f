"""Which image type the datasets hand out: PIL images (as torchvision does) when Pillow
is installed, otherwise uint8 NumPy arrays (H×W or H×W×C)."""


def _pil_available():
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        return False
    return True


_backend = "PIL" if _pil_available() else "numpy"


def set_image_backend(backend):
    """Choose the image type datasets return: ``'PIL'`` or ``'numpy'``.

    ``'PIL'`` needs Pillow; ``'numpy'`` gives uint8 arrays shaped H×W (grey) or H×W×C.
    """
    global _backend
    if backend not in ("PIL", "numpy"):
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'numpy'")
    if backend == "PIL" and not _pil_available():
        raise ImportError("set_image_backend('PIL') needs Pillow: pip install pillow")
    _backend = backend


def get_image_backend():
    """The image type datasets return now: ``'PIL'`` or ``'numpy'``."""
    return _backend
