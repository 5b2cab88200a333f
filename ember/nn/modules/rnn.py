"""RNN, LSTM, GRU and their cells, with PyTorch's parameter names and gate order.

The input-to-hidden product for every time step is one matmul per layer and direction;
only the hidden-to-hidden product runs per step. An LSTM or GRU layer (unpacked input) is
one fused op (``ember/ops/rnn.py``) whose backward computes the weight gradients as single
matmuls over all steps; packed sequences and the Elman RNN run as per-step graphs of ops.
"""
import math
import warnings

import numpy as np

import ember as E

from ...ops.rnn import gru_cell, gru_layer, lstm_cell, lstm_layer
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _is_packed(x):
    from ..utils.rnn import PackedSequence
    return isinstance(x, PackedSequence)


def _rnn_step(gi, h, w_hh, b_hh, relu):
    pre = gi + F.linear(h, w_hh, b_hh)
    return E.relu(pre) if relu else E.tanh(pre)


class RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be an integer greater than zero")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be an integer greater than zero")
        if not isinstance(proj_size, int) or proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        G = _GATES[mode] * hidden_size
        D = 2 if bidirectional else 1
        R = proj_size or hidden_size      # the size of the hidden state h
        f = {"device": device, "dtype": dtype}
        self._flat_weights_names = []
        for layer in range(num_layers):
            for d in range(D):
                sfx = "_reverse" if d else ""
                in_sz = input_size if layer == 0 else R * D
                names = [f"weight_ih_l{layer}{sfx}", f"weight_hh_l{layer}{sfx}"]
                shapes = [(G, in_sz), (G, R)]
                if bias:
                    names += [f"bias_ih_l{layer}{sfx}", f"bias_hh_l{layer}{sfx}"]
                    shapes += [(G,), (G,)]
                if proj_size:
                    names.append(f"weight_hr_l{layer}{sfx}")
                    shapes.append((proj_size, hidden_size))
                for n, s in zip(names, shapes):
                    setattr(self, n, Parameter(E.empty(s, **f)))
                self._flat_weights_names.extend(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def _weights(self, layer, d):
        sfx = "_reverse" if d else ""
        g = lambda n: getattr(self, f"{n}_l{layer}{sfx}")  # noqa: E731
        w_hr = g("weight_hr") if self.proj_size else None
        if self.bias:
            return g("weight_ih"), g("weight_hh"), g("bias_ih"), g("bias_hh"), w_hr
        return g("weight_ih"), g("weight_hh"), None, None, w_hr

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _run(self, input, hx, lengths=None):
        """Run all layers; ``hx`` is a list of per-(layer, direction) states (tensors or
        (h, c) pairs). With ``lengths`` (packed input, batch sorted by decreasing length)
        a sequence's state stops changing after its last step. Returns the output
        (L, N, D*H) and the final states."""
        D = 2 if self.bidirectional else 1
        L = input.shape[0]
        x = input
        finals = []
        masks = None
        if lengths is not None:
            masks = [E.from_numpy((lengths > t)[:, None]) for t in range(L)]
        for layer in range(self.num_layers):
            outs = []
            for d in range(D):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, d)
                state = hx[layer * D + d]
                if self.mode == "LSTM" and masks is None:
                    out, h, c = lstm_layer(F.linear(x, w_ih, b_ih), state[0], state[1],
                                           w_hh, b_hh, w_hr, reverse=bool(d))
                    finals.append((h, c))
                    outs.append(out)
                    continue
                if self.mode == "GRU" and masks is None:
                    out, h = gru_layer(F.linear(x, w_ih, b_ih), state, w_hh, b_hh,
                                       reverse=bool(d))
                    finals.append(h)
                    outs.append(out)
                    continue
                # one matmul for all steps; unbind (not indexing) so backward stacks the
                # per-step gradients once instead of adding L full-size zero-padded ones
                gi_all = F.linear(x, w_ih, b_ih).unbind(0)
                steps = range(L - 1, -1, -1) if d else range(L)
                hs = [None] * L
                for t in steps:
                    gi = gi_all[t]
                    if self.mode == "LSTM":
                        new = lstm_cell(gi, state[0], state[1], w_hh, b_hh, w_hr)
                        if masks is not None:
                            new = tuple(E.where(masks[t], a, b) for a, b in zip(new, state))
                        state = new
                        hs[t] = state[0]
                    else:
                        if self.mode == "GRU":
                            new = gru_cell(gi, state, w_hh, b_hh)
                        else:
                            new = _rnn_step(gi, state, w_hh, b_hh, self.mode == "RNN_RELU")
                        state = new if masks is None else E.where(masks[t], new, state)
                        hs[t] = state
                finals.append(state)
                if L:
                    outs.append(E.stack(hs, 0))
                else:
                    outs.append(x.new_zeros((0,) + tuple(x.shape[1:-1]) + (self.hidden_size,)))
            x = outs[0] if D == 1 else E.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, finals

    def _unpack(self, input, hx, n_states):
        """For a PackedSequence: the padded input in sorted batch order, lengths, and the
        initial states permuted into that order."""
        from ..utils.rnn import PackedSequence, pad_packed_sequence
        padded, _ = pad_packed_sequence(PackedSequence(input.data, input.batch_sizes))
        bs = input.batch_sizes.numpy()
        lengths = np.array([(bs > b).sum() for b in range(int(bs[0]))], dtype=np.int64)
        if hx is not None and input.sorted_indices is not None:
            if n_states == 2:
                hx = tuple(h.index_select(1, input.sorted_indices) for h in hx)
            else:
                hx = hx.index_select(1, input.sorted_indices)
        return padded, lengths, hx

    def _repack(self, input, out, states):
        from ..utils.rnn import PackedSequence
        bs = input.batch_sizes.numpy()
        data = E.cat([out[t, :int(bs[t])] for t in range(len(bs))], 0)
        if input.unsorted_indices is not None:
            states = [h.index_select(1, input.unsorted_indices) for h in states]
        return PackedSequence(data, input.batch_sizes, input.sorted_indices,
                              input.unsorted_indices), states

    def _prep(self, input, hx):
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D instead")
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        return input, batched

    def _zeros(self, input, size=None):
        D = 2 if self.bidirectional else 1
        return E.zeros((self.num_layers * D, input.shape[1], size or self.hidden_size),
                       dtype=input.dtype)

    def _check_hidden(self, h, input, batched, what="hx", size=None, which=None):
        D = 2 if self.bidirectional else 1
        if not batched:
            if h.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, {what} should also be 2-D but "
                                   f"got {h.dim()}-D tensor")
            h = h.unsqueeze(1)
        elif h.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, {what} should also be 3-D but got "
                               f"{h.dim()}-D tensor")
        expected = (self.num_layers * D, input.shape[1], size or self.hidden_size)
        if tuple(h.shape) != expected:
            name = "hidden" if which is None else f"hidden[{which}]"
            raise RuntimeError(f"Expected {name} size {expected}, got {list(h.shape)}")
        return h

    def _finish(self, out, batched):
        if not batched:
            return out.squeeze(1)
        return out.transpose(0, 1) if self.batch_first else out


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None,
                 proj_size=0):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if _is_packed(input):
            x, lengths, hx = self._unpack(input, hx, 1)
            h = self._zeros(x) if hx is None else self._check_hidden(hx, x, True)
            out, finals = self._run(x, list(h.unbind(0)), lengths)
            packed, (hn,) = self._repack(input, out, [E.stack(finals, 0)])
            return packed, hn
        input, batched = self._prep(input, hx)
        h = self._zeros(input) if hx is None else self._check_hidden(hx, input, batched)
        out, finals = self._run(input, list(h.unbind(0)))
        hn = E.stack(finals, 0)
        return self._finish(out, batched), (hn if batched else hn.squeeze(1))


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n in PyTorch's order)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, proj_size=0):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    forward = RNN.forward


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o in PyTorch's order); returns
    ``output, (h_n, c_n)``."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def _check_states(self, hx, input, batched):
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise RuntimeError("LSTM expects hx to be a tuple (h_0, c_0)")
        return (self._check_hidden(hx[0], input, batched, "hx[0]", self.proj_size, 0),
                self._check_hidden(hx[1], input, batched, "hx[1]", None, 1))

    def forward(self, input, hx=None):
        if _is_packed(input):
            x, lengths, hx = self._unpack(input, hx, 2)
            if hx is None:
                h, c = self._zeros(x, self.proj_size), self._zeros(x)
            else:
                h, c = self._check_states(hx, x, True)
            out, finals = self._run(x, list(zip(h.unbind(0), c.unbind(0))), lengths)
            hn = E.stack([st[0] for st in finals], 0)
            cn = E.stack([st[1] for st in finals], 0)
            packed, (hn, cn) = self._repack(input, out, [hn, cn])
            return packed, (hn, cn)
        input, batched = self._prep(input, hx)
        if hx is None:
            h, c = self._zeros(input, self.proj_size), self._zeros(input)
        else:
            h, c = self._check_states(hx, input, batched)
        out, finals = self._run(input, list(zip(h.unbind(0), c.unbind(0))))
        hn = E.stack([s[0] for s in finals], 0)
        cn = E.stack([s[1] for s in finals], 0)
        if not batched:
            hn, cn = hn.squeeze(1), cn.squeeze(1)
        return self._finish(out, batched), (hn, cn)


class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        f = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(E.empty((num_chunks * hidden_size, input_size), **f))
        self.weight_hh = Parameter(E.empty((num_chunks * hidden_size, hidden_size), **f))
        if bias:
            self.bias_ih = Parameter(E.empty(num_chunks * hidden_size, **f))
            self.bias_hh = Parameter(E.empty(num_chunks * hidden_size, **f))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _prep(self, input, hx):
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is not None and not batched:
            hx = tuple(h.unsqueeze(0) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(0)
        return input, hx, batched

    def _zeros(self, input):
        return E.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, hx, batched = self._prep(input, hx)
        h = self._zeros(input) if hx is None else hx
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        out = _rnn_step(gi, h, self.weight_hh, self.bias_hh, self.nonlinearity == "relu")
        return out if batched else out.squeeze(0)


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        input, hx, batched = self._prep(input, hx)
        h = self._zeros(input) if hx is None else hx
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        out = gru_cell(gi, h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        input, hx, batched = self._prep(input, hx)
        if hx is None:
            z = self._zeros(input)
            hx = (z, z)
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = lstm_cell(gi, hx[0], hx[1], self.weight_hh, self.bias_hh)
        if not batched:
            h, c = h.squeeze(0), c.squeeze(0)
        return h, c
