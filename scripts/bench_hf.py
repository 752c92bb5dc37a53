#!/usr/bin/env python3
"""The peer for `gpt2gl bench` on a GPU: HF transformers GPT2LMHeadModel, eager PyTorch, fp32, batch 1, with its KV
cache, random weights of the same GPT-2 shapes. Prints and writes JSON: prefill ms for T tokens, decode ms/token at
each context length (the mean of `steps` single-token steps after a prefill of that length).

  python3 scripts/bench_hf.py --sizes 124M,1.5B --contexts 16,128,512,1024 --out hf.json
"""
import argparse, json, time

import torch
from transformers import GPT2Config, GPT2LMHeadModel

SHAPES = {"124M": (12, 12, 768), "355M": (24, 16, 1024), "774M": (36, 20, 1280), "1.5B": (48, 25, 1600)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="124M")
    ap.add_argument("--contexts", default="16,128,512,1024")
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    dev = "cuda"
    results = []
    for size in a.sizes.split(","):
        L, H, C = SHAPES[size]
        cfg = GPT2Config(n_layer=L, n_head=H, n_embd=C, vocab_size=50257, n_positions=1024)
        with torch.device(dev):
            model = GPT2LMHeadModel(cfg).eval()
        r = {"model": size, "torch": torch.__version__, "device": torch.cuda.get_device_name(), "prefill": [], "decode": []}
        with torch.no_grad():
            for T in [int(t) for t in a.contexts.split(",")]:
                T = min(T, 1024 - a.steps - 1)
                ids = torch.randint(0, 50257, (1, T), device=dev)
                for _ in range(2):  # warm-up: prefill, and decode steps (their kernels' first use at this shape)
                    out = model(ids, use_cache=True)
                    past, tok = out.past_key_values, out.logits[:, -1:].argmax(-1)
                    for _ in range(4):
                        out = model(tok, past_key_values=past, use_cache=True)
                        past, tok = out.past_key_values, out.logits[:, -1:].argmax(-1)
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                out = model(ids, use_cache=True)
                torch.cuda.synchronize()
                pre = (time.perf_counter() - t0) * 1e3
                past, tok = out.past_key_values, out.logits[:, -1:].argmax(-1)
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                for _ in range(a.steps):
                    out = model(tok, past_key_values=past, use_cache=True)
                    past, tok = out.past_key_values, out.logits[:, -1:].argmax(-1)
                torch.cuda.synchronize()
                dec = (time.perf_counter() - t0) * 1e3 / a.steps
                r["prefill"].append({"tokens": T, "ms": pre})
                r["decode"].append({"context": T, "ms_per_token": dec})
                print(f"HF eager fp32 {size}: context {T:4d}: prefill {pre:8.2f} ms, decode {dec:6.2f} ms/token", flush=True)
        results.append(r)
        del model
        torch.cuda.empty_cache()
    json.dump(results, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
