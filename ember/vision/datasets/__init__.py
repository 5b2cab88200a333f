"""``ember.vision.datasets``: torchvision's dataset readers on local files (ember never
downloads): :class:`MNIST`, :class:`FashionMNIST`, :class:`KMNIST`, :class:`CIFAR10`,
:class:`CIFAR100`, :class:`ImageFolder`, :class:`DatasetFolder`, :class:`FakeData`, and
ember's :class:`Digits` (scikit-learn's 8×8 digits, no download needed).

Images come out as PIL images (image backend ``'PIL'``, the default with Pillow) or uint8
NumPy arrays (``ember.vision.set_image_backend('numpy')``).
"""
from .cifar import CIFAR10, CIFAR100
from .digits import Digits
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import KMNIST, MNIST, FashionMNIST
from .vision import VisionDataset

__all__ = ["VisionDataset", "MNIST", "FashionMNIST", "KMNIST", "CIFAR10", "CIFAR100",
           "ImageFolder", "DatasetFolder", "FakeData", "Digits"]
