"""PyTorch-style printing of tensors (placeholder, replaced by the full formatter)."""
import numpy as np


def tensor_repr(t):
    body = np.array2string(t._data, separator=", ", precision=4)
    parts = [f"tensor({body}"]
    if t._grad_fn is not None:
        parts.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        parts.append("requires_grad=True")
    return ", ".join(parts) + ")"
