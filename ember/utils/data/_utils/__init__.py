"""The module paths of ``torch.utils.data._utils`` (``collate``, ``worker``, ``fetch``), for
code that imports from them, e.g. to extend ``collate.default_collate_fn_map``."""
from . import collate, fetch, worker
