"""Functional image transforms, torchvision's ``torchvision.transforms.functional`` on ember.

Every function takes a PIL image (the pixel work is Pillow's, as in torchvision), an ember
Tensor shaped ``(..., C, H, W)`` (computed with NumPy following torchvision's tensor path:
same dtypes, uint8 stays uint8), or — an ember extension for the NumPy image backend of
``ember.vision.datasets`` — a NumPy image shaped ``H×W`` or ``H×W×C``, which takes the
tensor semantics and comes back as an array of the same layout and dtype.

>>> import ember
>>> import ember.vision.transforms.functional as F
>>> img = ember.arange(12, dtype=ember.float32).reshape(1, 3, 4)
>>> F.hflip(img)[0, 0]
tensor([3., 2., 1., 0.])
>>> F.resize(img, [6, 8]).shape
ember.Size([1, 6, 8])
"""
import numbers
import sys
import warnings
from enum import Enum

import numpy as np

import ember

from ... import _dtype as D
from ..._tensor import Tensor
from . import _array as A
from . import _pil as P

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
           "to_tensor", "pil_to_tensor", "convert_image_dtype", "to_pil_image", "normalize",
           "resize", "pad", "crop", "center_crop", "resized_crop", "hflip", "perspective",
           "vflip", "five_crop", "ten_crop", "adjust_brightness", "adjust_contrast",
           "adjust_saturation", "adjust_hue", "adjust_gamma", "rotate", "affine",
           "to_grayscale", "rgb_to_grayscale", "erase", "gaussian_blur", "invert", "posterize",
           "solarize", "adjust_sharpness", "autocontrast", "equalize", "elastic_transform"]


class InterpolationMode(Enum):
    """Interpolation modes. Tensors support NEAREST, NEAREST_EXACT, BILINEAR and BICUBIC;
    PIL images also BOX, HAMMING and LANCZOS."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
                 3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
                 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
pil_modes_mapping = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2,
                     InterpolationMode.BICUBIC: 3, InterpolationMode.NEAREST_EXACT: 0,
                     InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
                     InterpolationMode.LANCZOS: 1}


def _interpolation_modes_from_int(i):
    return _FROM_PIL_INT[i]


def _interp(interpolation):
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a "
                        "corresponding Pillow integer constant")
    return interpolation


_is_pil_image = P.is_pil_image


# ---- plumbing: tensor / ndarray <-> NumPy (..., C, H, W) -----------------------------------

def _assert_image_tensor(img):
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def _np(t):
    return t.detach().numpy(force=True)


def _wrap(arr, like):
    """A new tensor from a kernel's result, on ``like``'s device."""
    src = like._data
    if isinstance(src, np.ndarray) and np.may_share_memory(arr, src):
        arr = arr.copy()
    out = ember.from_numpy(np.ascontiguousarray(arr))
    if like.device.type != "cpu":
        out = out.to(like.device)
    return out


def _nd_in(a):
    if a.ndim == 2:
        return a[None]
    if a.ndim == 3:
        return np.moveaxis(a, -1, 0)
    raise ValueError(f"pic should be 2/3 dimensional. Got {a.ndim} dimensions.")


def _nd_out(a, like):
    out = np.ascontiguousarray(a[0] if like.ndim == 2 else np.moveaxis(a, 0, -1))
    return out.copy() if np.may_share_memory(out, like) else out


def _apply(img, fn, *args, chw=False):
    """Run NumPy kernel ``fn(array, *args)`` on a tensor or an H×W(×C) ndarray image and
    give back the same kind. ``chw``: the kernel needs a channel axis, so a 2-D tensor is
    treated as one channel."""
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        a = _np(img)
        if chw and a.ndim == 2:
            return _wrap(fn(a[None], *args)[0], img)
        return _wrap(fn(a, *args), img)
    if isinstance(img, np.ndarray):
        return _nd_out(fn(_nd_in(img), *args), img)
    raise TypeError(f"img should be PIL Image, Tensor or ndarray. Got {type(img)}")


def _array_kind(img):
    return isinstance(img, (Tensor, np.ndarray))


def _check_image(img):
    """Raise TypeError unless ``img`` is a PIL image, a Tensor or an ndarray."""
    if not (_array_kind(img) or _is_pil_image(img)):
        raise TypeError(f"img should be PIL Image, Tensor or ndarray. Got {type(img)}")


def _max_value(dtype):
    return A.max_value(dtype.np if isinstance(dtype, D.dtype) else dtype)


def _channels(img):
    if isinstance(img, Tensor):
        return 1 if img.ndim == 2 else img.shape[-3]
    return 1 if img.ndim == 2 else img.shape[-1]


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but "
                        f"found {c}")


def _assert_ndim3(img):
    if img.ndim < 3 and isinstance(img, Tensor):
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")


# ---- sizes ---------------------------------------------------------------------------------

def get_dimensions(img):
    """``[channels, height, width]`` of an image."""
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        return [_channels(img), img.shape[-2], img.shape[-1]]
    if isinstance(img, np.ndarray) and img.ndim in (2, 3):
        return [_channels(img), img.shape[0], img.shape[1]]
    if _is_pil_image(img):
        return P.get_dimensions(img)
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img):
    """``[width, height]`` of an image."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    """The number of channels of an image."""
    return get_dimensions(img)[0]


# ---- conversions ---------------------------------------------------------------------------

def to_tensor(pic):
    """PIL image or ndarray (H×W×C) -> float tensor C×H×W; uint8 data is scaled to [0, 1],
    other dtypes are kept as they are."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    fdt = D.get_default_dtype().np
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        arr = np.array(arr.transpose(2, 0, 1), order="C")
        if arr.dtype == np.uint8:
            arr = arr.astype(fdt) / fdt.type(255)
        return ember.from_numpy(arr)
    wanted = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
              "F": np.float32}
    arr = np.array(pic, copy=True).astype(wanted.get(pic.mode, np.uint8), copy=False)
    if pic.mode == "1":
        arr = arr * np.uint8(255)
    w, h = pic.size
    arr = np.ascontiguousarray(arr.reshape(h, w, len(pic.getbands())).transpose(2, 0, 1))
    if arr.dtype == np.uint8:
        arr = arr.astype(fdt) / fdt.type(255)
    return ember.from_numpy(arr)


def pil_to_tensor(pic):
    """PIL image -> tensor C×H×W of the image's own dtype, values unscaled."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    if arr.dtype == np.uint16:      # ember has no uint16: widen, values unchanged
        arr = arr.astype(np.int32)
    w, h = pic.size
    arr = arr.reshape(h, w, len(pic.getbands()))
    return ember.from_numpy(arr).permute(2, 0, 1)


def convert_image_dtype(image, dtype=D.float32):
    """Convert a tensor image to ``dtype``, rescaling values (float images live in [0, 1],
    integer images in [0, max of the dtype])."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    dtype = D.as_dtype(dtype)
    if image.dtype == dtype:
        return image
    if image.dtype.is_floating_point:
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == D.float32 and dtype in (D.int32, D.int64)) or \
                (image.dtype == D.float64 and dtype == D.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed "
                               f"safely.")
        return _wrap(A.from_float_image(_np(image), dtype.np), image)
    in_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / in_max
    out_max = float(_max_value(dtype))
    a = _np(image)
    if in_max > out_max:
        factor = int((in_max + 1) // (out_max + 1))
        return _wrap(np.floor_divide(a, factor).astype(dtype.np), image)
    factor = int((out_max + 1) // (in_max + 1))
    return _wrap(a.astype(dtype.np) * dtype.np.type(factor), image)


def to_pil_image(pic, mode=None):
    """Tensor C×H×W or ndarray H×W×C -> PIL image (float data is scaled by 255 unless
    ``mode='F'``)."""
    if isinstance(pic, Tensor):
        if pic.ndim == 3:
            pic = pic.permute(1, 2, 0)
        pic = _np(pic)
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = pic[:, :, None]
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    a = pic
    if np.issubdtype(a.dtype, np.floating) and mode != "F":
        a = (a * 255).astype(np.uint8)
    c = a.shape[2]
    if c == 1:
        a = a[:, :, 0]
        expected = {np.dtype(np.uint8): "L",
                    np.dtype(np.int16): "I;16" if sys.byteorder == "little" else "I;16B",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(a.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {a.dtype}. "
                             f"Should be {expected}")
        mode = expected
    else:
        allowed = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[c]
        if mode is not None and mode not in allowed:
            raise ValueError(f"Only modes {allowed} are supported for {c}D inputs")
        if mode is None and a.dtype == np.uint8:
            mode = allowed[0]
    if mode is None:
        raise TypeError(f"Input type {a.dtype} is not supported")
    return P.from_array(a, mode)


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel of a float tensor image (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = ember.as_tensor(mean, dtype=dtype, device=tensor.device)
    std = ember.as_tensor(std, dtype=dtype, device=tensor.device)
    if bool((std == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {dtype}, leading to "
                         f"division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


# ---- geometry ------------------------------------------------------------------------------

def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 2:
        return [size[0], size[1]]
    want = size[0]
    new_short, new_long = want, int(want * long / short)
    if max_size is not None:
        if max_size <= want:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                             f"requested size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or an int for the smaller edge keeping the aspect ratio,
    capped by ``max_size`` for the longer edge)."""
    interpolation = _interp(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1 in torchscript mode.")
    elif not isinstance(size, int):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    _, h, w = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    out = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == list(out):
        return img
    if _is_pil_image(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                          "antialias is ignored.", stacklevel=2)
        return P.resize(img, out, pil_modes_mapping[interpolation])
    mode = interpolation.value
    if mode not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise NotImplementedError(f"Input Error: interpolation mode '{mode}' is not "
                                  f"supported for tensor images (use nearest, nearest-exact, "
                                  f"bilinear or bicubic)")
    aa = bool(antialias) and mode in ("bilinear", "bicubic")
    return _apply(img, A.resize, out, mode, aa)


def _parse_padding(padding):
    if isinstance(padding, int):
        return padding, padding, padding, padding
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    return tuple(padding)


def _pad_array(a, ltrb, mode, fill):
    left, top, right, bottom = ltrb
    if isinstance(fill, (list, tuple)) and mode == "constant":
        if len(fill) not in (1, a.shape[-3]):
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {a.shape[-3]})")
        fill = list(fill) * (a.shape[-3] if len(fill) == 1 else 1)
        return np.concatenate([A.pad(a[..., i:i + 1, :, :], left, top, right, bottom,
                                     "constant", f) for i, f in enumerate(fill)], axis=-3)
    return A.pad(a, left, top, right, bottom, mode, fill)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: ``padding`` is an int, (left/right, top/bottom) or (left, top, right,
    bottom); ``padding_mode``: constant, edge, reflect, symmetric."""
    if _is_pil_image(img):
        return P.pad(img, padding, fill, padding_mode)
    if not _array_kind(img):
        raise TypeError(f"img should be PIL Image, Tensor or ndarray. Got {type(img)}")
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    seq_fill_ok = isinstance(img, np.ndarray) and isinstance(fill, (tuple, list))
    if not isinstance(fill, (int, float)) and not seq_fill_ok:
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    return _apply(img, _pad_array, _parse_padding(padding), padding_mode, fill, chw=True)


def crop(img, top, left, height, width):
    """The window of ``height`` × ``width`` at (``top``, ``left``); outside parts are 0."""
    if _is_pil_image(img):
        return P.crop(img, top, left, height, width)
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        h, w = img.shape[-2:]
        if top >= 0 and left >= 0 and top + height <= h and left + width <= w:
            return img[..., top:top + height, left:left + width]
    return _apply(img, A.crop, top, left, height, width)


def _size_pair(size):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return size[0], size[0]
    return size


def center_crop(img, output_size):
    """The central ``output_size`` window; an image smaller than that is zero-padded."""
    ch, cw = _size_pair(output_size)
    _, h, w = get_dimensions(img)
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if cw == w and ch == h:
            return img
    return crop(img, int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0)), ch, cw)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    """``crop`` then ``resize``."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Flip left-right."""
    if _is_pil_image(img):
        return P.hflip(img)
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        return img.flip(-1)
    return _apply(img, lambda a: a[..., ::-1])


def vflip(img):
    """Flip top-bottom."""
    if _is_pil_image(img):
        return P.vflip(img)
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        return img.flip(-2)
    return _apply(img, lambda a: a[..., ::-1, :])


def five_crop(img, size):
    """The four corner crops and the central crop, as a tuple (tl, tr, bl, br, center)."""
    size = _size_pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, h, w = get_dimensions(img)
    ch, cw = size
    if cw > w or ch > h:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(h, w)}")
    return (crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw),
            crop(img, h - ch, w - cw, ch, cw), center_crop(img, [ch, cw]))


def ten_crop(img, size, vertical_flip=False):
    """``five_crop`` of the image and of its flipped version (horizontal by default)."""
    size = _size_pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first = five_crop(img, size)
    return first + five_crop(vflip(img) if vertical_flip else hflip(img), size)


def _get_perspective_coeffs(startpoints, endpoints):
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} "
                         f"startpoints and {len(endpoints)} endpoints.")
    rows, rhs = [], []
    for (ex, ey), (sx, sy) in zip(endpoints, startpoints):
        rows.append([ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey])
        rows.append([0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey])
        rhs += [sx, sy]
    sol = np.linalg.lstsq(np.array(rows, np.float64), np.array(rhs, np.float64), rcond=None)[0]
    return sol.astype(np.float32).tolist()


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 6 affine coefficients torchvision passes to Pillow (output -> input pixels unless
    ``inverted=False``)."""
    return A.inverse_affine_matrix(center, angle, translate, scale, shear, inverted)


def _grid_checks(img, interpolation, fill):
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        warnings.warn("Argument fill should be either int, float, tuple or list", stacklevel=2)
    c = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != c:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the "
                         f"number of channels of the image ({len(fill)} != {c})")
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor "
                         "input")


def _np_dtype(img):
    return img.dtype.np if isinstance(img, Tensor) else img.dtype


def _affine_grid_apply(a, matrix, ow, oh, mode, fill):
    grid = A.affine_grid(matrix, a.shape[-1], a.shape[-2], ow, oh, A.compute_dtype(a.dtype))
    return A.grid_transform(a, grid, mode, fill)


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR,
                fill=None):
    """Warp so that ``startpoints`` (4 corners, [x, y]) land on ``endpoints``."""
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _interp(interpolation)
    if _is_pil_image(img):
        return P.perspective(img, coeffs, pil_modes_mapping[interpolation], fill)
    _check_image(img)
    _grid_checks(img, interpolation.value, fill)

    def run(a):
        _, h, w = a.shape[-3:]
        grid = A.perspective_grid(coeffs, w, h, A.compute_dtype(a.dtype))
        return A.grid_transform(a, grid, interpolation.value, fill)
    return _apply(img, run, chw=True)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the image
    centre); ``expand`` grows the output to hold the whole rotated image."""
    interpolation = _interp(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if _is_pil_image(img):
        return P.rotate(img, angle, pil_modes_mapping[interpolation], expand, center, fill)
    _check_image(img)
    _, h, w = get_dimensions(img)
    cf = [0.0, 0.0] if center is None else [1.0 * (c - s * 0.5) for c, s in
                                            zip(center, [w, h])]
    matrix = A.inverse_affine_matrix(cf, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    _grid_checks(img, interpolation.value, fill)
    ow, oh = A.affine_output_size(matrix, w, h) if expand else (w, h)
    return _apply(img, _affine_grid_apply, matrix, ow, oh, interpolation.value, fill, chw=True)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):
    """Rotate by ``angle``, translate, scale and shear, keeping the image centre fixed."""
    interpolation = _interp(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    angle = float(angle)
    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, h, w = get_dimensions(img)
    if _is_pil_image(img):
        c = [w * 0.5, h * 0.5] if center is None else center
        matrix = A.inverse_affine_matrix(c, angle, list(translate), scale, shear)
        return P.affine(img, matrix, pil_modes_mapping[interpolation], fill)
    cf = [0.0, 0.0] if center is None else [1.0 * (c - s * 0.5) for c, s in
                                            zip(center, [w, h])]
    matrix = A.inverse_affine_matrix(cf, angle, [1.0 * t for t in translate], scale, shear)
    _grid_checks(img, interpolation.value, fill)
    return _apply(img, _affine_grid_apply, matrix, w, h, interpolation.value, fill, chw=True)


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Move every pixel by ``displacement`` (a 1×H×W×2 tensor in normalised coordinates)."""
    if isinstance(interpolation, int):
        warnings.warn("Argument interpolation should be of type InterpolationMode instead of "
                      "int. Please, use InterpolationMode enum.", stacklevel=2)
    interpolation = _interp(interpolation)
    if not isinstance(displacement, Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    pil = _is_pil_image(img)
    t = pil_to_tensor(img) if pil else img
    if not isinstance(t, Tensor):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    shape = (1,) + tuple(t.shape[-2:]) + (2,)
    if tuple(displacement.shape) != shape:
        raise ValueError(f"Argument displacement shape should be {list(shape)}, but given "
                         f"{list(displacement.shape)}")
    disp = _np(displacement)

    def run(a):
        h, w = a.shape[-2:]
        ct = A.compute_dtype(a.dtype)
        ys = np.linspace((-h + 1) / h, (h - 1) / h, h, dtype=np.float32)
        xs = np.linspace((-w + 1) / w, (w - 1) / w, w, dtype=np.float32)
        ident = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None]), -1)
        grid = (ident + disp[0].astype(np.float32)).astype(ct)
        return A.grid_transform(a, grid, interpolation.value, fill)
    out = _apply(t, run, chw=True)
    return to_pil_image(out, mode=img.mode) if pil else out


# ---- colour --------------------------------------------------------------------------------

def _color_prep(img, permitted=(1, 3)):
    _check_image(img)
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
    _assert_channels(img, list(permitted))


def adjust_brightness(img, brightness_factor):
    """Blend with black: 0 gives black, 1 the original, 2 twice as bright (clamped)."""
    if _is_pil_image(img):
        return P.adjust_brightness(img, brightness_factor)
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _color_prep(img)
    return _apply(img, lambda a: A.blend(a, np.zeros((), a.dtype), brightness_factor))


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level: 0 gives a uniform grey image, 1 the original."""
    if _is_pil_image(img):
        return P.adjust_contrast(img, contrast_factor)
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _color_prep(img, (3, 1))

    def run(a):
        grey = A.grayscale(a) if a.shape[-3] == 3 else a
        return A.blend(a, A.image_mean(grey), contrast_factor)
    return _apply(img, run, chw=True)


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image: 0 gives grey, 1 the original, 2 doubles saturation."""
    if _is_pil_image(img):
        return P.adjust_saturation(img, saturation_factor)
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _color_prep(img)
    if get_dimensions(img)[0] == 1:
        return img
    return _apply(img, lambda a: A.blend(a, A.grayscale(a), saturation_factor))


def adjust_hue(img, hue_factor):
    """Shift the hue by ``hue_factor`` (in [-0.5, 0.5], a fraction of the colour wheel)."""
    if _is_pil_image(img):
        return P.adjust_hue(img, hue_factor)
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not _array_kind(img):
        raise TypeError("Input img should be Tensor image")
    _color_prep(img)
    if get_dimensions(img)[0] == 1:
        return img

    def run(a):
        x = A.to_float_image(a, np.float32) if a.dtype != np.float32 else a
        hsv = A.rgb_to_hsv(x)
        hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1))
        rgb = A.hsv_to_rgb(hsv)
        return A.from_float_image(rgb, a.dtype)
    return _apply(img, run)


def adjust_gamma(img, gamma, gain=1):
    """``gain * img ** gamma`` on [0, 1]-scaled intensities."""
    if _is_pil_image(img):
        return P.adjust_gamma(img, gamma, gain)
    if not _array_kind(img):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")

    def run(a):
        x = a if a.dtype.kind == "f" else A.to_float_image(a, np.float32)
        y = np.clip(x.dtype.type(gain) * np.power(x, x.dtype.type(gamma)), 0, 1)
        return A.from_float_image(y, a.dtype)
    return _apply(img, run)


def to_grayscale(img, num_output_channels=1):
    """PIL image (or ndarray) -> greyscale with 1 or 3 channels."""
    if _is_pil_image(img):
        return P.to_grayscale(img, num_output_channels)
    if isinstance(img, np.ndarray):
        return rgb_to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels=1):
    """RGB -> greyscale (L = 0.2989 R + 0.587 G + 0.114 B) with 1 or 3 channels."""
    if _is_pil_image(img):
        return P.to_grayscale(img, num_output_channels)
    _check_image(img)
    if img.ndim < 3 and isinstance(img, Tensor):
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    c = get_dimensions(img)[0]
    if isinstance(img, Tensor):
        grey = _wrap(A.grayscale(_np(img)), img) if c == 3 else img.clone()
        return grey.expand(img.shape) if num_output_channels == 3 else grey

    def run(a):
        grey = A.grayscale(a) if c == 3 else a.copy()
        if num_output_channels == 3:
            grey = np.broadcast_to(grey, grey.shape[:-3] + (3,) + grey.shape[-2:])
        return grey
    return _apply(img, run)


def erase(img, i, j, h, w, v, inplace=False):
    """Overwrite the region [i:i+h, j:j+w] of a tensor image with ``v``."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a Gaussian kernel (``kernel_size`` odd, (kx, ky)); borders reflect."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got "
                        f"{type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got "
                         f"{len(kernel_size)}")
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got "
                             f"{kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got "
                        f"{type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    pil = _is_pil_image(img)
    t = pil_to_tensor(img) if pil else img
    if not _array_kind(t):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    out = _apply(t, A.gaussian_blur, list(kernel_size), list(sigma))
    return to_pil_image(out, mode=img.mode) if pil else out


def _tensor_3d(img):
    _check_image(img)
    _assert_ndim3(img)


def invert(img):
    """Invert the colours: ``max - img``."""
    if _is_pil_image(img):
        return P.invert(img)
    _tensor_3d(img)
    _assert_channels(img, [1, 3])
    return _apply(img, lambda a: (a.dtype.type(A.max_value(a.dtype)) - a).astype(a.dtype))


def posterize(img, bits):
    """Keep the top ``bits`` bits of every uint8 channel value."""
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    if _is_pil_image(img):
        return P.posterize(img, bits)
    _tensor_3d(img)
    if _np_dtype(img) != np.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    mask = np.uint8(-int(2 ** (8 - bits)) & 0xFF)
    return _apply(img, lambda a: a & mask)


def solarize(img, threshold):
    """Invert every value at or above ``threshold``."""
    if _is_pil_image(img):
        return P.solarize(img, threshold)
    _tensor_3d(img)
    _assert_channels(img, [1, 3])
    if threshold > A.max_value(_np_dtype(img)):
        raise TypeError("Threshold should be less than bound of img.")
    return _apply(img, lambda a: np.where(
        a >= threshold, (a.dtype.type(A.max_value(a.dtype)) - a).astype(a.dtype), a))


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed image: 0 blurs, 1 keeps, 2 sharpens."""
    if _is_pil_image(img):
        return P.adjust_sharpness(img, sharpness_factor)
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _color_prep(img)
    _, h, w = get_dimensions(img)
    if h <= 2 or w <= 2:
        return img
    return _apply(img, lambda a: A.blend(a, A.sharpness_blur(a), sharpness_factor))


def autocontrast(img):
    """Stretch every channel so its darkest value becomes 0 and its lightest the max."""
    if _is_pil_image(img):
        return P.autocontrast(img)
    _tensor_3d(img)
    _assert_channels(img, [1, 3])
    return _apply(img, A.autocontrast, chw=True)


def equalize(img):
    """Histogram-equalise every channel of a uint8 image."""
    if _is_pil_image(img):
        return P.equalize(img)
    _check_image(img)
    if isinstance(img, Tensor) and not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found "
                        f"{img.ndim}")
    if _np_dtype(img) != np.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    return _apply(img, A.equalize, chw=True)

