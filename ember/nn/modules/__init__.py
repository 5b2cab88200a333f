"""All module classes of ``ember.nn``."""
from .activation import *  # noqa: F401,F403
from .activation import __all__ as _a
from .container import *  # noqa: F401,F403
from .container import __all__ as _c
from .conv import *  # noqa: F401,F403
from .conv import __all__ as _cv
from .dropout import *  # noqa: F401,F403
from .dropout import __all__ as _d
from .fold import *  # noqa: F401,F403
from .fold import __all__ as _fo
from .linear import *  # noqa: F401,F403
from .linear import __all__ as _li
from .loss import *  # noqa: F401,F403
from .loss import __all__ as _lo
from .module import Module
from .transformer import *  # noqa: F401,F403
from .transformer import __all__ as _t
from .normalization import *  # noqa: F401,F403
from .normalization import __all__ as _n
from .pixelshuffle import *  # noqa: F401,F403
from .pixelshuffle import __all__ as _ps
from .pooling import *  # noqa: F401,F403
from .pooling import __all__ as _p
from .rnn import *  # noqa: F401,F403
from .rnn import __all__ as _r
from .sparse import *  # noqa: F401,F403
from .sparse import __all__ as _s

__all__ = ["Module"] + _a + _c + _cv + _d + _fo + _li + _lo + _n + _ps + _p + _r + _s + _t
