"""``ember.nn``: PyTorch's neural-network API (modules, functional, init)."""
from . import functional, init, utils  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _mods_all
from .parameter import Buffer, Parameter

__all__ = ["Parameter", "Buffer", "functional", "init", "utils"] + list(_mods_all)
