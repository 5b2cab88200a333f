"""``ember.vision``: torchvision's shape on ember — ``models``, ``datasets``,
``transforms`` and ``utils`` (``make_grid``, ``save_image``).

``import ember.vision as torchvision`` is meant to work for the parts listed here.
"""
from . import datasets, models, transforms, utils
from ._backend import get_image_backend, set_image_backend

__all__ = ["datasets", "models", "transforms", "utils", "get_image_backend",
           "set_image_backend"]
