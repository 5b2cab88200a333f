"""The PIL-image path of ``ember.vision.transforms``: the pixel work is Pillow's own, as in
torchvision, so the numbers are Pillow's. Pillow is imported lazily (it is optional)."""
import sys

import numpy as np


def is_pil_image(img):
    """True for a ``PIL.Image.Image`` (without importing Pillow when nobody has)."""
    mod = sys.modules.get("PIL.Image")
    return mod is not None and isinstance(img, mod.Image)


def _image():
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("this transform makes PIL images and needs Pillow: pip install "
                          "pillow (or keep to tensors / NumPy images)") from e
    return Image


def _check(img):
    if not is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_dimensions(img):
    _check(img)
    w, h = img.size
    return [len(img.getbands()), h, w]


def num_channels(img):
    _check(img)
    return len(img.getbands())


def from_array(arr, mode):
    """An image of ``mode`` read from the raw bytes of ``arr`` (H×W or H×W×C), the way
    torchvision's ``to_pil_image`` reinterprets data (e.g. uint8 H×W×3 as ``'HSV'``)."""
    arr = np.ascontiguousarray(arr)
    h, w = arr.shape[:2]
    return _image().frombytes(mode, (w, h), arr.tobytes(), "raw", mode)


def hflip(img):
    _check(img)
    return img.transpose(_image().Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(_image().Transpose.FLIP_TOP_BOTTOM)


def _enhance(kind, img, factor):
    _check(img)
    from PIL import ImageEnhance
    return getattr(ImageEnhance, kind)(img).enhance(factor)


def adjust_brightness(img, factor):
    return _enhance("Brightness", img, factor)


def adjust_contrast(img, factor):
    return _enhance("Contrast", img, factor)


def adjust_saturation(img, factor):
    return _enhance("Color", img, factor)


def adjust_sharpness(img, factor):
    return _enhance("Sharpness", img, factor)


def adjust_hue(img, hue_factor):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check(img)
    mode = img.mode
    if mode in ("L", "1", "I", "F"):
        return img
    h, s, v = img.convert("HSV").split()
    hue = np.array(h, dtype=np.uint8)
    hue += np.uint8(np.int32(hue_factor * 255) & 0xFF)        # wraps around, mod 256
    Image = _image()
    return Image.merge("HSV", (from_array(hue, "L"), s, v)).convert(mode)


def adjust_gamma(img, gamma, gain=1.0):
    _check(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    mode = img.mode
    lut = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)]
    return img.convert("RGB").point(lut * 3).convert(mode)


def parse_fill(fill, img, name="fillcolor"):
    """Pillow's fill argument: one value per band, ints unless the image is mode 'F'."""
    bands = num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and bands > 1:
        fill = (fill,) * bands
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        elif len(fill) != bands:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode="constant"):
    _check(img)
    import numbers
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (list, tuple)):
        if len(padding) not in (1, 2, 4):
            raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                             f"{len(padding)} element tuple")
        padding = tuple(padding) if len(padding) > 1 else padding[0]
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if padding_mode == "constant":
        from PIL import ImageOps
        out = ImageOps.expand(img, border=padding, **parse_fill(fill, img, name="fill"))
        if img.mode == "P":
            out.putpalette(img.getpalette())
        return out
    if isinstance(padding, tuple):
        left, top, right, bottom = padding * 2 if len(padding) == 2 else padding
    else:
        left = top = right = bottom = padding
    if min(left, top, right, bottom) < 0:
        img = img.crop((max(-left, 0), max(-top, 0), img.width - max(-right, 0),
                        img.height - max(-bottom, 0)))
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
    out = np.pad(arr, widths, mode=padding_mode)
    Image = _image()
    if img.mode == "P":
        res = Image.fromarray(out)
        res.putpalette(img.getpalette())
        return res
    return Image.fromarray(out)


def crop(img, top, left, height, width):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation):
    _check(img)
    return img.resize((int(size[1]), int(size[0])), interpolation)


def affine(img, matrix, interpolation, fill):
    _check(img)
    return img.transform(img.size, _image().Transform.AFFINE, matrix, interpolation,
                         **parse_fill(fill, img))


def rotate(img, angle, interpolation, expand, center, fill):
    _check(img)
    return img.rotate(angle, interpolation, expand, center, **parse_fill(fill, img))


def perspective(img, coeffs, interpolation, fill):
    _check(img)
    return img.transform(img.size, _image().Transform.PERSPECTIVE, coeffs, interpolation,
                         **parse_fill(fill, img))


def to_grayscale(img, num_output_channels):
    _check(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        grey = np.array(img.convert("L"), dtype=np.uint8)
        return from_array(np.dstack([grey, grey, grey]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")


def _ops(name, img, *args):
    _check(img)
    from PIL import ImageOps
    return getattr(ImageOps, name)(img, *args)


def invert(img):
    return _ops("invert", img)


def posterize(img, bits):
    return _ops("posterize", img, bits)


def solarize(img, threshold):
    return _ops("solarize", img, threshold)


def autocontrast(img):
    return _ops("autocontrast", img)


def equalize(img):
    return _ops("equalize", img)
