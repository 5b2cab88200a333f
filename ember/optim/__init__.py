"""``ember.optim``: PyTorch's optimizers and learning-rate schedulers.

Every optimizer follows PyTorch's ``param_groups`` / ``state`` / ``state_dict`` contract
and reproduces PyTorch's update arithmetic step for step, so training curves and
checkpoints carry over. ``foreach``/``fused``/``capturable``/``differentiable`` are
accepted for compatibility; there is one plain NumPy path.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam", "lr_scheduler"]
