"""MNIST and its same-format cousins (Fashion-MNIST, Kuzushiji-MNIST), read from the IDX
files in ``root/<ClassName>/raw/`` (plain or ``.gz``). ember never downloads."""
import os
import warnings

import numpy as np

from ...ops.creation import from_numpy
from ._utils import NO_NETWORK, read_idx
from .vision import _SplitImages

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "read_image_file", "read_label_file"]


def read_image_file(path):
    """The images of an IDX image file (``…-images-idx3-ubyte[.gz]``) as a uint8 N×H×W
    NumPy array. Not uint8: ``TypeError``; not 3-d: ``ValueError``; not IDX or truncated:
    ``RuntimeError``."""
    x = read_idx(path)
    if x.dtype != np.uint8:
        raise TypeError(f"{path}: images should be of dtype uint8, the file holds {x.dtype}")
    if x.ndim != 3:
        raise ValueError(f"{path}: images should have 3 dimensions (N, H, W), the file holds "
                         f"shape {list(x.shape)}")
    return x


def read_label_file(path):
    """The labels of an IDX label file (``…-labels-idx1-ubyte[.gz]``) as an int64 NumPy
    vector. Not uint8: ``TypeError``; not 1-d: ``ValueError``; not IDX or truncated:
    ``RuntimeError``."""
    x = read_idx(path)
    if x.dtype != np.uint8:
        raise TypeError(f"{path}: labels should be of dtype uint8, the file holds {x.dtype}")
    if x.ndim != 1:
        raise ValueError(f"{path}: labels should have 1 dimension, the file holds shape "
                         f"{list(x.shape)}")
    return x.astype(np.int64)


class MNIST(_SplitImages):
    """The `MNIST <http://yann.lecun.com/exdb/mnist/>`_ handwritten digits, from local files.

    Args:
        root: folder holding ``MNIST/raw/`` with ``train-images-idx3-ubyte``,
            ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
            ``t10k-labels-idx1-ubyte`` (each may instead be gzip-compressed, ``<name>.gz``,
            as the mirrors ship them; only the files of the chosen split are needed).
            torchvision's old ``MNIST/processed/{training,test}.pt`` are read too.
        train: the 60000-image training split if True, else the 10000-image test split.
        transform: callable applied to the image.
        target_transform: callable applied to the int label.
        download: accepted for compatibility; ember has no network, so files that are
            missing give a ``RuntimeError`` saying which ones and where they go.

    Attributes: ``data`` (uint8 tensor N×28×28), ``targets`` (int64 tensor N),
    ``classes``, ``class_to_idx``, ``train``. ``ds[i]`` is ``(image, int label)`` where the
    image is a PIL image of mode ``'L'`` (image backend ``'PIL'``) or a uint8 H×W array
    (backend ``'numpy'``).
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(self._not_found_message(download))
        self.data, self.targets = self._load_data()

    # ---- files
    @property
    def raw_folder(self):
        """``root/<ClassName>/raw``, where the IDX files live."""
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self):
        """``root/<ClassName>/processed``, torchvision's old cache folder."""
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self):
        """``{class name: index}``."""
        return {c: i for i, c in enumerate(self.classes)}

    def _split_files(self):
        prefix = "train" if self.train else "t10k"
        return [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]

    def _find(self, name):
        plain = os.path.join(self.raw_folder, name)
        if os.path.isfile(plain):
            return plain
        if os.path.isfile(plain + ".gz"):
            return plain + ".gz"
        return None

    def _check_exists(self):
        return all(self._find(n) is not None for n in self._split_files())

    def _check_legacy_exist(self):
        return all(os.path.isfile(os.path.join(self.processed_folder, f))
                   for f in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        from ...serialization import load

        path = os.path.join(self.processed_folder,
                            self.training_file if self.train else self.test_file)
        data, targets = load(path, weights_only=True)
        return data, targets

    def _not_found_message(self, download):
        names = self._split_files()
        missing = [n for n in names if self._find(n) is None]
        how = ("download=True cannot fetch them" if download else
               "download=True would not help either")
        return (f"Dataset not found. {type(self).__name__} needs the files "
                f"{', '.join(names)} (each may instead be gzip-compressed as <name>.gz) in "
                f"the folder {self.raw_folder}; missing: {', '.join(missing)}. {NO_NETWORK} "
                f"({how}; the files are at {self.mirrors[0]}).")

    def download(self):
        """Nothing to do when the files are present; otherwise ``RuntimeError`` (ember has
        no network)."""
        if self._check_exists():
            return
        raise RuntimeError(self._not_found_message(True))

    def _load_data(self):
        img_name, lbl_name = self._split_files()
        img_path, lbl_path = self._find(img_name), self._find(lbl_name)
        images = read_image_file(img_path)
        labels = read_label_file(lbl_path)
        if len(images) != len(labels):
            raise RuntimeError(f"{img_path} holds {len(images)} images but {lbl_path} holds "
                               f"{len(labels)} labels")
        return from_numpy(images), from_numpy(labels)

    # ---- samples

    # ---- deprecated names
    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets", stacklevel=2)
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data", stacklevel=2)
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data", stacklevel=2)
        return self.data


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: same files and
    arguments as :class:`MNIST`, in ``root/FashionMNIST/raw/``."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_: same files and arguments as
    :class:`MNIST`, in ``root/KMNIST/raw/``."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
