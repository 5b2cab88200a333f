"""``ember.utils.viz``: a picture of the autograd graph, the way torchviz draws one.

:func:`make_dot` walks the graph behind one or more output tensors (``grad_fn`` and
``next_functions``) and returns a :class:`Digraph` that holds the graph as DOT text, the
language of Graphviz. Reading, saving and printing the text needs nothing else; turning it
into a picture (``render``, ``pipe``, a notebook's SVG) runs Graphviz's ``dot`` program
when it is installed. ember itself never needs the ``graphviz`` Python package; when it is
installed, :meth:`Digraph.to_graphviz` hands the text to it.

What the picture shows (torchviz's conventions)::

    grey boxes         one per graph node, named like "MulBackward0"
    lightblue          the leaf tensors that require grad (behind each AccumulateGrad),
                       named from ``params`` and with their shape
    darkolivegreen1    the outputs; darkolivegreen3 the base of an output that is a view
    orange             tensors saved for backward (with ``show_saved=True``; those of
                       a custom ``autograd.Function`` always)
    arrows             from each input's node to the node that consumes it
"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

from .._tensor import Tensor
from ..autograd.function import BackwardCFunction
from ..autograd.node import AccumulateGrad
from ..autograd.saved import SavedHooked, SavedOutput

__all__ = ["make_dot", "Digraph", "ExecutableNotFound", "CalledProcessError"]

# --- colours and default attributes -----------------------------------------------------
_OUTPUT = "darkolivegreen1"
_BASE = "darkolivegreen3"
_PARAM = "lightblue"
_SAVED = "orange"

# one tensor can play several roles: the strongest one decides its colour and label
_PRIO = {_SAVED: 0, _BASE: 1, _OUTPUT: 2, _PARAM: 3}

_NODE_ATTR = {"style": "filled", "shape": "box", "fontsize": "10", "height": "0.2",
              "fontname": "monospace"}
_MIN_SIZE = 12          # inches of the picture's bounding box ...
_SIZE_PER_ROW = 0.15    # ... growing with the number of statements


# --- DOT text ---------------------------------------------------------------------------
_PLAIN_ID = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z_0-9\u0080-\U0010ffff]*\Z")
_NUMERAL = re.compile(r"-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)\Z")
_KEYWORDS = frozenset(("node", "edge", "graph", "digraph", "subgraph", "strict"))


def _quote(value):
    """``value`` as a DOT ID: bare when it is a plain name or number, else a quoted string
    in which quotes and backslashes are escaped and line breaks become ``\\n``."""
    s = str(value)
    if (_PLAIN_ID.match(s) or _NUMERAL.match(s)) and s.lower() not in _KEYWORDS:
        return s
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{s}"'


def _attr_list(attrs):
    """``[k=v k=v]`` (with a leading space), or ``''`` when there are none."""
    items = [f"{_quote(k)}={_quote(v)}" for k, v in attrs.items() if v is not None]
    return f" [{' '.join(items)}]" if items else ""


class ExecutableNotFound(RuntimeError):
    """Graphviz's layout program (``dot``) is not installed or not on ``PATH``."""

    def __init__(self, engine="dot"):
        super().__init__(
            f"failed to execute {engine!r}: the Graphviz executable {engine!r} was not found "
            "on PATH. Install Graphviz (e.g. 'apt-get install graphviz' or 'brew install "
            "graphviz') to render pictures; without it the DOT text is still available "
            "as .source and can be written with .save(filename).")
        self.engine = engine


class CalledProcessError(subprocess.CalledProcessError):
    """Graphviz exited with an error; its message (stderr) is part of ``str()``."""

    def __str__(self):
        err = self.stderr
        if isinstance(err, bytes):
            err = err.decode("utf-8", "replace")
        base = super().__str__()
        return f"{base} [stderr: {err.strip()!r}]" if err else base


_FORMAT = re.compile(r"[A-Za-z0-9_.+-]+(?::[A-Za-z0-9_.+-]+)*\Z")


class Digraph:
    """A directed graph as DOT text: a small stand-in for ``graphviz.Digraph``.

    Build it with :meth:`node`, :meth:`edge` and :meth:`attr`; read the text from
    :attr:`source` (or ``str(g)``), write it with :meth:`save`, and get a picture with
    :meth:`pipe` / :meth:`render` / :meth:`view`, which run Graphviz's ``engine``
    program (``dot``) and raise :class:`ExecutableNotFound` when it is not installed.

    >>> g = Digraph(node_attr={"shape": "box"})
    >>> g.node("a", "x * y")
    >>> g.edge("a", "b")
    >>> print(g.source.replace(chr(9), "  "))
    digraph {
      node [shape=box]
      a [label="x * y"]
      a -> b
    }
    <BLANKLINE>
    """

    def __init__(self, name=None, comment=None, filename=None, directory="", format="svg",
                 engine="dot", encoding="utf-8", graph_attr=None, node_attr=None,
                 edge_attr=None, body=None, strict=False):
        self.name = name
        self.comment = comment
        self.filename = filename if filename is not None else \
            (f"{name}.gv" if name else "Digraph.gv")
        self.directory = directory
        self.format = format
        self.engine = engine
        self.encoding = encoding
        self.graph_attr = dict(graph_attr or {})
        self.node_attr = dict(node_attr or {})
        self.edge_attr = dict(edge_attr or {})
        self.body = list(body or [])
        self.strict = strict

    # --- building -------------------------------------------------------------------
    def node(self, name, label=None, _attributes=None, **attrs):
        """Add (or re-declare) node ``name`` with an optional ``label`` and attributes."""
        a = {"label": label} if label is not None else {}
        a.update(_attributes or {})
        a.update(attrs)
        self.body.append(f"\t{_quote(name)}{_attr_list(a)}")

    def edge(self, tail_name, head_name, label=None, _attributes=None, **attrs):
        """Add an edge ``tail_name -> head_name``."""
        a = {"label": label} if label is not None else {}
        a.update(_attributes or {})
        a.update(attrs)
        self.body.append(f"\t{_quote(tail_name)} -> {_quote(head_name)}{_attr_list(a)}")

    def edges(self, tail_head_iter):
        """Add one edge per ``(tail, head)`` pair."""
        for tail, head in tail_head_iter:
            self.edge(tail, head)

    def attr(self, kw=None, _attributes=None, **attrs):
        """Set graph attributes (``kw=None``) or add a ``graph``/``node``/``edge``
        default-attribute statement."""
        if kw is not None and kw not in ("graph", "node", "edge"):
            raise ValueError(f"attr statement must target graph, node, or edge: {kw!r}")
        a = dict(_attributes or {})
        a.update(attrs)
        if kw is None:
            self.body.extend(f"\t{_quote(k)}={_quote(v)}" for k, v in a.items())
        else:
            self.body.append(f"\t{kw}{_attr_list(a)}")

    def clear(self, keep_attrs=False):
        """Drop the body (and the default attributes unless ``keep_attrs``)."""
        self.body = []
        if not keep_attrs:
            self.graph_attr, self.node_attr, self.edge_attr = {}, {}, {}

    # --- the text -------------------------------------------------------------------
    @property
    def source(self):
        """The DOT text of the graph."""
        lines = []
        if self.comment:
            lines.extend(f"// {c}" for c in str(self.comment).splitlines())
        head = "strict digraph" if self.strict else "digraph"
        lines.append(f"{head} {_quote(self.name)} {{" if self.name else f"{head} {{")
        for kw, attrs in (("graph", self.graph_attr), ("node", self.node_attr),
                          ("edge", self.edge_attr)):
            if attrs:
                lines.append(f"\t{kw}{_attr_list(attrs)}")
        lines.extend(self.body)
        lines.append("}")
        return "\n".join(lines) + "\n"

    def __str__(self):
        return self.source

    def __iter__(self):
        """The lines of :attr:`source`."""
        return iter(self.source.splitlines(keepends=True))

    def __repr__(self):
        n = len(self.body)
        return f"<ember.utils.viz.Digraph with {n} statement{'s' * (n != 1)}>"

    def _path(self, filename, directory):
        filename = self.filename if filename is None else os.fspath(filename)
        directory = self.directory if directory is None else os.fspath(directory)
        return os.path.join(directory, filename) if directory else filename

    def save(self, filename=None, directory=None):
        """Write the DOT text to ``directory/filename`` (default ``self.filename``,
        ``'Digraph.gv'``) and return the path."""
        path = self._path(filename, directory)
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding=self.encoding) as f:
            f.write(self.source)
        return path

    # --- pictures (need Graphviz) ---------------------------------------------------
    def _executable(self):
        exe = shutil.which(self.engine)
        if exe is None:
            raise ExecutableNotFound(self.engine)
        return exe

    def _check_format(self, format):
        fmt = self.format if format is None else format
        if not isinstance(fmt, str) or not _FORMAT.match(fmt):
            raise ValueError(f"unknown format: {fmt!r} (expected an output format of "
                             "Graphviz such as 'svg', 'png' or 'pdf')")
        return fmt

    def pipe(self, format=None, encoding=None):
        """Run Graphviz on the text and return the picture: bytes, or ``str`` decoded with
        ``encoding`` when given. Raises :class:`ExecutableNotFound` without Graphviz."""
        fmt = self._check_format(format)
        exe = self._executable()
        cmd = [exe, f"-T{fmt}"]
        proc = subprocess.run(cmd, input=self.source.encode(self.encoding),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise CalledProcessError(proc.returncode, cmd, output=proc.stdout,
                                 stderr=proc.stderr)
        return proc.stdout.decode(encoding) if encoding is not None else proc.stdout

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None):
        """Save the DOT text to ``directory/filename``, draw it into
        ``<that path>.<format>`` with Graphviz and return the picture's path.
        ``cleanup=True`` deletes the DOT file afterwards; ``view=True`` opens the picture."""
        fmt = self._check_format(format)
        self._executable()                      # fail before writing anything
        src = self.save(filename, directory)
        data = self.pipe(fmt)
        out = f"{src}.{fmt}"
        with open(out, "wb") as f:
            f.write(data)
        if cleanup:
            os.remove(src)
        if view:
            _open_file(out)
        return out

    def view(self, filename=None, directory=None, cleanup=False):
        """Render the picture and open it with the system's viewer; returns its path."""
        return self.render(filename, directory, view=True, cleanup=cleanup)

    def _repr_svg_(self):
        """The picture as SVG for notebooks, or None (text repr) without Graphviz."""
        if shutil.which(self.engine) is None:
            return None
        return self.pipe("svg", encoding="utf-8")

    def to_graphviz(self):
        """The same graph as a ``graphviz.Source`` (needs the ``graphviz`` package)."""
        try:
            import graphviz
        except ImportError as e:
            raise ModuleNotFoundError(
                "Digraph.to_graphviz() needs the optional 'graphviz' Python package "
                "(pip install graphviz); the DOT text itself is available as .source",
                name="graphviz") from e
        return graphviz.Source(self.source, filename=self.filename, directory=self.directory,
                               format=self.format, engine=self.engine)


def _open_file(path):
    """Open ``path`` with the platform's default viewer (in the background)."""
    if sys.platform.startswith("win"):
        os.startfile(os.path.normpath(path))    # noqa: S606 - the documented way on Windows
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    exe = shutil.which(opener)
    if exe is None:
        raise RuntimeError(f"cannot open {path!r}: the viewer launcher {opener!r} was not "
                           "found on PATH")
    subprocess.Popen([exe, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --- make_dot ---------------------------------------------------------------------------
def _size_str(shape):
    return "(" + ", ".join(str(int(d)) for d in shape) + ")"


# PyTorch's names of the inputs of ops whose inputs are not simply (self, other)
_INPUT_NAMES = {
    "MmBackward0": ("self", "mat2"),
    "BmmBackward0": ("self", "mat2"),
    "AddmmBackward0": ("self", "mat1", "mat2"),
    "MvBackward0": ("self", "vec"),
    "DotBackward0": ("self", "tensor"),
    "ConvolutionBackward0": ("input", "weight", "bias"),
    "AddcmulBackward0": ("self", "tensor1", "tensor2"),
    "AddcdivBackward0": ("self", "tensor1", "tensor2"),
    "PowBackward1": ("self", "exponent"),
    "LerpBackward0": ("self", "end", "weight"),
    "LerpBackward1": ("self", "end", "weight"),
    "WhereBackward0": ("condition", "self", "other"),
}


def _saved_entries(fn):
    """``[(name, entry)]`` of what an op node saved for backward, without unpacking.

    ember's ops keep saved values positionally (the op's ``save`` list): they are named
    ``result`` (the op's output) and, for inputs, as PyTorch names them for the ops in
    ``_INPUT_NAMES``, else ``self`` (input 0), ``other`` (input 1) or ``input<i>``.
    Custom Functions' saved tensors are named ``saved_tensors[<k>]``. A graph whose saved
    values were freed by ``backward()`` has none.
    """
    saved = getattr(fn, "_saved", None)
    if not saved:
        return []
    if _is_custom(fn):
        return [(f"saved_tensors[{k}]", e) for k, e in enumerate(saved)]
    spec = getattr(type(fn), "save", None)
    if spec is None or len(spec) != len(saved):
        spec = [-1 - e.nr if type(e) is SavedOutput else k for k, e in enumerate(saved)]
    inputs = _INPUT_NAMES.get(fn.name(), ("self", "other"))
    names = []
    for i in spec:
        if i < 0:
            names.append("result" if i == -1 else f"result{-1 - i}")
        else:
            names.append(inputs[i] if i < len(inputs) else f"input{i}")
    return list(zip(names, saved))


def _is_custom(fn):
    return isinstance(fn, BackwardCFunction)


def _entry_tensor(entry):
    """``(key_object, shape)`` of a saved entry that holds a tensor, else None.

    ``key_object``'s id names the picture's node: the saved input tensor itself, or the
    entry that stores an op's own output (unpacking it would build a new tensor)."""
    if type(entry) is tuple and len(entry) == 2 and isinstance(entry[0], Tensor):
        return entry[0], tuple(entry[0].shape)
    if type(entry) is SavedOutput:
        return entry, tuple(entry.data.shape)
    if type(entry) is SavedHooked:
        try:
            t = entry.unpack(entry.packed)
        except Exception:       # a hook that fails here would fail in backward too
            return None
        if isinstance(t, Tensor):
            return t, tuple(t.shape)
    return None


def _holds_tensor(entry):
    """Whether a saved entry stands for a tensor (checked without unpacking it)."""
    t = type(entry)
    return t is SavedOutput or t is SavedHooked or (
        t is tuple and len(entry) == 2 and isinstance(entry[0], Tensor))


def _attr_text(value):
    """What ``show_attrs`` prints for one saved value or attribute."""
    if isinstance(value, Tensor):
        return "[saved tensor]"
    if isinstance(value, (tuple, list)) and any(isinstance(v, Tensor) for v in value):
        return "[saved tensors]"
    if isinstance(value, np.ndarray):
        return "[saved array]" if value.ndim else str(value.item())
    return " ".join(str(value).split("\n"))


def _fn_label(fn, show_attrs, max_attr_chars):
    """The node's name, followed with ``show_attrs`` by a table of what it saved."""
    name = fn.name()
    if not show_attrs:
        return name
    attrs = {}
    if type(fn) is not AccumulateGrad:
        for key, entry in _saved_entries(fn):
            attrs[key] = "[saved tensor]" if _holds_tensor(entry) else _attr_text(entry)
        for key, value in getattr(fn, "__dict__", {}).items():
            if key.startswith("_") or callable(value) or key in attrs:
                continue
            attrs[key] = _attr_text(value)
    if not attrs:
        return name
    width = max(max_attr_chars, 3)
    keys = sorted(attrs)
    col1 = max(len(k) for k in keys)
    col2 = min(max(len(attrs[k]) for k in keys), width)
    rows = []
    for k in keys:
        v = attrs[k]
        if len(v) > col2:
            v = v[:col2 - 3] + "..."
        rows.append(f"{k.ljust(col1)}: {v.rjust(col2)}")
    rule = "-" * max(col1 + col2 + 2, len(name))
    return "\n".join([name, rule] + rows)


def _check_var(var):
    if isinstance(var, Tensor):
        return [var]
    if isinstance(var, (tuple, list)):
        for i, v in enumerate(var):
            if not isinstance(v, Tensor):
                raise TypeError(f"make_dot(): var[{i}] must be a Tensor, got "
                                f"{type(v).__name__}")
        return list(var)
    raise TypeError("make_dot(): var must be a Tensor or a tuple/list of Tensors, got "
                    f"{type(var).__name__}")


def _check_params(params):
    if params is None:
        return {}
    if not hasattr(params, "items"):
        raise TypeError("make_dot(): params must be a dict of name -> Tensor (e.g. "
                        f"dict(model.named_parameters())), got {type(params).__name__}")
    out = {}
    for k, v in params.items():
        if not isinstance(v, Tensor):
            raise TypeError(f"make_dot(): params[{k!r}] must be a Tensor, got "
                            f"{type(v).__name__}")
        out[id(v)] = str(k)
    return out


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """Draw the autograd graph that produced ``var`` (torchviz's ``make_dot``).

    Args:
        var: an output Tensor, or a tuple/list of them.
        params: optional dict ``name -> Tensor`` (e.g. ``dict(model.named_parameters())``)
            that names the leaf tensors; unnamed ones are labelled by their shape.
        show_attrs: list, under each node's name, the values it saved for backward.
        show_saved: draw the tensors saved for backward as orange nodes.
        max_attr_chars: the longest attribute value shown (longer ones end in ``...``).

    Returns a :class:`Digraph`: ``.source`` is the DOT text, ``.render()`` draws it with
    Graphviz. Each graph node appears once (named by the ``id()`` of its object), with an
    arrow from every input's node to the node that consumes it; the walk is iterative, so
    arbitrarily deep graphs work.

    >>> import ember
    >>> x = ember.ones(3, requires_grad=True)
    >>> g = make_dot((x * 2).sum(), params={"x": x})
    >>> g.source.startswith("digraph {")
    True
    >>> "MulBackward0" in g.source and "SumBackward0" in g.source
    True
    """
    outputs = _check_var(var)
    names = _check_params(params)
    max_attr_chars = int(max_attr_chars)

    keep = []          # every object whose id() names a node stays alive until the end
    nodes = {}         # node id -> [label, fillcolor or None]
    edges = []         # (tail id, head id, attrs)
    seen_fns = set()
    seen_tensors = set()

    def tensor_node(t, shape, color, name=None):
        key = str(id(t))
        if not name:
            name = names.get(id(t), "")
        label = f"{name}\n {_size_str(shape)}"
        old = nodes.get(key)
        if old is None:
            keep.append(t)
            nodes[key] = [label, color]
        elif _PRIO[color] > _PRIO[old[1] or _SAVED]:
            nodes[key] = [label, color]
        return key

    def walk(root):
        stack = [root]
        while stack:
            fn = stack.pop()
            if id(fn) in seen_fns:
                continue
            seen_fns.add(id(fn))
            keep.append(fn)
            fid = str(id(fn))
            custom = _is_custom(fn)
            if show_saved and not custom and type(fn) is not AccumulateGrad:
                for attr, entry in _saved_entries(fn):
                    hit = _entry_tensor(entry)
                    if hit is not None:
                        tid = tensor_node(hit[0], hit[1], _SAVED, attr)
                        edges.append((fid, tid, {"dir": "none"}))
            if type(fn) is AccumulateGrad:
                v = fn.variable
                seen_tensors.add(id(v))
                vid = tensor_node(v, tuple(v.shape), _PARAM)
                edges.append((vid, fid, None))
            if fid not in nodes:
                nodes[fid] = [_fn_label(fn, show_attrs, max_attr_chars), None]
            nexts = [u for u, _ in fn.next_functions if u is not None]
            for u in nexts:
                edges.append((str(id(u)), fid, None))
            stack.extend(u for u in reversed(nexts) if id(u) not in seen_fns)
            if custom:
                for _, entry in _saved_entries(fn):
                    hit = _entry_tensor(entry)
                    if hit is not None:
                        tid = tensor_node(hit[0], hit[1], _SAVED)
                        edges.append((tid, fid, {"dir": "none"}))

    for out in outputs:
        t, color = out, _OUTPUT
        while t is not None and id(t) not in seen_tensors:
            seen_tensors.add(id(t))
            tid = tensor_node(t, tuple(t.shape), color)
            fn = t.grad_fn
            if fn is not None:
                walk(fn)
                edges.append((str(id(fn)), tid, None))
            base = t._base
            if base is not None:
                edges.append((str(id(base)), tid, {"style": "dotted"}))
            t, color = base, _BASE

    size = max(_MIN_SIZE, _SIZE_PER_ROW * (len(nodes) + len(edges)))
    dot = Digraph(node_attr=_NODE_ATTR,
                  graph_attr={"size": f"{size:g},{size:g}", "ranksep": "0.1"})
    for key, (label, color) in nodes.items():
        if color is None:
            dot.node(key, label)
        else:
            dot.node(key, label, fillcolor=color)
    for tail, head, attrs in edges:
        dot.edge(tail, head, _attributes=attrs)
    return dot
