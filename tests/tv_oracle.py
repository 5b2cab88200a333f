"""torchvision as a test oracle beside the CPU build of torch.

PyPI's torchvision wheel carries a C extension (``torchvision._C``) built against torch's
CUDA build. Beside the CPU build pinned in the test extras that extension does not load,
and ``import torchvision`` then fails while registering fake/autograd kernels for the C
ops (``operator torchvision::nms does not exist``). The tests never call those C ops (nms,
roi_align, ...): they use torchvision's pure-Python models, transforms and datasets. So the
two registration modules are replaced by empty ones before the import.
"""
import sys
import types


def import_torchvision():
    """Import and return ``torchvision`` with its C-op registrations skipped."""
    if "torchvision" not in sys.modules:
        for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
            sys.modules.setdefault(name, types.ModuleType(name))
    import torchvision

    return torchvision
