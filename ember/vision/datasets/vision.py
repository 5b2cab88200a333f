"""The base class of the vision datasets: :class:`VisionDataset` (``root``, ``transform``,
``target_transform``, ``transforms`` and a torchvision-style ``repr``) and
:class:`StandardTransform`, which applies ``transform`` to the sample and
``target_transform`` to the target."""
import os

from ...utils.data import Dataset
from ._utils import to_image

__all__ = ["VisionDataset", "StandardTransform"]


def _indent_repr(obj, head):
    lines = repr(obj).splitlines() or [""]
    return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]


class VisionDataset(Dataset):
    """Base class of the vision datasets; subclasses define ``__getitem__`` and ``__len__``.

    Args:
        root: where the dataset lives (a ``str`` gets ``~`` expanded; only shown in the
            ``repr`` by this base class).
        transforms: callable ``(sample, target) -> (sample, target)``.
        transform: callable applied to the sample.
        target_transform: callable applied to the target.

    ``transforms`` and the pair ``transform``/``target_transform`` are mutually exclusive
    (``ValueError``).

    >>> from ember.vision.datasets import VisionDataset
    >>> class Two(VisionDataset):
    ...     def __len__(self): return 2
    ...     def __getitem__(self, i): return i, 0
    >>> print(Two("data"))
    Dataset Two
        Number of datapoints: 2
        Root location: data
    """

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_transforms = transforms is not None
        has_separate = transform is not None or target_transform is not None
        if has_transforms and has_separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __repr__(self):
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body.append(repr(self.transforms))   # continuation lines stay unindented
        pad = " " * self._repr_indent
        return "\n".join(["Dataset " + type(self).__name__] + [pad + line for line in body])

    def _format_transform_repr(self, transform, head):
        return _indent_repr(transform, head)

    def extra_repr(self):
        """Extra lines for the ``repr`` (for example the split)."""
        return ""


class _SplitImages(VisionDataset):
    """Base of the datasets that hold every image in ``self.data`` (indexable, one image
    per row) with ``self.targets`` beside it and a train/test ``self.train`` split."""

    def _image(self, index):
        """The ``index``-th image as a uint8 NumPy array (H×W or H×W×C)."""
        return self.data[index].numpy()

    def __getitem__(self, index):
        """``(image, target)``: the image as the backend's type, the target an int."""
        img, target = to_image(self._image(index)), int(self.targets[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class StandardTransform:
    """``(sample, target) -> (transform(sample), target_transform(target))``, either callable
    may be ``None``.

    >>> from ember.vision.datasets.vision import StandardTransform
    >>> StandardTransform(None, lambda t: t + 1)("img", 1)
    ('img', 2)
    """

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def _format_transform_repr(self, transform, head):
        return _indent_repr(transform, head)

    def __repr__(self):
        body = [type(self).__name__]
        if self.transform is not None:
            body += _indent_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += _indent_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)
