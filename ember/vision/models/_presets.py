"""The inference preset behind ``weights.transforms()``: resize, center-crop, scale, normalise.

Self-contained (NumPy, plus Pillow only when given a PIL image), so it works whatever
``ember.vision.transforms`` provides.
"""
import numpy as np

from ... import nn

__all__ = ["ImageClassification"]


def _resized_size(h, w, size):
    """(new_h, new_w) with the shorter side ``size`` and the aspect ratio kept (truncating)."""
    if w <= h:
        return int(size * h / w), size
    return size, int(size * w / h)


def _aa_weights(in_size, out_size):
    """Antialiased bilinear (triangle filter) resampling matrix (out_size, in_size), float64:
    the filter support widens with the downscale factor, as Pillow's resampling does."""
    scale = in_size / out_size
    support = scale if scale >= 1.0 else 1.0
    inv = 1.0 / scale if scale >= 1.0 else 1.0
    mat = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = scale * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        j = np.arange(lo, hi, dtype=np.float64)
        w = np.clip(1.0 - np.abs((j - center + 0.5) * inv), 0.0, None)
        total = w.sum()
        if total > 0:
            mat[i, lo:hi] = w / total
    return mat


def _resize_array(x, size):
    """Resize a float array (..., H, W) so its shorter side is ``size`` (antialiased)."""
    h, w = x.shape[-2:]
    nh, nw = _resized_size(h, w, size)
    if (nh, nw) == (h, w):
        return x
    rows = _aa_weights(h, nh).astype(x.dtype)
    cols = _aa_weights(w, nw).astype(x.dtype)
    return np.matmul(np.matmul(rows, x), cols.T)


def _center_crop_array(x, size):
    h, w = x.shape[-2:]
    if size > h or size > w:
        ph, pw = max(size - h, 0), max(size - w, 0)
        pad = [(0, 0)] * (x.ndim - 2) + [(ph // 2, (ph + 1) // 2), (pw // 2, (pw + 1) // 2)]
        x = np.pad(x, pad)
        h, w = x.shape[-2:]
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    return x[..., top:top + size, left:left + size]


class ImageClassification(nn.Module):
    """The evaluation preset of the ImageNet weights: resize the shorter side to
    ``resize_size`` (bilinear, antialiased), center-crop ``crop_size``, scale to [0, 1] float32,
    normalise with ``mean``/``std``.

    Accepts a PIL image (resized by Pillow), an H×W×C / H×W uint8 NumPy array (ember's 'numpy'
    image backend), or a tensor (…, C, H, W) (uint8 is resized in float and rounded back, which
    may differ from torchvision's fixed-point uint8 kernel by one grey level in a few pixels).
    Returns a float32 tensor (…, C, crop, crop).

    >>> import numpy as np
    >>> t = ImageClassification(crop_size=4, resize_size=6)
    >>> tuple(t(np.zeros((8, 10, 3), dtype=np.uint8)).shape)
    (3, 4, 4)
    """

    def __init__(self, *, crop_size, resize_size=256, mean=(0.485, 0.456, 0.406),
                 std=(0.229, 0.224, 0.225), interpolation=None, antialias=True):
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation if interpolation is not None else "bilinear"
        self.antialias = antialias

    def forward(self, img):
        from ..._tensor import Tensor
        size, crop = self.resize_size[0], self.crop_size[0]
        if isinstance(img, Tensor):
            arr = img.detach().cpu().numpy()
            is_int = not np.issubdtype(arr.dtype, np.floating)
            x = _resize_array(arr.astype(np.float32), size)
            if is_int:
                top = np.iinfo(arr.dtype).max if arr.dtype != np.bool_ else 1
                x = np.clip(np.round(x), 0, top)
            x = _center_crop_array(x, crop)
            if is_int:
                x = x / np.float32(top)
        else:
            if isinstance(img, np.ndarray):
                arr = img if img.ndim == 3 else img[:, :, None]
                x = np.ascontiguousarray(arr.transpose(2, 0, 1)).astype(np.float32)
                x = np.clip(np.round(_resize_array(x, size)), 0, 255)
            else:
                x = self._pil_resize(img, size)
            x = _center_crop_array(x, crop) / np.float32(255.0)
        x = x.astype(np.float32)
        c = x.shape[-3]
        mean = np.asarray(self.mean, dtype=np.float32).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=np.float32).reshape(-1, 1, 1)
        if mean.shape[0] not in (1, c):
            raise RuntimeError(f"mean has {mean.shape[0]} values but the image has {c} "
                               f"channels")
        x = (x - mean) / std
        return Tensor(np.ascontiguousarray(x, dtype=np.float32))

    @staticmethod
    def _pil_resize(img, size):
        try:
            from PIL import Image
        except ImportError:  # pragma: no cover - only reachable with a PIL-like object
            raise TypeError(f"expected a PIL image, NumPy array or tensor, got "
                            f"{type(img).__name__}") from None
        if not isinstance(img, Image.Image):
            raise TypeError(f"expected a PIL image, NumPy array or tensor, got "
                            f"{type(img).__name__}")
        w, h = img.size
        nh, nw = _resized_size(h, w, size)
        if (nh, nw) != (h, w):
            img = img.resize((nw, nh), Image.BILINEAR)
        arr = np.asarray(img)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        return np.ascontiguousarray(arr.transpose(2, 0, 1)).astype(np.float32)

    def __repr__(self):
        return (f"{self.__class__.__name__}(\n    crop_size={self.crop_size}\n"
                f"    resize_size={self.resize_size}\n    mean={self.mean}\n"
                f"    std={self.std}\n    interpolation=InterpolationMode.BILINEAR\n)")

    def describe(self):
        """A sentence describing the preprocessing (as torchvision's presets give)."""
        return ("Accepts PIL.Image, NumPy uint8 H×W×C arrays and ember tensors (…, C, H, W). "
                f"The images are resized to resize_size={self.resize_size} using bilinear "
                f"interpolation, followed by a central crop of crop_size={self.crop_size}. "
                "Finally the values are first rescaled to [0.0, 1.0] and then normalized using "
                f"mean={self.mean} and std={self.std}.")

