"""SparseAdam: Adam for sparse gradients (ember has no sparse tensors yet, so a step with
a (dense) gradient raises PyTorch's error for dense gradients)."""
from .optimizer import Optimizer, _check_betas, _check_lr, _eval_closure

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """PyTorch's ``torch.optim.SparseAdam``: construction and validation as in PyTorch;
    ``step`` raises ``RuntimeError`` on dense gradients (every ember gradient is dense)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_lr(lr, strict=True)
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Raises for every dense gradient, as PyTorch does."""
        loss = _eval_closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
        return loss
