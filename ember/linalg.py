"""``ember.linalg``: the ``torch.linalg`` namespace (functions live in ``ember/ops/linalg.py``)."""
__all__ = []
