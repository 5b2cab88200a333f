"""Classify variable-length token sequences with ``nn.TransformerEncoder``.

The task is generated: each sequence holds filler tokens plus exactly one ``A`` and one
``B`` at random places; the label says whether ``A`` comes before ``B``. A bag of words
cannot solve it (both orders hold the same tokens), so the model has to use positions: token
embeddings plus learned positional embeddings go through a 2-layer encoder
(``batch_first=True``), whose outputs are mean-pooled over the real tokens and fed to a
linear classifier. Sequences have different lengths, so each batch is padded and
``src_key_padding_mask`` (True = padding) keeps attention off the padding; the pooling
leaves it out too.

Stated result: held-out accuracy ≥ 90% with --quick.

    python examples/transformer_classify.py [--quick] [--steps N] [--d-model D] [--layers L]
"""
import argparse
import time

import ember as torch
import ember.nn as nn
import ember.nn.functional as F

PAD, A, B = 0, 1, 2
N_FILLER = 8            # filler tokens are 3 .. 3 + N_FILLER - 1
VOCAB = 3 + N_FILLER


def make_batch(batch_size, min_len, max_len, generator=None):
    """Padded token ids (batch, max_len), padding mask (True = pad), labels (A before B)."""
    lengths = torch.randint(min_len, max_len + 1, (batch_size,), generator=generator)
    tokens = torch.randint(3, VOCAB, (batch_size, max_len), generator=generator)
    positions = torch.arange(max_len).expand(batch_size, max_len)
    padding_mask = positions >= lengths.unsqueeze(1)
    tokens[padding_mask] = PAD
    # two distinct random places inside each sequence for A and B
    first = (torch.rand(batch_size, generator=generator) * lengths).long()
    offset = 1 + (torch.rand(batch_size, generator=generator) * (lengths - 1)).long()
    second = (first + offset) % lengths
    rows = torch.arange(batch_size)
    tokens[rows, first] = A
    tokens[rows, second] = B
    labels = (first < second).long()
    return tokens, padding_mask, labels


class TransformerClassifier(nn.Module):
    def __init__(self, vocab_size, d_model, nhead, num_layers, max_len, num_classes=2,
                 dropout=0.1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model, padding_idx=PAD)
        self.pos_embed = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2 * d_model,
                                           dropout=dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, tokens, padding_mask):
        positions = torch.arange(tokens.size(1), device=tokens.device)
        x = self.embed(tokens) + self.pos_embed(positions)
        x = self.encoder(x, src_key_padding_mask=padding_mask)
        keep = (~padding_mask).unsqueeze(-1).to(x.dtype)
        pooled = (x * keep).sum(1) / keep.sum(1)          # mean over the real tokens
        return self.head(self.norm(pooled))


def evaluate(model, tokens, padding_mask, labels):
    model.eval()
    with torch.no_grad():
        logits = model(tokens, padding_mask)
        loss = F.cross_entropy(logits, labels).item()
        accuracy = (logits.argmax(1) == labels).float().mean().item()
    model.train()
    return loss, accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    parser.add_argument("--steps", type=int, default=None, help="training batches")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--d-model", type=int, default=32)
    parser.add_argument("--nhead", type=int, default=4)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--min-len", type=int, default=4)
    parser.add_argument("--max-len", type=int, default=12)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    steps = args.steps or (100 if args.quick else 1500)

    torch.manual_seed(args.seed)
    test_gen = torch.Generator().manual_seed(args.seed + 12345)
    test_set = make_batch(1000, args.min_len, args.max_len, generator=test_gen)

    model = TransformerClassifier(VOCAB, args.d_model, args.nhead, args.layers, args.max_len)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()
    print(f"{sum(p.numel() for p in model.parameters())} parameters")

    start = time.time()
    for step in range(1, steps + 1):
        tokens, padding_mask, labels = make_batch(args.batch_size, args.min_len, args.max_len)
        optimizer.zero_grad()
        logits = model(tokens, padding_mask)
        loss = criterion(logits, labels)
        loss.backward()
        optimizer.step()
        if step % max(steps // 5, 1) == 0:
            train_acc = (logits.argmax(1) == labels).float().mean().item()
            print(f"step {step:5d} ({time.time() - start:.1f}s)  train loss {loss.item():.4f}  "
                  f"batch accuracy {train_acc:.1%}")
    test_loss, test_acc = evaluate(model, *test_set)
    print(f"held-out accuracy: {test_acc:.1%} on {len(test_set[2])} sequences")
    return {"accuracy": test_acc, "test_loss": test_loss, "train_loss": loss.item()}


if __name__ == "__main__":
    main()
