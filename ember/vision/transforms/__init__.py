"""``ember.vision.transforms``: torchvision's ``torchvision.transforms`` (v1 API) on ember
tensors, PIL images and NumPy images; ``functional`` holds the functional forms.

>>> import ember
>>> from ember.vision import transforms
>>> transforms.RandomHorizontalFlip(p=1.0)(ember.tensor([[[1, 2, 3]]]))
tensor([[[3, 2, 1]]])
"""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _all

__all__ = ["functional"] + list(_all)
