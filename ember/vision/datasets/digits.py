"""Digits: the 8×8 handwritten digits that scikit-learn ships (1797 images, 10 classes),
a real dataset small enough for examples and tests that must run without any download.
ember-only (torchvision has no such class)."""
import gzip
import importlib.util
import os

import numpy as np

from ...ops.creation import from_numpy
from .vision import _SplitImages

__all__ = ["Digits"]

_CACHE = {}
_N = 1797


def _csv_path():
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        path = os.path.join(base, "datasets", "data", "digits.csv.gz")
        if os.path.isfile(path):
            return path
    return None


def _load_digits():
    """``(images uint8 N×8×8, labels int64 N)``, parsed once per process."""
    if "digits" in _CACHE:
        return _CACHE["digits"]
    path = _csv_path()
    if path is not None:
        with gzip.open(path, "rb") as f:
            text = f.read()
        values = np.array(text.replace(b"\n", b",").strip(b",").split(b","), dtype=np.float64)
        table = values.reshape(-1, 65)
    else:
        try:   # the data file moved in some scikit-learn release: ask scikit-learn itself
            from sklearn.datasets import load_digits
        except ImportError:
            raise ImportError("ember.vision.datasets.Digits reads the digits that "
                              "scikit-learn ships, and scikit-learn is not installed: "
                              "pip install scikit-learn (or pip install ember[demo])") from None
        bunch = load_digits()
        table = np.concatenate([bunch.data, bunch.target[:, None]], axis=1)
    if table.shape != (_N, 65):
        raise RuntimeError(f"scikit-learn's digits data has shape {list(table.shape)}, "
                           f"expected [{_N}, 65]")
    images = np.rint(table[:, :64] * (255.0 / 16.0)).astype(np.uint8).reshape(-1, 8, 8)
    labels = table[:, 64].astype(np.int64)
    _CACHE["digits"] = (images, labels)
    return images, labels


class Digits(_SplitImages):
    """The 8×8 handwritten digits of scikit-learn (UCI "optical recognition of handwritten
    digits" test set): 1797 grey images, classes ``'0'`` … ``'9'``.

    Args:
        root: ignored (the data comes from the installed scikit-learn package); accepted so
            that the signature matches the other datasets.
        train: the training part if True, else the test part.
        transform: callable applied to the image.
        target_transform: callable applied to the int label.
        download: ignored (nothing to download).
        test_fraction: share of the 1797 images in the test part, in [0, 1].

    The split is fixed: ``np.random.default_rng(0).permutation(1797)``, the last
    ``round(test_fraction * 1797)`` indices (in that order) are the test part, the others
    the training part. Pixels 0..16 are scaled to uint8 as ``round(v * 255 / 16)``.

    Attributes: ``data`` (uint8 tensor N×8×8), ``targets`` (int64 tensor N), ``classes``,
    ``class_to_idx``, ``train``. ``ds[i]`` is ``(image, int label)``: a PIL ``'L'`` 8×8
    image or a uint8 8×8 array, by the image backend. Needs scikit-learn installed
    (``ImportError`` otherwise); scikit-learn itself is not imported.

    >>> from ember.vision.datasets import Digits
    >>> train, test = Digits(train=True), Digits(train=False)
    >>> len(train), len(test), train.data.shape, train.targets.dtype
    (1438, 359, ember.Size([1438, 8, 8]), ember.int64)
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None,
                 download=False, test_fraction=0.2):
        super().__init__(root, transform=transform, target_transform=target_transform)
        test_fraction = float(test_fraction)
        if not 0.0 <= test_fraction <= 1.0:
            raise ValueError(f"test_fraction should be in [0, 1], got {test_fraction}")
        self.train = train
        self.test_fraction = test_fraction
        images, labels = _load_digits()
        perm = np.random.default_rng(0).permutation(len(images))
        n_test = round(test_fraction * len(images))
        idx = perm[:len(images) - n_test] if train else perm[len(images) - n_test:]
        self.data = from_numpy(images[idx])
        self.targets = from_numpy(labels[idx])

    @property
    def class_to_idx(self):
        """``{'0': 0, …, '9': 9}``."""
        return {c: i for i, c in enumerate(self.classes)}

