"""Model registry (``list_models``, ``get_model`` …) and the ``weights=`` machinery.

ember never touches the network. A ``weights=`` argument is resolved like this:

* ``None`` (the default): random initialisation, as in torchvision.
* a path (``str`` ending in ``.pth``/``.pt``/``.pth.tar``/``.bin``/``.ckpt``, a ``str`` naming an
  existing file, or an ``os.PathLike``): the file is read with :func:`ember.load` (it may be
  written by ``torch.save``) and loaded with ``load_state_dict`` (strict).
* a weights enum member (``ResNet18_Weights.IMAGENET1K_V1``), its name (``"IMAGENET1K_V1"``,
  ``"DEFAULT"``, ``"ResNet18_Weights.IMAGENET1K_V1"``): the checkpoint is looked up in the
  torch hub cache (``$TORCH_HOME/hub/checkpoints``, default ``~/.cache/torch/hub/checkpoints``)
  under the file name of its URL, so files that torchvision downloaded before are reused. If it
  is not there, :class:`RuntimeError` says where to download it and how to load it.
"""
import enum
import fnmatch
import os
import warnings

__all__ = ["Weights", "WeightsEnum", "register_model", "list_models", "get_model",
           "get_model_builder", "get_model_weights", "get_weight"]

BUILTIN_MODELS = {}

_PATH_SUFFIXES = (".pth", ".pt", ".pth.tar", ".bin", ".ckpt", ".tar")


class Weights:
    """One set of pretrained weights: ``url`` (where torchvision publishes the checkpoint),
    ``transforms`` (a callable building the inference preset) and ``meta`` (a dict:
    ``num_params``, ``min_size``, ``_metrics`` …)."""

    __slots__ = ("url", "transforms", "meta")

    def __init__(self, url, transforms, meta):
        self.url = url
        self.transforms = transforms
        self.meta = meta

    def __eq__(self, other):
        if not isinstance(other, Weights):
            return NotImplemented
        return self.url == other.url and self.meta == other.meta

    def __hash__(self):
        return hash(self.url)

    def __repr__(self):
        return f"Weights(url={self.url!r})"


class WeightsEnum(enum.Enum):
    """Base class of the per-model weights enums (``ResNet18_Weights`` …).

    >>> from ember.vision.models import ResNet18_Weights
    >>> ResNet18_Weights.DEFAULT
    ResNet18_Weights.IMAGENET1K_V1
    >>> ResNet18_Weights.verify("IMAGENET1K_V1").meta["num_params"]
    11689512
    """

    @classmethod
    def verify(cls, obj):
        """Turn ``obj`` (``None``, a member, or a member's name) into a member of ``cls``."""
        if obj is None:
            return None
        if type(obj) is str:
            name = obj.replace(cls.__name__ + ".", "")
            try:
                return cls[name]
            except KeyError:
                raise KeyError(
                    f"{obj!r} is not a member of {cls.__name__}; valid names: "
                    f"{', '.join(cls.__members__)}. To load a checkpoint file pass its path, "
                    f"e.g. weights='model.pth'") from None
        if not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but "
                            f"received {obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        """The checkpoint's state_dict, read from the torch hub cache; ember never downloads."""
        return _load_cached(self)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


# ----------------------------------------------------------------------------- registry


def register_model(name=None):
    """Decorator adding a model builder to the registry under ``name`` (default: its name)."""
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models, optionally only those built in ``module`` and
    filtered with shell-style patterns (``include`` first, then ``exclude``).

    >>> from ember.vision.models import list_models
    >>> list_models(include="resnet1*")
    ['resnet101', 'resnet152', 'resnet18']
    """
    names = {k for k, v in BUILTIN_MODELS.items()
             if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        if isinstance(include, str):
            include = [include]
        chosen = set()
        for pat in include:
            chosen |= set(fnmatch.filter(names, pat))
    else:
        chosen = names
    if exclude:
        if isinstance(exclude, str):
            exclude = [exclude]
        for pat in exclude:
            chosen -= set(fnmatch.filter(names, pat))
    return sorted(chosen)


def get_model_builder(name):
    """The builder function registered under ``name`` (case-insensitive)."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """Build the model registered under ``name`` with ``config`` as keyword arguments.

    >>> from ember.vision.models import get_model
    >>> m = get_model("resnet18", num_classes=10)
    >>> m.fc.out_features
    10
    """
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The weights enum class of a model, given its builder or its registered name."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    enum_cls = getattr(fn, "_weights_enum", None)
    if enum_cls is None:
        raise ValueError(f"The model {getattr(fn, '__name__', fn)!r} has no weights enum.")
    return enum_cls


def get_weight(name):
    """A weights enum member from its full name, e.g. ``"ResNet50_Weights.IMAGENET1K_V2"``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    for fn in BUILTIN_MODELS.values():
        enum_cls = getattr(fn, "_weights_enum", None)
        if enum_cls is not None and enum_cls.__name__ == enum_name:
            return enum_cls[value_name]
    raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be "
                     f"retrieved.")


# ----------------------------------------------------------------------------- weights


class _LocalWeights:
    """A checkpoint file given as ``weights=``."""

    __slots__ = ("path",)

    def __init__(self, path):
        self.path = path


def _looks_like_path(obj):
    if isinstance(obj, os.PathLike):
        return True
    if isinstance(obj, str):
        return (obj.lower().endswith(_PATH_SUFFIXES) or os.sep in obj or "/" in obj
                or os.path.isfile(obj))
    return False


def _resolve(weights, enum_cls, builder, kwargs):
    """Normalise ``weights`` (and the legacy ``pretrained=`` kwarg) for ``builder``."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        default = enum_cls.IMAGENET1K_V1 if enum_cls is not None else None
        if pretrained and weights is None:
            if enum_cls is None:
                raise ValueError(f"No weights available for model {builder}")
            weights = default
            warnings.warn(f"The parameter 'pretrained' is deprecated, please use 'weights' "
                          f"instead. The equivalent is `weights={default!r}`.", UserWarning,
                          stacklevel=3)
        else:
            warnings.warn("The parameter 'pretrained' is deprecated, please use 'weights' "
                          "instead (`weights=None` for no pretrained weights).", UserWarning,
                          stacklevel=3)
    if weights is None:
        return None
    if isinstance(weights, _LocalWeights):
        return weights
    if _looks_like_path(weights):
        path = os.fspath(weights)
        if not os.path.isfile(path):        # fail before building a large model
            raise FileNotFoundError(f"weights file not found: {path!r}")
        return _LocalWeights(path)
    if enum_cls is None:
        raise RuntimeError(
            f"{builder}() has no published pretrained weights (got weights={weights!r}); pass "
            f"weights=None, or the path of a checkpoint file, e.g. weights='{builder}.pth'")
    return enum_cls.verify(weights)


def _hub_checkpoint_dir():
    home = os.environ.get("TORCH_HOME")
    if not home:
        cache = os.environ.get("XDG_CACHE_HOME", os.path.join("~", ".cache"))
        home = os.path.join(cache, "torch")
    return os.path.join(os.path.expanduser(home), "hub", "checkpoints")


def _load_file(path):
    from ... import serialization
    if not os.path.isfile(path):
        raise FileNotFoundError(f"weights file not found: {path!r}")
    return serialization.load(path, map_location="cpu")


def _cached_path(member):
    """Where the torch hub cache keeps ``member``'s checkpoint; RuntimeError if absent."""
    url = member.url
    fname = url.rsplit("/", 1)[-1]
    cached = os.path.join(_hub_checkpoint_dir(), fname)
    if os.path.isfile(cached):
        return cached
    raise RuntimeError(
        f"ember cannot download pretrained weights ({member!r} lives at {url}) and the file "
        f"is not in the torch hub cache ({cached}). Download it on a machine with network "
        f"access, then load it from the file:\n"
        f"    model.load_state_dict(ember.load({fname!r}))\n"
        f"or pass its path as weights={fname!r}, or copy it into {_hub_checkpoint_dir()}.")


def _load_cached(member):
    return _load_file(_cached_path(member))


def _load_weights(model, weights):
    """Load resolved ``weights`` (None, a file, or an enum member) into ``model``."""
    if weights is None:
        return model
    if isinstance(weights, _LocalWeights):
        state = _load_file(weights.path)
    else:
        state = _load_cached(weights)
    if not isinstance(state, dict):
        raise TypeError(f"expected the checkpoint to hold a state_dict (a dict of tensors), "
                        f"got {type(state).__name__}")
    model.load_state_dict(state)
    return model


def _ovewrite_named_param(kwargs, param, new_value):
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got "
                             f"{kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _prepare(weights, enum_cls, builder, kwargs, num_classes_from_weights=True):
    """Shared builder prologue: resolve weights and fix ``num_classes`` for enum weights."""
    weights = _resolve(weights, enum_cls, builder, kwargs)
    if (num_classes_from_weights and isinstance(weights, WeightsEnum)
            and weights.meta["_num_classes"] is not None):
        _ovewrite_named_param(kwargs, "num_classes", weights.meta["_num_classes"])
    if isinstance(weights, WeightsEnum):
        _cached_path(weights)               # fail before building a large model
    return weights


def _attach(enum_cls):
    """Decorator recording a builder's weights enum (for ``get_model_weights``)."""
    def wrap(fn):
        fn._weights_enum = enum_cls
        return fn
    return wrap


def _make_weights_enum(name, members, default, module):
    """Create a ``WeightsEnum`` subclass ``name`` with ``members`` (name -> Weights) and a
    ``DEFAULT`` alias of ``default``."""
    body = dict(members)
    body["DEFAULT"] = members[default]
    cls = WeightsEnum(name, body, module=module)
    return cls


class _Meta(dict):
    """Weights metadata; explains the keys ember leaves out instead of a bare KeyError."""

    def __missing__(self, key):
        if key == "categories":
            raise KeyError("categories: ember does not ship the ImageNet-1K class names; "
                           "load them from your own list (index i is the model's output i)")
        raise KeyError(key)


def _imagenet(url, num_params, min_size, acc1, acc5, resize_size=256, num_classes=1000,
              **preset):
    from functools import partial

    from ._presets import ImageClassification
    return Weights(
        url=url, transforms=partial(ImageClassification, crop_size=224, resize_size=resize_size,
                                    **preset),
        meta=_Meta({"num_params": num_params, "min_size": min_size,
                    "_num_classes": num_classes,
                    "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}}))

