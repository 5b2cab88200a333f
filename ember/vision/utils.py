"""``ember.vision.utils``: ``make_grid`` and ``save_image`` as in ``torchvision.utils``.

PNG files are written by ember's own NumPy codec (:mod:`ember.utils._png`); other formats
(JPEG, BMP …) go through Pillow when it is installed.

>>> import ember
>>> from ember.vision.utils import make_grid
>>> make_grid(ember.zeros(5, 1, 4, 6), nrow=3, padding=1).shape
ember.Size([3, 11, 22])
"""
import math
import os

import numpy as np

import ember

from ..utils import _png

__all__ = ["make_grid", "save_image"]


def _check_input(tensor):
    if ember.is_tensor(tensor):
        return
    if isinstance(tensor, list):
        for t in tensor:
            if not ember.is_tensor(t):
                raise TypeError(f"tensor or list of tensors expected, got a list containing "
                                f"{type(t)}")
        return
    raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")


def _normalize_(t, value_range):
    """Clamp ``t`` in place to ``value_range`` (or its own min/max) and map that to 0..1."""
    if value_range is not None:
        low, high = value_range[0], value_range[1]
    else:
        low, high = float(t.min()), float(t.max())
    t.clamp_(min=low, max=high)
    t.sub_(low)
    if t.dtype == ember.float16:
        # PyTorch divides half-precision tensors by a Python number in float32 and rounds
        # once; ember's div rounds the divisor to half first, so do it in float32 here
        t.copy_(t.float().div_(max(high - low, 1e-5)))
    else:
        t.div_(max(high - low, 1e-5))


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Tile a mini-batch of images (B×C×H×W, or a list of C×H×W tensors) into one image.

    ``nrow`` images per row, ``padding`` pixels of ``pad_value`` around each. Single-channel
    images become 3-channel. ``normalize=True`` maps ``value_range`` (default: the min and
    max of the data; per image with ``scale_each=True``) to 0..1, clamping outside values.
    A single image is returned as C×H×W without padding.
    """
    _check_input(tensor)
    with ember.no_grad():
        if isinstance(tensor, list):
            tensor = ember.stack(tensor, dim=0)
        if tensor.dim() == 2:                      # one H×W image
            tensor = tensor.unsqueeze(0)
        if tensor.dim() == 3:                      # one C×H×W image
            if tensor.size(0) == 1:
                tensor = ember.cat((tensor, tensor, tensor), 0)
            tensor = tensor.unsqueeze(0)
        if tensor.dim() == 4 and tensor.size(1) == 1:
            tensor = ember.cat((tensor, tensor, tensor), 1)

        if normalize is True:
            tensor = tensor.clone()
            if value_range is not None and not isinstance(value_range, tuple):
                raise TypeError("value_range has to be a tuple (min, max) if specified. min "
                                f"and max are numbers, got {type(value_range).__name__} "
                                f"{value_range!r}")
            if scale_each is True:
                for t in tensor:
                    _normalize_(t, value_range)
            else:
                _normalize_(tensor, value_range)

        if tensor.size(0) == 1:
            return tensor.squeeze(0)

        nmaps = tensor.size(0)
        xmaps = min(nrow, nmaps)
        ymaps = int(math.ceil(float(nmaps) / xmaps))
        height = int(tensor.size(2) + padding)
        width = int(tensor.size(3) + padding)
        grid = tensor.new_full((tensor.size(1), height * ymaps + padding,
                                width * xmaps + padding), pad_value)
        for k in range(nmaps):
            y, x = divmod(k, xmaps)
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
        return grid


_PILLOW_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP", ".gif": "GIF",
                   ".tif": "TIFF", ".tiff": "TIFF", ".webp": "WEBP", ".ppm": "PPM",
                   ".tga": "TGA"}


def _file_name(fp):
    if isinstance(fp, (str, os.PathLike)):
        return os.fspath(fp)
    name = getattr(fp, "name", None)
    return name if isinstance(name, str) else None


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or mini-batch / list, tiled by :func:`make_grid`) as an image file.

    ``fp``: a path or a binary file object; ``format``: the file format (``'png'``,
    ``'jpeg'`` …), by default taken from the file name's extension. Values are taken as
    0..1 and rounded to 8 bits. PNG is written without extra dependencies; other formats
    need Pillow. ``kwargs`` go to :func:`make_grid`.
    """
    grid = make_grid(tensor, **kwargs)
    with ember.no_grad():
        scaled = grid.mul(255).add_(0.5).clamp_(0, 255)
    if scaled.dim() != 3:
        raise RuntimeError(f"save_image: the image grid must be C x H x W, got shape "
                           f"{list(scaled.shape)}")
    arr = np.asarray(scaled.detach().cpu().numpy())
    arr = np.nan_to_num(arr.transpose(1, 2, 0), nan=0.0).astype(np.uint8)

    name = _file_name(fp)
    if format is not None:
        fmt = str(format).upper()
    else:
        ext = os.path.splitext(name)[1].lower() if name else ""
        fmt = "PNG" if ext == ".png" else _PILLOW_FORMATS.get(ext)
        if fmt is None:
            try:
                import PIL.Image  # noqa: F401
            except ImportError:
                raise ValueError(f"unknown file extension: {ext!r} (file {name!r}); pass "
                                 "format= or use a .png file name") from None
    channels = arr.shape[2]
    if fmt == "PNG":
        if channels not in (2, 3, 4):
            raise TypeError(f"Cannot handle this data type: an image with {channels} channels "
                            f"(shape {arr.shape}); PNG takes 2 (grey+alpha), 3 (RGB) or 4 "
                            "(RGBA)")
        _png.write_png(fp, arr)
        return
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"save_image: writing {fmt or 'this format'} files needs Pillow "
                          f"(pip install pillow); without it save_image writes PNG only "
                          f"(file {name!r})") from None
    Image.fromarray(arr).save(fp, format=format)
