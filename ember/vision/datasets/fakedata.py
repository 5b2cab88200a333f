"""FakeData: random images with random labels, the same for a given index every time."""
from ...ops.creation import randint, randn, tensor
from ...random import Generator
from ._utils import check_index, to_image
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """A dataset of random images (for smoke tests and benchmarks).

    Args:
        size: number of samples.
        image_size: ``(C, H, W)`` with C in 1..4 (or ``(H, W)``, one channel).
        num_classes: labels are drawn from ``0 .. num_classes-1``.
        transform: callable applied to the image.
        target_transform: callable applied to the label, given (as torchvision does) as a
            0-d int64 tensor; a result with ``.item()`` is turned into a Python number.
        random_offset: added to the index to seed each sample.

    Sample ``i`` is drawn as torchvision draws it: a standard normal C×H×W tensor from a
    generator seeded with ``i + random_offset``, times 255, cast to uint8 (wrapping, as
    ``Tensor.byte()`` does), then one ``randint`` label; the global random state is not
    touched. The values differ from torchvision's, whose generator is a different
    algorithm (ember's is PCG64), but are the same across runs and processes. ``ds[i]`` is
    ``(image, int label)``: a PIL image (``'L'``, ``'LA'``, ``'RGB'`` or ``'RGBA'`` by
    channel count) or a uint8 H×W / H×W×C array, by the image backend.

    >>> from ember.vision import datasets, get_image_backend, set_image_backend
    >>> old = get_image_backend(); set_image_backend("numpy")
    >>> ds = datasets.FakeData(size=4, image_size=(3, 5, 6), num_classes=3)
    >>> img, label = ds[2]
    >>> img.shape, img.dtype, 0 <= label < 3, bool((ds[2][0] == img).all())
    ((5, 6, 3), dtype('uint8'), True, True)
    >>> set_image_backend(old)
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def _sample(self, index):
        size = tuple(int(s) for s in self.image_size)
        if len(size) not in (2, 3):
            raise ValueError(f"FakeData image_size should be (C, H, W) or (H, W), got "
                             f"{self.image_size}")
        if len(size) == 3 and not 1 <= size[0] <= 4:
            raise ValueError(f"FakeData image_size {self.image_size}: an image has 1 to 4 "
                             f"channels, not {size[0]}")
        g = Generator().manual_seed(index + self.random_offset)
        img = randn(*size, generator=g).mul(255).byte().numpy()
        target = int(randint(0, self.num_classes, (1,), generator=g)[0])
        if img.ndim == 3:
            img = img[0] if img.shape[0] == 1 else img.transpose(1, 2, 0)
        return img, target

    def __getitem__(self, index):
        """``(image, label)`` of sample ``index`` (negative indices count from the end)."""
        index = check_index(index, len(self), type(self).__name__)
        img, target = self._sample(index)
        img = to_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(tensor(target))
            if hasattr(target, "item"):
                target = target.item()
        return img, target

    def __len__(self):
        return self.size
