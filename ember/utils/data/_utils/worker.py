"""``torch.utils.data._utils.worker``'s public names (the code is in
``ember.utils.data._worker``)."""
from .._worker import WorkerInfo, get_worker_info

__all__ = ["WorkerInfo", "get_worker_info"]
