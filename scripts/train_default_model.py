#!/usr/bin/env python3
"""Train gpt2gl's embedded default model: a small GPT-2 with the real GPT-2 tokenizer.

Not part of the engine: a PyTorch + HF transformers script, run once on a GPU (or slowly on a CPU).
Data (public domain, never committed): llm.c's tinyshakespeare token files (train / val = first 32,768 tokens)
and optionally the Project Gutenberg books, tokenized here with the GPT-2 BPE (vocab.json + merges.txt).
Writes OUT/model.safetensors (fp16, HF GPT2LMHeadModel names, tied head), OUT/config.json and OUT/train.log,
keeping the checkpoint with the best validation loss.

  python3 scripts/train_default_model.py --data ../shared/data --out model/default
"""
import argparse, json, math, os, struct, time

import numpy as np
import torch
import base64

import tiktoken
from transformers import GPT2Config, GPT2LMHeadModel


def read_llmc_tokens(path):
    # llm.c data file: 256 x int32 header (20240520, 1, ntok), then ntok uint16 tokens
    with open(path, "rb") as f:
        header = np.frombuffer(f.read(1024), dtype=np.int32)
        assert header[0] == 20240520 and header[1] == 1, f"{path}: not an llm.c token file"
        return np.frombuffer(f.read(), dtype=np.uint16)[: header[2]].astype(np.int64)


def gpt2_encoding(path):
    # GPT-2's BPE (r50k_base ranks) through tiktoken, built offline from the rank file
    with open(path) as f:
        ranks = {base64.b64decode(t): int(r) for t, r in (line.split() for line in f if line.strip())}
    pat = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    return tiktoken.Encoding(name="gpt2", pat_str=pat, mergeable_ranks=ranks, special_tokens={"<|endoftext|>": 50256})


def gutenberg_tokens(data, tok):
    out, chars = [], 0
    d = os.path.join(data, "gutenberg")
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        text = open(os.path.join(d, name), encoding="utf-8-sig").read().replace("\r\n", "\n")
        start, end = text.find("*** START OF"), text.find("*** END OF")
        text = text[text.find("\n", start) + 1 : end] if start >= 0 and end > start else text
        chars += len(text)
        for part in text.split("\n\n\n"):  # chapters and sections, EOT-separated like llm.c does
            out.append(50256)
            out.extend(tok.encode_ordinary(part))
    assert len(out) > chars // 8, "the tokenizer produced too few tokens for the books"
    return np.array(out, dtype=np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder laid out like shared/data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--n-layer", type=int, default=6)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=128)
    ap.add_argument("--n-positions", type=int, default=512)
    ap.add_argument("--block", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--books", type=float, default=0.4, help="fraction of batches drawn from the books")
    ap.add_argument("--books-until", type=float, default=1.0,
                    help="after this fraction of the steps, train on tinyshakespeare alone")
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1337)
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, "train.log"), "w")

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    tok = gpt2_encoding(os.path.join(a.data, "gpt2-tokenizer", "r50k_base.tiktoken"))
    train = read_llmc_tokens(os.path.join(a.data, "tinyshakespeare", "tiny_shakespeare_train.bin"))
    val = read_llmc_tokens(os.path.join(a.data, "tinyshakespeare", "tiny_shakespeare_val.bin"))
    books = gutenberg_tokens(a.data, tok) if a.books > 0 else np.zeros(0, np.int64)
    say(f"args {vars(a)}")
    say(f"tokens: shakespeare train {len(train)}, val {len(val)}, books {len(books)}")

    cfg = GPT2Config(vocab_size=50257, n_positions=a.n_positions, n_embd=a.n_embd, n_layer=a.n_layer,
                     n_head=a.n_head, resid_pdrop=a.dropout, embd_pdrop=a.dropout, attn_pdrop=a.dropout,
                     tie_word_embeddings=True)
    model = GPT2LMHeadModel(cfg).to(dev)
    nonemb = sum(p.numel() for n, p in model.named_parameters() if "wte" not in n and "wpe" not in n)
    say(f"params: {sum(p.numel() for p in model.parameters())} total, {nonemb} non-embedding")

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.99))
    warm = 100

    def lr_at(s):
        if s < warm:
            return a.lr * (s + 1) / warm
        return 0.05 * a.lr + 0.95 * a.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, (s - warm) / (a.steps - warm))))

    gtrain = torch.from_numpy(train).to(dev)
    gbooks = torch.from_numpy(books).to(dev)

    def batch(step):
        use_books = len(books) > a.block + 1 and step < a.books_until * a.steps and np.random.rand() < a.books
        src = gbooks if use_books else gtrain
        ix = torch.randint(len(src) - a.block - 1, (a.batch,), device=dev)
        x = torch.stack([src[i : i + a.block] for i in ix])
        return x, torch.stack([src[i + 1 : i + 1 + a.block] for i in ix])

    def loss_of(x, y, reduction="mean"):
        # x, y: (B, T) inputs and next-token targets (already shifted)
        logits = model(x).logits.float()
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction=reduction)

    @torch.no_grad()
    def val_loss():
        # llm.c style: non-overlapping windows of `block` tokens over the whole val split
        model.eval()
        v = torch.from_numpy(val).to(dev)
        n = (len(val) - 1) // a.block
        x = v[: n * a.block].view(n, a.block)
        y = v[1 : n * a.block + 1].view(n, a.block)
        tot = 0.0
        for i in range(0, n, 32):
            tot += loss_of(x[i : i + 32], y[i : i + 32], "sum").item()
        model.train()
        return tot / (n * a.block)

    best, best_step, t0 = float("inf"), -1, time.time()
    for step in range(a.steps + 1):
        if step % a.eval_every == 0:
            vl = val_loss()
            mark = ""
            if vl < best:
                best, best_step, mark = vl, step, " *"
                model.half().save_pretrained(a.out, safe_serialization=True)
                model.float()
            say(f"step {step:5d} val {vl:.4f} best {best:.4f}@{best_step} {time.time() - t0:.0f}s{mark}")
            if step - best_step >= 1500:
                say("no improvement for 1500 steps: stop")
                break
        if step == a.steps:
            break
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batch(step)
        with torch.autocast(device_type=dev, dtype=torch.bfloat16, enabled=(dev == "cuda")):
            loss = loss_of(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 500 == 0:
            say(f"step {step:5d} train {loss.item():.4f} lr {lr_at(step):.2e}")
    say(f"best val loss {best:.4f} nats/token at step {best_step}")
    with open(os.path.join(a.out, "config.json")) as f:
        c = json.load(f)
    # keep config.json minimal and version-independent for readers
    keep = {k: c[k] for k in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "n_inner",
                              "layer_norm_epsilon", "activation_function", "tie_word_embeddings", "model_type",
                              "architectures", "bos_token_id", "eos_token_id") if k in c}
    keep["torch_dtype"] = "float16"
    keep["val_loss"] = round(best, 4)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(keep, f, indent=2)


if __name__ == "__main__":
    main()
