"""ember.utils.viz.make_dot against the graph real PyTorch records for the same program.

The oracle side walks torch's ``grad_fn`` / ``next_functions`` graph directly (what
torchviz draws); the ember side is read back from the DOT text with a small parser of our
own, which also checks the text is well-formed DOT (and ``dot`` itself checks it when
Graphviz is installed).
"""
import os
import shutil
import stat
import subprocess
import sys
import time
import types
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from ember.utils import viz
from ember.utils.viz import Digraph, ExecutableNotFound, make_dot

GREEN, GREEN3, BLUE, ORANGE = "darkolivegreen1", "darkolivegreen3", "lightblue", "orange"

# torch node names that ember records under another name (none left: add one here, with
# the reason, if a graph test needs it)
_RENAME = {}


# --- a tiny DOT reader: tokenizer + statement parser -------------------------------------
def _tokens(text):
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("//", i):
            i = text.index("\n", i) if "\n" in text[i:] else n
        elif c == '"':
            j, out = i + 1, []
            while True:
                if j >= n:
                    raise AssertionError(f"unterminated string at {i}")
                if text[j] == "\\" and j + 1 < n:
                    nxt = text[j + 1]
                    out.append({'"': '"', "\\": "\\", "n": "\n"}.get(nxt, "\\" + nxt))
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    out.append(text[j])
                    j += 1
            yield ("str", "".join(out))
            i = j + 1
        elif text.startswith("->", i):
            yield ("op", "->")
            i += 2
        elif c in "{}[]=;,":
            yield ("op", c)
            i += 1
        else:
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_.-" or ord(text[j]) > 127):
                if text.startswith("->", j):
                    break
                j += 1
            if j == i:
                raise AssertionError(f"unexpected character {c!r} at {i}")
            yield ("id", text[i:j])
            i = j


def parse_dot(text):
    """``(nodes, edges, defaults)``: ``nodes`` id -> attrs (each declared exactly once),
    ``edges`` a list of ``(tail, head, attrs)``. Raises AssertionError on malformed text."""
    toks = list(_tokens(text))
    pos = 0

    def take(kind=None, val=None):
        nonlocal pos
        assert pos < len(toks), "unexpected end of DOT text"
        t = toks[pos]
        if kind is not None:
            assert t[0] in kind, f"expected {kind}, got {t}"
        if val is not None:
            assert t[1] == val, f"expected {val!r}, got {t}"
        pos += 1
        return t

    def attrs():
        out = {}
        if pos < len(toks) and toks[pos] == ("op", "["):
            take()
            while toks[pos] != ("op", "]"):
                k = take(("id", "str"))[1]
                take("op", "=")
                out[k] = take(("id", "str"))[1]
                if toks[pos] in (("op", ","), ("op", ";")):
                    take()
            take("op", "]")
        return out

    if toks[0] == ("id", "strict"):
        take()
    take("id", "digraph")
    if toks[pos][0] in ("id", "str"):
        take()
    take("op", "{")
    nodes, edges, defaults = {}, [], {}
    while toks[pos] != ("op", "}"):
        kind, name = take(("id", "str"))
        if kind == "id" and name in ("graph", "node", "edge"):
            defaults[name] = attrs()
        elif toks[pos] == ("op", "->"):
            take()
            head = take(("id", "str"))[1]
            edges.append((name, head, attrs()))
        elif toks[pos] == ("op", "="):
            take()
            take(("id", "str"))
        else:
            assert name not in nodes, f"node {name} declared twice"
            nodes[name] = attrs()
        if pos < len(toks) and toks[pos] == ("op", ";"):
            take()
    take("op", "}")
    assert pos == len(toks), "text after the closing brace"
    return nodes, edges, defaults


def check_dot(g):
    """Parse ``g``'s DOT text; when Graphviz is installed, let ``dot`` parse it too."""
    text = g.source
    assert text.count("{") >= 1 and text.rstrip().endswith("}")
    parsed = parse_dot(text)
    exe = shutil.which("dot")
    if exe is not None:
        r = subprocess.run([exe, "-Tcanon"], input=text.encode(), capture_output=True)
        assert r.returncode == 0, r.stderr.decode()
    return parsed


# --- the two sides ------------------------------------------------------------------------
def torch_graph(outputs, params=None):
    """What torchviz draws for torch ``outputs``, as multisets."""
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    names = {id(v): k for k, v in (params or {}).items()}
    fns, edges, leaves, seen = Counter(), Counter(), Counter(), set()
    stack = [o.grad_fn for o in outputs if o.grad_fn is not None]
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        name = _RENAME.get(type(fn).__name__, type(fn).__name__)
        fns[name] += 1
        if hasattr(fn, "variable"):
            leaves[(names.get(id(fn.variable), ""), tuple(fn.variable.shape))] += 1
        for u, _ in fn.next_functions:
            if u is not None:
                edges[(_RENAME.get(type(u).__name__, type(u).__name__), name)] += 1
                stack.append(u)
    outs = Counter()
    for o in {id(o): o for o in outputs}.values():
        outs[(type(o.grad_fn).__name__ if o.grad_fn is not None else None,
              tuple(o.shape))] += 1
    return {"fns": fns, "edges": edges, "leaves": leaves, "outputs": outs}


def _label_name(label):
    return label.split("\n")[0]


def _label_var(label):
    name, _, shape = label.partition("\n ")
    return name, tuple(int(s) for s in shape.strip("()").split(",") if s.strip())


def ember_graph(g):
    """The same multisets, read back from ember's DOT text."""
    nodes, edges, _ = check_dot(g)
    colour = {k: a.get("fillcolor") for k, a in nodes.items()}
    label = {k: a["label"] for k, a in nodes.items()}
    fns = Counter(_label_name(label[k]) for k, c in colour.items() if c is None)
    fedges, leaves, outs = Counter(), Counter(), Counter()
    for tail, head, _ in edges:
        assert tail in nodes and head in nodes, f"edge {tail}->{head} to an undeclared node"
        ct, ch = colour[tail], colour[head]
        if ct is None and ch is None:
            fedges[(_label_name(label[tail]), _label_name(label[head]))] += 1
        elif ct == BLUE and ch is None:
            assert label[head] == "AccumulateGrad"
            leaves[_label_var(label[tail])] += 1
        elif ct is None and ch == GREEN:
            outs[(_label_name(label[tail]), _label_var(label[head])[1])] += 1
    for k, c in colour.items():
        if c == GREEN and not any(h == k and colour[t] is None for t, h, _ in edges):
            outs[(None, _label_var(label[k])[1])] += 1
    return {"fns": fns, "edges": fedges, "leaves": leaves, "outputs": outs}


def both(build, seed=0):
    """Run ``build(lib)`` -> (outputs, params) with ember and torch on the same data."""
    rng = np.random.default_rng(seed)
    data = {}

    def arr(name, *shape):
        if name not in data:
            data[name] = rng.standard_normal(shape).astype(np.float32)
        return data[name]

    res = {}
    for lib in (ember, torch):
        res[lib.__name__] = build(lib, arr)
    return res["ember"], res["torch"]


def assert_same_graph(build, **kw):
    (e_out, e_params), (t_out, t_params) = both(build)
    g = make_dot(e_out, params=e_params, **kw)
    assert ember_graph(g) == torch_graph(t_out, t_params)
    return g


# --- parity of the drawn structure ----------------------------------------------------------
def _affine_relu(lib, arr):
    w = lib.tensor(arr("w", 3, 4), requires_grad=True)
    b = lib.tensor(arr("b", 4), requires_grad=True)
    x = lib.tensor(arr("x", 3, 4))
    return (w * x + b).relu().sum(), {"w": w, "b": b}


def test_affine_relu_matches_torch():
    g = assert_same_graph(_affine_relu)
    nodes, _, _ = parse_dot(g.source)
    labels = sorted(a["label"] for a in nodes.values() if a.get("fillcolor") == BLUE)
    assert labels == ["b\n (4)", "w\n (3, 4)"]


def test_unnamed_leaves_are_labelled_by_shape():
    (e_out, _), (t_out, _) = both(_affine_relu)
    g = make_dot(e_out)
    assert ember_graph(g) == torch_graph(t_out)
    nodes, _, _ = parse_dot(g.source)
    labels = sorted(a["label"] for a in nodes.values() if a.get("fillcolor") == BLUE)
    assert labels == ["\n (3, 4)", "\n (4)"]
    (out,) = [a for a in nodes.values() if a.get("fillcolor") == GREEN]
    assert out["label"] == "\n ()"


def _mlp(lib, arr):
    lib.manual_seed(0)
    model = lib.nn.Sequential()
    model.add_module("W0", lib.nn.Linear(4, 5))
    model.add_module("tanh", lib.nn.Tanh())
    model.add_module("W1", lib.nn.Linear(5, 1))
    y = model(lib.tensor(arr("x", 2, 4)))
    return y.mean(), dict(model.named_parameters())


def test_mlp_matches_torch():
    g = assert_same_graph(_mlp)
    nodes, _, _ = parse_dot(g.source)
    labels = sorted(a["label"] for a in nodes.values() if a.get("fillcolor") == BLUE)
    assert labels == ["W0.bias\n (5)", "W0.weight\n (5, 4)", "W1.bias\n (1)",
                      "W1.weight\n (1, 5)"]


def _conv(lib, arr):
    conv, bn = lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2)
    y = lib.nn.functional.max_pool2d(bn(conv(lib.tensor(arr("x", 2, 1, 5, 5)))).relu(), 2)
    params = {"conv." + k: v for k, v in conv.named_parameters()}
    params.update({"bn." + k: v for k, v in bn.named_parameters()})
    return y.flatten(1).sum(), params


def test_conv_graph_matches_torch():
    assert_same_graph(_conv)


def _shared(lib, arr):
    a = lib.tensor(arr("a", 3), requires_grad=True)
    return (a * a + a.exp()).sum(), {"a": a}


def test_shared_input_edges_counted_twice():
    g = assert_same_graph(_shared)
    eg = ember_graph(g)
    assert eg["edges"][("AccumulateGrad", "MulBackward0")] == 2
    assert eg["fns"]["AccumulateGrad"] == 1         # one node per graph node


def _two_outputs(lib, arr):
    w = lib.tensor(arr("w", 2, 3), requires_grad=True)
    h = (w * 2).tanh()
    return (h.sum(), (h * h).mean(), h.sum()[None]), {"w": w}


def test_multiple_outputs_match_torch():
    g = assert_same_graph(_two_outputs)
    nodes, _, _ = parse_dot(g.source)
    assert sum(a.get("fillcolor") == GREEN for a in nodes.values()) == 3


def test_list_of_outputs_and_repeated_output():
    (e_out, e_p), (t_out, t_p) = both(_two_outputs)
    g = make_dot([e_out[0], e_out[0], e_out[1]], params=e_p)
    assert ember_graph(g) == torch_graph([t_out[0], t_out[0], t_out[1]], t_p)


def test_output_without_grad():
    g = make_dot(ember.ones(2, 3))
    nodes, edges, _ = check_dot(g)
    assert [a["label"] for a in nodes.values()] == ["\n (2, 3)"]
    assert [a["fillcolor"] for a in nodes.values()] == [GREEN]
    assert edges == []


def test_leaf_output_is_green_alone_and_blue_inside_a_graph():
    w = ember.ones(2, requires_grad=True)
    nodes, _, _ = check_dot(make_dot(w, params={"w": w}))
    assert [(a["label"], a["fillcolor"]) for a in nodes.values()] == [("w\n (2)", GREEN)]
    # reached through AccumulateGrad too: torchviz ends up drawing it as a parameter
    for outs in ((w, w.sum()), (w.sum(), w)):
        nodes, _, _ = check_dot(make_dot(outs, params={"w": w}))
        assert nodes[str(id(w))]["fillcolor"] == BLUE


def test_view_output_draws_its_base():
    out = {}
    for lib in (ember, torch):
        w = lib.ones(3, 4, requires_grad=True)
        h = w * 2
        v = h[1]
        out[lib.__name__] = (h, v)
    th, tv = out["torch"]
    assert tv._is_view() and tv._base is th
    eh, ev = out["ember"]
    g = make_dot(ev)
    nodes, edges, _ = check_dot(g)
    assert nodes[str(id(eh))]["fillcolor"] == GREEN3
    assert nodes[str(id(eh))]["label"] == "\n (3, 4)"
    assert (str(id(eh)), str(id(ev)), {"style": "dotted"}) in edges
    # the base's own history is drawn as well: edge MulBackward0 -> base
    assert (str(id(eh.grad_fn)), str(id(eh)), {}) in edges
    assert nodes[str(id(eh.grad_fn))]["label"] == type(th.grad_fn).__name__


class _Square:
    """The same custom Function on both libraries."""

    @staticmethod
    def make(lib):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                ctx.k = k
                ctx.note = "n" * 80
                return x * x * k

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * ctx.k * x * g, None
        return Square


def _custom(lib, arr):
    w = lib.tensor(arr("w", 2, 3), requires_grad=True)
    return _Square.make(lib).apply(w.exp(), 3.0).sum(), {"w": w}


def test_custom_function_matches_torch_and_draws_saved_tensors():
    (e_out, e_p), (t_out, t_p) = both(_custom)
    g = make_dot(e_out, params=e_p)
    assert ember_graph(g) == torch_graph(t_out, t_p)
    tfn = t_out.grad_fn.next_functions[0][0]
    assert type(tfn).__name__ == "SquareBackward"
    nodes, edges, _ = parse_dot(g.source)
    efn = e_out.grad_fn.next_functions[0][0]
    saved = [(t, h, a) for t, h, a in edges if h == str(id(efn)) and a.get("dir") == "none"]
    assert len(saved) == len(tfn.saved_tensors) == 1
    assert nodes[saved[0][0]] == {"label": "\n (2, 3)", "fillcolor": ORANGE}


def test_show_attrs_table_layout():
    (e_out, _), _ = both(_custom)
    efn = e_out.grad_fn.next_functions[0][0]
    g = make_dot(e_out, show_attrs=True, max_attr_chars=12)
    nodes, _, _ = parse_dot(g.source)
    lines = nodes[str(id(efn))]["label"].split("\n")
    # sorted keys, padded to the longest; values right-aligned, cut at 12 with "..."
    assert lines == ["SquareBackward",
                     "-" * 30,
                     "k               :          3.0",
                     "note            : nnnnnnnnn...",
                     "saved_tensors[0]: [saved te..."]
    # max_attr_chars below 3 still leaves room for the ellipsis
    tiny = parse_dot(make_dot(e_out, show_attrs=True, max_attr_chars=0).source)[0]
    assert tiny[str(id(efn))]["label"].split("\n")[3].endswith(": ...")


@pytest.mark.parametrize("op", ["mul", "div", "exp", "relu", "tanh", "sigmoid", "sin",
                                "log", "sqrt", "abs"])
def test_saved_values_named_like_torch(op):
    res = {}
    for lib in (ember, torch):
        w = lib.tensor(np.full((2, 3), 1.5, np.float32), requires_grad=True)
        x = lib.tensor(np.full((2, 3), 2.0, np.float32))
        y = getattr(w, op)(x) if op in ("mul", "div") else getattr(w, op)()
        res[lib.__name__] = y
    ty = res["torch"]
    # torch: the grad_fn's _saved_* attributes (what torchviz reads)
    want_attrs, want_saved = {}, Counter()
    for a in dir(ty.grad_fn):
        if a.startswith("_saved_"):
            val = getattr(ty.grad_fn, a)
            want_attrs[a[7:]] = "[saved tensor]" if torch.is_tensor(val) else str(val)
            if torch.is_tensor(val) and val is ty.grad_fn.next_functions[0][0].variable:
                # torch hands back the leaf itself, and torchviz re-declares that node as
                # the (blue, unnamed) leaf when it reaches its AccumulateGrad
                want_saved[("\n (2, 3)", BLUE)] += 1
            elif torch.is_tensor(val):
                shape = tuple(val.shape)
                want_saved[(f"{a[7:]}\n {shape}".replace(",)", ")"), ORANGE)] += 1
    ey = res["ember"]
    nodes, edges, _ = check_dot(make_dot(ey, show_attrs=True, show_saved=True))
    label = nodes[str(id(ey.grad_fn))]["label"].split("\n")
    assert label[0] == type(ty.grad_fn).__name__
    got = {r.split(":")[0].strip(): r.split(":", 1)[1].strip() for r in label[2:]}
    assert got == want_attrs
    fid = str(id(ey.grad_fn))
    saved = Counter((nodes[h]["label"], nodes[h]["fillcolor"]) for t, h, a in edges
                    if t == fid and a == {"dir": "none"})
    assert saved == want_saved


def _torch_saved(fn):
    """``{attr: value}`` of torch node ``fn``'s ``_saved_*`` attributes (torchviz's source)."""
    return {a[7:]: getattr(fn, a) for a in dir(fn) if a.startswith("_saved_")}


_MULTI = {
    "mm": lambda L, a, b, c: a @ b,
    "bmm": lambda L, a, b, c: L.bmm(a[None], b[None]),
    "addmm": lambda L, a, b, c: L.addmm(c, a, b),
    "mv": lambda L, a, b, c: L.mv(a, b[0]),
    "dot": lambda L, a, b, c: L.dot(a[0], b[0]),
    "conv": lambda L, a, b, c: L.nn.functional.conv2d(a[None, None], b[None, None, :2, :2]),
    "addcmul": lambda L, a, b, c: L.addcmul(a, b, c),
    "addcdiv": lambda L, a, b, c: L.addcdiv(a, b, c),
    "pow": lambda L, a, b, c: a.abs() ** b,
    "where": lambda L, a, b, c: L.where(c > 0, a, b),
    "atan2": lambda L, a, b, c: L.atan2(a, b),
    "maximum": lambda L, a, b, c: L.maximum(a, b),
    "softmax": lambda L, a, b, c: a.softmax(0),
}


@pytest.mark.parametrize("op", sorted(_MULTI))
def test_saved_tensors_named_like_torch(op):
    res = {}
    for lib in (ember, torch):
        leaves = [lib.tensor(arr, requires_grad=True) for arr in
                  np.random.default_rng(0).standard_normal((3, 3, 3)).astype(np.float32)]
        res[lib.__name__] = _MULTI[op](lib, *[t * 1 for t in leaves])   # saved: not leaves
    ty, ey = res["torch"], res["ember"]
    want = Counter((f"{k}\n {tuple(v.shape)}".replace(",)", ")"), ORANGE)
                   for k, v in _torch_saved(ty.grad_fn).items() if torch.is_tensor(v))
    nodes, edges, _ = check_dot(make_dot(ey, show_saved=True))
    fid = str(id(ey.grad_fn))
    assert nodes[fid]["label"] == type(ty.grad_fn).__name__
    got = Counter((nodes[h]["label"], nodes[h]["fillcolor"]) for t, h, a in edges
                  if t == fid and a == {"dir": "none"})
    assert got == want


def test_saved_tensors_under_hooks_match_torch():
    res = {}
    for lib in (ember, torch):
        a = lib.ones(2, 3, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(),
                                                     lambda p: p * 1):
            y = (a * a).exp()
        res[lib.__name__] = y
    want = Counter()
    fn = res["torch"].grad_fn
    while fn is not None and type(fn).__name__ != "AccumulateGrad":
        for attr in dir(fn):
            if attr.startswith("_saved_") and torch.is_tensor(getattr(fn, attr)):
                want[(f"{attr[7:]}\n (2, 3)", ORANGE)] += 1
        fn = fn.next_functions[0][0]
    nodes, edges, _ = check_dot(make_dot(res["ember"], show_saved=True, show_attrs=True))
    got = Counter((nodes[h]["label"], nodes[h]["fillcolor"]) for _, h, a in edges
                  if a == {"dir": "none"})
    assert got == want == Counter({("self\n (2, 3)", ORANGE): 1,
                                   ("other\n (2, 3)", ORANGE): 1,
                                   ("result\n (2, 3)", ORANGE): 1})


def test_show_saved_off_draws_no_saved_tensors():
    (e_out, e_p), _ = both(_affine_relu)
    nodes, edges, _ = parse_dot(make_dot(e_out, params=e_p).source)
    assert ORANGE not in {a.get("fillcolor") for a in nodes.values()}
    assert all("dir" not in a for _, _, a in edges)


def test_saved_tensors_after_backward_are_gone():
    w = ember.ones(3, requires_grad=True)
    y = w.exp().sum()
    before = parse_dot(make_dot(y, show_saved=True).source)[0]
    assert ORANGE in {a.get("fillcolor") for a in before.values()}
    y.backward()
    nodes, _, _ = check_dot(make_dot(y, show_saved=True, show_attrs=True))
    assert ORANGE not in {a.get("fillcolor") for a in nodes.values()}


def test_saved_tensor_that_is_a_parameter_stays_blue():
    w = ember.ones(3, requires_grad=True)
    x = ember.ones(3, requires_grad=True)
    nodes, edges, _ = check_dot(make_dot(w * x, params={"w": w}, show_saved=True))
    assert nodes[str(id(w))] == {"label": "w\n (3)", "fillcolor": BLUE}
    assert nodes[str(id(x))] == {"label": "\n (3)", "fillcolor": BLUE}
    assert sum(a == {"dir": "none"} for _, _, a in edges) == 2


# --- hypothesis: random small programs ------------------------------------------------------
_UNARY = ["exp", "tanh", "relu", "sigmoid", "neg", "sin"]
_BINARY = ["add", "mul", "sub"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_UNARY + _BINARY), st.integers(0, 10)),
                min_size=1, max_size=8),
       st.integers(1, 3))
def test_random_programs_match_torch(prog, n_leaves):
    def build(lib, arr):
        leaves = [lib.tensor(arr(f"p{i}", 2, 3), requires_grad=True) for i in range(n_leaves)]
        vals = list(leaves)
        for op, k in prog:
            a = vals[k % len(vals)]
            if op in _BINARY:
                vals.append(getattr(a, op)(vals[(k * 7 + 1) % len(vals)]))
            else:
                vals.append(getattr(a, op)())
        return vals[-1].sum(), {f"p{i}": t for i, t in enumerate(leaves)}
    assert_same_graph(build)


# --- deep graphs ------------------------------------------------------------------------------
def test_deep_chain_is_walked_without_recursion():
    x = ember.ones(2, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        t0 = time.perf_counter()
        g = make_dot(y, params={"x": x})
        src = g.source
        took = time.perf_counter() - t0
    finally:
        sys.setrecursionlimit(old)
    assert took < 5
    assert src.count("[label=MulBackward0]") == 10_000
    nodes, edges, _ = parse_dot(src)
    assert len(nodes) == 10_000 + 3          # muls, AccumulateGrad, x, y
    assert len(edges) == 10_000 + 2


# --- escaping -----------------------------------------------------------------------------------
def test_labels_are_escaped():
    w = ember.ones(2, requires_grad=True)
    weird = 'we"ird\\name <lt> {x} [y];\nnext -> line'
    g = make_dot(w.sum(), params={weird: w})
    nodes, _, _ = check_dot(g)
    assert nodes[str(id(w))]["label"] == weird + "\n (2)"


def test_digraph_quotes_ids_and_attributes():
    g = Digraph(name="my graph", comment="a\nb", graph_attr={"rankdir": "LR"})
    for name in ["node", "a b", 'q"uote', "back\\slash", "<html>", "-1.5", "x_1", "é"]:
        g.node(name, label=name + "!")
    g.edge("node", "a b", label="e;1", color="red")
    g.attr("node", shape="ellipse")
    g.attr(rankdir="TB")
    src = str(g)
    assert src.startswith("// a\n// b\ndigraph \"my graph\" {")
    nodes, edges, defaults = parse_dot(src)
    assert {k: a["label"] for k, a in nodes.items()} == {
        k: k + "!" for k in ["node", "a b", 'q"uote', "back\\slash", "<html>", "-1.5", "x_1",
                             "é"]}
    assert edges == [("node", "a b", {"label": "e;1", "color": "red"})]
    assert defaults == {"graph": {"rankdir": "LR"}, "node": {"shape": "ellipse"}}
    assert '\t"node" [label="node!"]' in src        # a keyword is always quoted
    assert "\tx_1 [label=\"x_1!\"]" in src and "\t-1.5 " in src
    with pytest.raises(ValueError, match="'nodes'"):
        g.attr("nodes", color="red")


def test_digraph_helpers():
    g = Digraph(strict=True)
    g.edges([("a", "b"), ("b", "c")])
    assert parse_dot(g.source)[1] == [("a", "b", {}), ("b", "c", {})]
    assert g.source.startswith("strict digraph {")
    assert list(g) == g.source.splitlines(keepends=True)
    assert "2 statements" in repr(g)
    g.clear()
    assert g.body == [] and parse_dot(g.source) == ({}, [], {})


def test_graph_size_grows_with_the_graph():
    small = parse_dot(make_dot(ember.ones(1, requires_grad=True).sum()).source)[2]
    assert small["graph"]["size"] == "12,12"
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(100):
        y = y + 1
    big = parse_dot(make_dot(y).source)[2]
    n = 100 + 3 + 100 + 2                   # nodes + edges
    assert big["graph"]["size"] == f"{0.15 * n:g},{0.15 * n:g}"
    assert big["node"]["shape"] == "box" and big["node"]["style"] == "filled"


# --- bad input ---------------------------------------------------------------------------------
def test_bad_var_and_params():
    w = ember.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="got int"):
        make_dot(3)
    with pytest.raises(TypeError, match=r"var\[1\].*ndarray"):
        make_dot((w.sum(), np.ones(2)))
    with pytest.raises(TypeError, match="got list"):
        make_dot(w.sum(), params=[w])
    with pytest.raises(TypeError, match=r"params\['w'\].*ndarray"):
        make_dot(w.sum(), params={"w": np.ones(2)})
    with pytest.raises(TypeError):
        make_dot(torch.ones(2))          # not an ember tensor


# --- files and Graphviz ------------------------------------------------------------------------
@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH with no Graphviz on it."""
    empty = tmp_path / "emptybin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def _script(path, body):
    path.write_text("#!" + sys.executable + "\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def fake_dot(monkeypatch, tmp_path):
    """A stand-in ``dot`` on PATH: records its arguments and input, answers with SVG."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    log = tmp_path / "dot.log"
    _script(bindir / "dot", f"""import sys
data = sys.stdin.buffer.read()
with open({str(log)!r}, "wb") as f:
    f.write(repr(sys.argv[1:]).encode() + b"\\n" + data)
if "-Tbad" in sys.argv:
    sys.stderr.write("Format: \\"bad\\" not recognized")
    sys.exit(1)
sys.stdout.buffer.write(b"<svg>" + str(len(data)).encode() + b"</svg>")
""")
    monkeypatch.setenv("PATH", str(bindir))
    return log


def _graph():
    w = ember.ones(2, requires_grad=True)
    return make_dot((w * 3).sum(), params={"w": w})


def test_save_writes_the_dot_text(tmp_path):
    g = _graph()
    path = g.save(tmp_path / "sub" / "g.gv")
    assert path == os.path.join(str(tmp_path / "sub"), "g.gv")
    assert open(path, encoding="utf-8").read() == g.source
    path2 = g.save("h.dot", directory=tmp_path)
    assert open(path2).read() == g.source
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert g.save() == "Digraph.gv" and (tmp_path / "Digraph.gv").exists()
    finally:
        os.chdir(cwd)


def test_without_graphviz_render_and_pipe_raise(no_dot, tmp_path):
    g = _graph()
    with pytest.raises(ExecutableNotFound, match="'dot'") as e:
        g.render(tmp_path / "g")
    assert isinstance(e.value, RuntimeError)
    assert not (tmp_path / "g").exists()               # failed before writing anything
    with pytest.raises(RuntimeError, match="'dot'.*PATH"):
        g.pipe()
    with pytest.raises(ExecutableNotFound):
        g.view(tmp_path / "g")
    assert g._repr_svg_() is None
    assert g.save(tmp_path / "ok.gv")                  # the text needs no Graphviz


def test_pipe_and_render_run_dot(fake_dot, tmp_path):
    g = _graph()
    src = g.source.encode()
    assert g.pipe() == b"<svg>%d</svg>" % len(src)
    args, data = fake_dot.read_bytes().split(b"\n", 1)
    assert args == b"['-Tsvg']" and data == src
    assert g.pipe("png", encoding="ascii") == "<svg>%d</svg>" % len(src)
    assert fake_dot.read_bytes().startswith(b"['-Tpng']")
    assert g._repr_svg_().startswith("<svg>")

    out = g.render(tmp_path / "pic", format="pdf")
    assert out == str(tmp_path / "pic") + ".pdf"
    assert open(out, "rb").read().startswith(b"<svg>")
    assert (tmp_path / "pic").read_text() == g.source
    out = g.render("pic2", directory=tmp_path, cleanup=True)
    assert out == os.path.join(str(tmp_path), "pic2.svg") and os.path.exists(out)
    assert not (tmp_path / "pic2").exists()

    with pytest.raises(ValueError, match="unknown format"):
        g.pipe("s v g")
    with pytest.raises(subprocess.CalledProcessError, match="not recognized"):
        g.pipe("bad")


def test_view_opens_the_picture(fake_dot, tmp_path, monkeypatch):
    opened = tmp_path / "opened.txt"
    _script(tmp_path / "fakebin" / "xdg-open",
            f"import sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n")
    monkeypatch.setattr(sys, "platform", "linux")
    out = _graph().view(tmp_path / "v")
    deadline = time.time() + 10
    while not opened.exists() and time.time() < deadline:
        time.sleep(0.02)
    assert opened.read_text() == out == str(tmp_path / "v") + ".svg"


def test_to_graphviz(monkeypatch):
    g = _graph()
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ModuleNotFoundError, match="graphviz"):
        g.to_graphviz()
    calls = []
    fake = types.ModuleType("graphviz")
    fake.Source = lambda source, **kw: calls.append((source, kw)) or "src"
    monkeypatch.setitem(sys.modules, "graphviz", fake)
    assert g.to_graphviz() == "src"
    assert calls == [(g.source, {"filename": "Digraph.gv", "directory": "",
                                 "format": "svg", "engine": "dot"})]


def test_public_names():
    assert set(viz.__all__) == {"make_dot", "Digraph", "ExecutableNotFound",
                                "CalledProcessError"}
    assert issubclass(viz.CalledProcessError, subprocess.CalledProcessError)
    assert issubclass(ExecutableNotFound, RuntimeError)
