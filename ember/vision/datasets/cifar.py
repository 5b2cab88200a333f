"""CIFAR-10 and CIFAR-100 from the "python version" batches (pickles), read with a
restricted unpickler: a dataset file can hold data only, never code to run."""
import os

import numpy as np

from ._utils import NO_NETWORK, check_index, restricted_load, safe_extract
from .vision import _SplitImages

__all__ = ["CIFAR10", "CIFAR100"]


class CIFAR10(_SplitImages):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ from local files.

    Args:
        root: folder holding ``cifar-10-batches-py/`` (``data_batch_1`` … ``data_batch_5``,
            ``test_batch``, ``batches.meta``), or just the archive ``cifar-10-python.tar.gz``
            (extracted there when ``download=True``).
        train: the training batches if True, else the test batch.
        transform: callable applied to the image.
        target_transform: callable applied to the int label.
        download: ember has no network: with the archive present it is extracted (safely:
            plain files and folders inside ``root`` only); with nothing present it is a
            ``RuntimeError`` naming the folder and files.

    The batches are pickles; they are read with an unpickler that allows only containers,
    strings, numbers and NumPy arrays, so a tampered file fails with
    ``pickle.UnpicklingError`` instead of running code. Unlike torchvision the files' MD5
    sums are not checked (any well-formed batch is accepted: data uint8 N×3072, one label
    each).

    Attributes: ``data`` (uint8 NumPy array N×32×32×3), ``targets`` (list of int),
    ``classes`` (from the meta file), ``class_to_idx``, ``train``. ``ds[i]`` is
    ``(image, int label)`` with a PIL ``'RGB'`` image or a uint8 32×32×3 array, by the image
    backend.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    train_list = [["data_batch_1"], ["data_batch_2"], ["data_batch_3"], ["data_batch_4"],
                  ["data_batch_5"]]
    test_list = [["test_batch"]]
    meta = {"filename": "batches.meta", "key": "label_names"}
    _label_key = "labels"

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(self._not_found_message())

        data, targets = [], []
        for entry in (self.train_list if self.train else self.test_list):
            d, t = self._load_batch(os.path.join(self.root, self.base_folder, entry[0]))
            data.append(d)
            targets.extend(t)
        data = np.concatenate(data) if data else np.zeros((0, 3072), np.uint8)
        self.data = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)    # HWC view, as torchvision
        self.targets = targets
        self._load_meta()

    # ---- files
    def _folder(self):
        return os.path.join(self.root, self.base_folder)

    def _needed(self):
        return [e[0] for e in self.train_list + self.test_list] + [self.meta["filename"]]

    def _check_integrity(self):
        """True when every batch and the meta file are present."""
        return all(os.path.isfile(os.path.join(self._folder(), n)) for n in self._needed())

    def _not_found_message(self):
        missing = [n for n in self._needed()
                   if not os.path.isfile(os.path.join(self._folder(), n))]
        archive = os.path.join(self.root, self.filename)
        if os.path.isfile(archive):
            return (f"Dataset not extracted: found the archive {archive} but not the files "
                    f"{', '.join(missing)} in the folder {self._folder()}. Pass download=True "
                    f"to extract it (nothing is downloaded), or extract it there yourself.")
        return (f"Dataset not found. {type(self).__name__} needs the files "
                f"{', '.join(self._needed())} in the folder {self._folder()} (or the "
                f"archive {self.filename} in {self.root}); missing: {', '.join(missing)}. "
                f"{NO_NETWORK} (download=True cannot fetch them; the archive is at "
                f"{self.url}).")

    def download(self):
        """Nothing to do when the files are present; extract ``root/<filename>`` when only
        the archive is there; otherwise ``RuntimeError`` (ember has no network)."""
        if self._check_integrity():
            return
        archive = os.path.join(self.root, self.filename)
        if os.path.isfile(archive):
            safe_extract(archive, self.root)
            if self._check_integrity():
                return
        raise RuntimeError(self._not_found_message())

    def _load_batch(self, path):
        entry = restricted_load(path)
        if not isinstance(entry, dict) or "data" not in entry:
            raise RuntimeError(f"{path}: not a CIFAR batch (expected a dict with 'data' and "
                               f"'{self._label_key}', got {type(entry).__name__})")
        labels = entry.get("labels", entry.get("fine_labels"))
        if labels is None:
            raise RuntimeError(f"{path}: CIFAR batch without labels (expected the key "
                               f"'{self._label_key}'; keys: {sorted(map(str, entry))})")
        data = entry["data"]
        if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
                or data.shape[1] != 3072:
            desc = (f"{data.dtype} array of shape {list(data.shape)}"
                    if isinstance(data, np.ndarray) else type(data).__name__)
            raise RuntimeError(f"{path}: CIFAR batch 'data' should be a uint8 array N×3072, "
                               f"got {desc}")
        try:
            labels = [int(v) for v in labels]
        except (TypeError, ValueError) as e:
            raise RuntimeError(f"{path}: CIFAR labels should be integers ({e})") from e
        if len(labels) != len(data):
            raise RuntimeError(f"{path}: {len(data)} images but {len(labels)} labels")
        return data, labels

    def _load_meta(self):
        path = os.path.join(self._folder(), self.meta["filename"])
        if not os.path.isfile(path):
            raise RuntimeError(f"Dataset metadata file not found: {path}")
        meta = restricted_load(path)
        key = self.meta["key"]
        if not isinstance(meta, dict) or key not in meta:
            raise RuntimeError(f"{path}: CIFAR meta file without the key '{key}'")
        self.classes = [c.decode("latin1") if isinstance(c, bytes) else str(c)
                        for c in meta[key]]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    # ---- samples
    def _image(self, index):
        return self.data[check_index(index, len(self.data), type(self).__name__)]


class CIFAR100(CIFAR10):
    """`CIFAR-100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ (fine labels): as
    :class:`CIFAR10` with ``root/cifar-100-python/{train,test,meta}`` or the archive
    ``cifar-100-python.tar.gz``."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    train_list = [["train"]]
    test_list = [["test"]]
    meta = {"filename": "meta", "key": "fine_label_names"}
    _label_key = "fine_labels"
