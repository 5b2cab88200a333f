"""A word-level LSTM language model, in the shape of PyTorch's ``word_language_model`` example.

The text is tokenised into word ids (``<eos>`` ends each line), the id stream is cut into
``batch_size`` parallel columns (``batchify``), and training walks down them in windows of
``bptt`` steps (``get_batch``), carrying the LSTM state from one window to the next but
detaching it (``repackage_hidden``) so backpropagation is truncated. The model is
``nn.Embedding → nn.LSTM → nn.Linear``, optionally with the decoder's weight tied to the
embedding's; ``clip_grad_norm_`` keeps the gradients tame; the loss is cross-entropy and
the figure of merit is perplexity, ``exp(mean loss)``.

The bundled corpus (``examples/data/tiny_corpus.txt``, ~40 KB) is made of simple generated
sentences, with regularities a small model can pick up (agreement, fixed phrases, repeated
words). The first 80% of its lines train, the next 10% validate, the last 10% test.

Stated result: with --quick (3 epochs) the validation perplexity falls below a tenth of
the vocabulary size (a model that knows nothing scores the vocabulary size, 162) and below
a quarter of the perplexity of the unigram (word frequency) model (69); it reaches about 5.5.

    python examples/word_lm_lstm.py [--quick] [--epochs N] [--tied] [--save model.pt]
"""
import argparse
import math
import os
import time
from collections import Counter

import ember as torch
import ember.nn as nn

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "tiny_corpus.txt")


class Dictionary:
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus:
    """Splits one text file into train / valid / test id streams (80/10/10 by lines)."""

    def __init__(self, path):
        self.dictionary = Dictionary()
        with open(path, encoding="utf8") as f:
            lines = [line.split() + ["<eos>"] for line in f if line.strip()]
        for words in lines:
            for word in words:
                self.dictionary.add_word(word)
        a, b = int(0.8 * len(lines)), int(0.9 * len(lines))
        self.train = self.tokenize(lines[:a])
        self.valid = self.tokenize(lines[a:b])
        self.test = self.tokenize(lines[b:])

    def tokenize(self, lines):
        ids = [self.dictionary.word2idx[w] for words in lines for w in words]
        return torch.tensor(ids, dtype=torch.int64)


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout if nlayers > 1 else 0.0)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return torch.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


def batchify(data, bsz):
    # Work out how cleanly we can divide the dataset into bsz parts.
    nbatch = data.size(0) // bsz
    # Trim off any extra elements that wouldn't cleanly fit (remainders).
    data = data.narrow(0, 0, nbatch * bsz)
    # Evenly divide the data across the bsz batches.
    return data.view(bsz, -1).t().contiguous()


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


def unigram_perplexity(train, valid, ntokens):
    """Perplexity of predicting each word by its training frequency (add-one smoothing)."""
    counts = Counter(train.tolist())
    total = len(train) + ntokens
    nll = -sum(math.log((counts[w] + 1) / total) for w in valid.tolist()) / len(valid)
    return math.exp(nll)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    parser.add_argument("--data", default=DATA, help="a text file, one or more sentences a line")
    parser.add_argument("--emsize", type=int, default=64, help="size of word embeddings")
    parser.add_argument("--nhid", type=int, default=64, help="hidden units per layer")
    parser.add_argument("--nlayers", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.01, help="Adam learning rate")
    parser.add_argument("--clip", type=float, default=0.25, help="gradient clipping")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--bptt", type=int, default=20, help="sequence length")
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--tied", action="store_true", help="tie the word embedding and "
                        "softmax weights")
    parser.add_argument("--seed", type=int, default=1111)
    parser.add_argument("--log-interval", type=int, default=50)
    parser.add_argument("--save", default=None, help="path to save the final model")
    args = parser.parse_args(argv)
    epochs = args.epochs or (3 if args.quick else 20)

    torch.manual_seed(args.seed)
    corpus = Corpus(args.data)
    eval_batch_size = 10
    train_data = batchify(corpus.train, args.batch_size)
    val_data = batchify(corpus.valid, eval_batch_size)
    test_data = batchify(corpus.test, eval_batch_size)
    ntokens = len(corpus.dictionary)
    print(f"vocabulary {ntokens} words; train {len(corpus.train)}, valid {len(corpus.valid)}, "
          f"test {len(corpus.test)} tokens")

    model = RNNModel(ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied)
    criterion = nn.NLLLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    def evaluate(data_source):
        model.eval()
        total_loss = 0.0
        hidden = model.init_hidden(eval_batch_size)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, args.bptt):
                data, targets = get_batch(data_source, i, args.bptt)
                output, hidden = model(data, hidden)
                hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    def train(epoch):
        model.train()
        total_loss = 0.0
        start_time = time.time()
        hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
            data, targets = get_batch(train_data, i, args.bptt)
            # Starting each batch, we detach the hidden state from how it was previously
            # produced. If we didn't, the model would try backpropagating all the way to
            # the start of the dataset.
            hidden = repackage_hidden(hidden)
            model.zero_grad()
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            total_loss += loss.item()
            if batch % args.log_interval == 0 and batch > 0:
                cur_loss = total_loss / args.log_interval
                elapsed = time.time() - start_time
                print(f"| epoch {epoch:3d} | {batch:5d} batches | "
                      f"ms/batch {elapsed * 1000 / args.log_interval:5.2f} | "
                      f"loss {cur_loss:5.2f} | ppl {math.exp(cur_loss):8.2f}")
                total_loss = 0.0
                start_time = time.time()

    unigram = unigram_perplexity(corpus.train, corpus.valid, ntokens)
    print(f"baselines: uniform ppl {ntokens}, unigram ppl {unigram:.2f}")
    val_ppl = math.exp(evaluate(val_data))
    first_val_ppl = val_ppl
    print(f"| before training | valid ppl {val_ppl:8.2f}")
    for epoch in range(1, epochs + 1):
        epoch_start_time = time.time()
        train(epoch)
        val_ppl = math.exp(evaluate(val_data))
        print(f"| end of epoch {epoch:3d} | time: {time.time() - epoch_start_time:5.2f}s | "
              f"valid ppl {val_ppl:8.2f}")
    test_ppl = math.exp(evaluate(test_data))
    print(f"| end of training | test ppl {test_ppl:8.2f}")
    if args.save:
        with open(args.save, "wb") as f:
            torch.save(model.state_dict(), f)
        print(f"saved the model's state_dict to {args.save}")
    return {"vocab_size": ntokens, "unigram_ppl": unigram, "initial_val_ppl": first_val_ppl,
            "val_ppl": val_ppl, "test_ppl": test_ppl}


if __name__ == "__main__":
    main()
