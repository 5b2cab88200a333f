"""Datasets laid out as one folder per class: :class:`DatasetFolder` (any file type, with a
loader) and :class:`ImageFolder` (images), plus the helpers torchvision exposes beside them
(``find_classes``, ``make_dataset``, ``default_loader``, ``IMG_EXTENSIONS`` …)."""
import os

import numpy as np

from .._backend import get_image_backend
from .vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "has_file_allowed_extension",
           "is_image_file", "find_classes", "make_dataset", "pil_loader", "numpy_loader",
           "default_loader"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    """Whether ``filename`` ends (case-insensitively) with one of ``extensions`` (a string
    or a tuple of lowercase strings).

    >>> has_file_allowed_extension("cat/001.PNG", (".png", ".jpg"))
    True
    """
    ext = extensions if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(ext)


def is_image_file(filename):
    """Whether ``filename`` has one of :data:`IMG_EXTENSIONS`.

    >>> is_image_file("a.jpeg"), is_image_file("a.txt")
    (True, False)
    """
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """The class folders of ``directory``: ``(sorted names, {name: index})``.
    ``FileNotFoundError`` when there is none."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None,
                 allow_empty=False):
    """The samples ``[(path, class index), …]`` under ``directory/<class>/`` (walked
    recursively, following links, in sorted order).

    Exactly one of ``extensions`` and ``is_valid_file`` must be given (``ValueError``
    otherwise). A class with no valid file raises ``FileNotFoundError`` unless
    ``allow_empty``. ``class_to_idx`` defaults to :func:`find_classes`'s."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any "
                         "samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at "
                         "the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)

    instances, seen = [], set()
    for class_name in sorted(class_to_idx):
        index = class_to_idx[class_name]
        class_dir = os.path.join(directory, class_name)
        if not os.path.isdir(class_dir):
            continue
        for dirpath, _, fnames in sorted(os.walk(class_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(dirpath, fname)
                if is_valid_file(path):
                    instances.append((path, index))
                    seen.add(class_name)

    empty = set(class_to_idx) - seen
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            exts = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {exts}"
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """Samples stored as ``root/<class>/**/<file>``; classes are the sorted subfolder names.

    Args:
        root: the root folder.
        loader: callable ``path -> sample``.
        extensions: tuple of allowed (lowercase) extensions; exclusive with
            ``is_valid_file``.
        transform: callable applied to the sample.
        target_transform: callable applied to the int class index.
        is_valid_file: callable ``path -> bool`` choosing the files; exclusive with
            ``extensions``.
        allow_empty: accept class folders without any valid file.

    Attributes: ``classes``, ``class_to_idx``, ``samples`` (list of ``(path, class
    index)``), ``targets``, ``loader``, ``extensions``. Override :meth:`find_classes` or
    :meth:`make_dataset` for another layout.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx,
                                    extensions=extensions, is_valid_file=is_valid_file,
                                    allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                     allow_empty=False):
        """The ``(path, class index)`` list (see the module function :func:`make_dataset`);
        ``class_to_idx`` is required here."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions,
                            is_valid_file=is_valid_file, allow_empty=allow_empty)

    def find_classes(self, directory):
        """``(sorted class folder names, {name: index})`` of ``directory``."""
        return find_classes(directory)

    def __getitem__(self, index):
        """``(loader(path), class index)`` of sample ``index``, transformed."""
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


def pil_loader(path):
    """Open an image file with Pillow and convert it to ``'RGB'``."""
    from PIL import Image

    with open(path, "rb") as f:
        img = Image.open(f)
        return img.convert("RGB")


def _to_rgb(arr, path):
    if arr.dtype == np.uint16:   # 16-bit PNG: keep the high byte
        arr = (arr >> 8).astype(np.uint8)
    if arr.dtype != np.uint8:
        raise TypeError(f"{path}: expected uint8 pixels, got {arr.dtype}")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 2, 3, 4):
        raise ValueError(f"{path}: expected an image H×W or H×W×C (C in 1..4), got shape "
                         f"{list(arr.shape)}")
    c = arr.shape[2]
    if c in (1, 2):              # grey (+ alpha): replicate the grey channel
        arr = np.repeat(arr[:, :, :1], 3, axis=2)
    elif c == 4:                 # RGBA: drop alpha, as PIL's convert('RGB') does
        arr = arr[:, :, :3]
    return np.ascontiguousarray(arr)


def numpy_loader(path):
    """Read an image file as a uint8 H×W×3 NumPy array (RGB). ``.npy`` files go through
    ``np.load`` (no pickles); other images through Pillow when it is installed, else
    ``.png`` through ember's own decoder; other formats without Pillow: ``ImportError``."""
    p = os.fspath(path)
    low = p.lower()
    if low.endswith(".npy"):
        return _to_rgb(np.load(p, allow_pickle=False), p)
    try:
        from PIL import Image
    except ImportError:
        if low.endswith(".png"):
            from ...utils._png import read_png

            return _to_rgb(read_png(p), p)
        raise ImportError(f"{p}: reading this image format needs Pillow (pip install pillow); "
                          f"without it ember reads only .png and .npy files") from None
    with open(p, "rb") as f:
        return np.array(Image.open(f).convert("RGB"))


def default_loader(path):
    """Load an image as the current image backend's type: a PIL ``'RGB'`` image
    (``'PIL'``) or a uint8 H×W×3 array (``'numpy'``, see :func:`numpy_loader`)."""
    if get_image_backend() == "PIL":
        if os.fspath(path).lower().endswith(".npy"):
            from PIL import Image

            return Image.fromarray(numpy_loader(path))
        return pil_loader(path)
    return numpy_loader(path)


class ImageFolder(DatasetFolder):
    """Images stored as ``root/<class>/**/<image>`` with one of :data:`IMG_EXTENSIONS`
    (unless ``is_valid_file`` chooses the files).

    Args:
        root: the root folder.
        transform: callable applied to the image.
        target_transform: callable applied to the int class index.
        loader: callable ``path -> image``; :func:`default_loader` gives a PIL ``'RGB'``
            image, or a uint8 H×W×3 array when the image backend is ``'numpy'``.
        is_valid_file: callable ``path -> bool`` choosing the files.
        allow_empty: accept class folders without any image.

    Attributes: those of :class:`DatasetFolder`, and ``imgs`` (the same list as
    ``samples``).
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
