"""Variable-length sequences: pad_sequence and PackedSequence packing/unpacking."""
from collections import namedtuple

import numpy as np

import ember as E

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence"]


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Time-major packed data: ``data`` holds step 0 of every sequence, then step 1 of
    those still running, ...; ``batch_sizes[t]`` says how many run at step t."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = E.from_numpy(np.argsort(sorted_indices.numpy()).astype(np.int64))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        return type(self)(self.data.to(*args, **kwargs), self.batch_sizes, self.sorted_indices,
                          self.unsorted_indices)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _lengths(lengths):
    if isinstance(lengths, E.Tensor):
        return np.asarray(lengths.detach().numpy(), dtype=np.int64).reshape(-1)
    return np.asarray(list(lengths), dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (or (B, T, *) with ``batch_first``) of sequences with
    the given ``lengths``."""
    lens = _lengths(lengths)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_idx = None
        order = np.arange(len(lens))
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_idx = E.from_numpy(order.astype(np.int64))
    if batch_first:
        input = input.transpose(0, 1)
    if len(lens) and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if len(lens) != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lens)} (batch_size={input.shape[1]})")
    if lens.max() > input.shape[0]:
        raise RuntimeError(f"Start ({lens.max()}) + length must be <= input length")
    slens = lens[order]
    T = int(slens[0])
    bs = np.array([(slens > t).sum() for t in range(T)], dtype=np.int64)
    if sorted_idx is not None:
        input = input.index_select(1, sorted_idx)
    steps = [input[t, :int(bs[t])] for t in range(T)]
    data = E.cat(steps, 0)
    return PackedSequence(data, E.from_numpy(bs), sorted_idx, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: returns ``(padded, lengths)``."""
    data, bs = sequence.data, sequence.batch_sizes.numpy()
    T, B = len(bs), int(bs[0]) if len(bs) else 0
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {T}")
    else:
        total_length = T
    starts = np.concatenate([[0], np.cumsum(bs)])
    rows = []
    for t in range(total_length):
        if t < T:
            step = data[int(starts[t]):int(starts[t + 1])]
            n = int(bs[t])
        else:
            step, n = data[:0], 0
        if n < B:
            fill = E.full((B - n,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
            step = E.cat([step, fill], 0)
        rows.append(step)
    out = E.stack(rows, 0)
    lengths = np.array([(bs > b).sum() for b in range(B)], dtype=np.int64)
    if sequence.unsorted_indices is not None:
        out = out.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.numpy()]
    if batch_first:
        out = out.transpose(0, 1)
    return out, E.from_numpy(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length tensors (L_i, *) into (L_max, B, *) (or (B, L_max, *)),
    padding with ``padding_value``."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    L = max(s.shape[0] for s in sequences)
    out = []
    for s in sequences:
        extra = L - s.shape[0]
        if extra:
            fill = E.full((extra,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = E.cat([s, fill] if padding_side == "right" else [fill, s], 0)
        out.append(s)
    return E.stack(out, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length tensors."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths(lengths))]
