"""``torch.utils.data._utils.fetch``'s names (the code is in ``ember.utils.data._fetch``)."""
from .._fetch import _IterableDatasetFetcher, _MapDatasetFetcher

__all__ = ["_IterableDatasetFetcher", "_MapDatasetFetcher"]
