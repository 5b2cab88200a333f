"""``ember.utils``: helpers outside the tensor core (``ember.utils.data``, ``viz`` …)."""
from . import data, viz
