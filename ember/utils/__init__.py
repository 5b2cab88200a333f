"""``ember.utils``: helpers outside the tensor core (``ember.utils.data`` …)."""
from . import data
