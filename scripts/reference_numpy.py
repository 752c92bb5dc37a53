#!/usr/bin/env python3
"""An independent GPT-2 forward in NumPy: the reference gpt2gl's activations are tested against, layer by layer.

Reads a HF GPT-2 directory (config.json + model.safetensors, F32/F16/BF16) with its own safetensors reader, runs one
prefill of the given ids in float64, and writes OUT.json (an index: name -> [rows, cols, offset]) and OUT.bin (the
activations as little-endian float32, concatenated), plus `greedy`: N tokens of greedy continuation.
Names match gpt2gl's stages: embed, h.L.ln_1, h.L.q, h.L.attn, h.L.res, h.L.ln_2, h.L.mlp, h.L.out, ln_f, logits.

--q8 runs the model as gpt2gl's 8-bit weights hold it: every matrix of output rows (c_attn, attn.c_proj, c_fc,
mlp.c_proj, wte, lm_head) quantized per output row, scale = max |w| / 127 and q = round-half-even(w / scale) in
float32, then used as q * scale.

  /usr/bin/python3 scripts/reference_numpy.py MODEL_DIR --ids 1,2,3 --greedy 16 --out /tmp/ref [--q8]
"""
import argparse, json, struct

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        raw = data[a:b]
        if t["dtype"] == "F32":
            v = np.frombuffer(raw, "<f4")
        elif t["dtype"] == "F16":
            v = np.frombuffer(raw, "<f2")
        elif t["dtype"] == "BF16":
            v = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view("<f4")
        else:
            raise ValueError(f"{path}: dtype {t['dtype']}")
        out[name[len("transformer."):] if name.startswith("transformer.") else name] = v.astype(np.float64).reshape(t["shape"])
    return out


def q8_round_trip(w, axis):
    """w quantized to int8 per slice along `axis` (the input dim: each output unit's weights share one scale)."""
    w32 = w.astype(np.float32)
    m = np.abs(w32).max(axis=axis, keepdims=True)
    s = m / np.float32(127)
    safe = np.where(s == 0, np.float32(1), s)
    q = np.clip(np.round(w32 / safe), -127, 127)
    return np.where(s == 0, 0.0, q.astype(np.float64) * s.astype(np.float64))


def quantize_model(p):
    for name in list(p):
        if name.endswith(("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")):
            p[name] = q8_round_trip(p[name], 0)  # Conv1D (in, out): an output unit is a column
        elif name in ("wte.weight", "lm_head.weight"):
            p[name] = q8_round_trip(p[name], 1)  # (V, C): a token is a row


def layernorm(x, w, b, eps):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def forward(p, cfg, ids, record=None):
    C, H = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    T, hd = len(ids), C // H
    rec = record if record is not None else {}
    x = p["wte.weight"][ids] + p["wpe.weight"][:T]
    rec["embed"] = x
    mask = np.triu(np.ones((T, T), bool), 1)
    for l in range(cfg["n_layer"]):
        g = lambda k: p[f"h.{l}.{k}"]
        ln = layernorm(x, g("ln_1.weight"), g("ln_1.bias"), eps)
        rec[f"h.{l}.ln_1"] = ln
        qkv = ln @ g("attn.c_attn.weight") + g("attn.c_attn.bias")  # Conv1D: (in, out)
        q, k, v = qkv[:, :C], qkv[:, C:2 * C], qkv[:, 2 * C:]
        rec[f"h.{l}.q"] = q
        heads = []
        for h in range(H):
            s = slice(h * hd, (h + 1) * hd)
            att = q[:, s] @ k[:, s].T / np.sqrt(hd)
            att[mask] = -np.inf
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            heads.append(att @ v[:, s])
        a = np.concatenate(heads, -1)
        rec[f"h.{l}.attn"] = a
        x = x + a @ g("attn.c_proj.weight") + g("attn.c_proj.bias")
        rec[f"h.{l}.res"] = x
        ln = layernorm(x, g("ln_2.weight"), g("ln_2.bias"), eps)
        rec[f"h.{l}.ln_2"] = ln
        hmid = gelu(ln @ g("mlp.c_fc.weight") + g("mlp.c_fc.bias"))
        rec[f"h.{l}.mlp"] = hmid
        x = x + hmid @ g("mlp.c_proj.weight") + g("mlp.c_proj.bias")
        rec[f"h.{l}.out"] = x
    x = layernorm(x, p["ln_f.weight"], p["ln_f.bias"], eps)
    rec["ln_f"] = x
    head = p["lm_head.weight"] if "lm_head.weight" in p else p["wte.weight"]
    rec["logits"] = x @ head.T
    return rec["logits"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--greedy", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--q8", action="store_true", help="8-bit weights as gpt2gl --weights q8 holds them")
    a = ap.parse_args()
    cfg = json.load(open(f"{a.model}/config.json"))
    cfg.setdefault("n_positions", cfg.get("n_ctx"))
    p = read_safetensors(f"{a.model}/model.safetensors")
    if a.q8:
        quantize_model(p)
    ids = [int(t) for t in a.ids.split(",")]
    rec = {}
    forward(p, cfg, ids, rec)
    seq = list(ids)
    for _ in range(a.greedy):  # greedy continuation, recomputing the whole prefix each step
        seq.append(int(np.argmax(forward(p, cfg, seq)[-1])))
    index, blobs, off = {"greedy": seq[len(ids):]}, [], 0
    for name, v in rec.items():
        v = np.asarray(v, "<f4").reshape(len(ids), -1)
        index[name] = [v.shape[0], v.shape[1], off]
        blobs.append(v.tobytes())
        off += v.size
    open(a.out + ".bin", "wb").write(b"".join(blobs))
    json.dump(index, open(a.out + ".json", "w"))


if __name__ == "__main__":
    main()
