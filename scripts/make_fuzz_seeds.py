#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (tests/fuzz/corpus/<target>/): small valid inputs and near misses.
Plain Python, no dependencies; rerun to regenerate: python3 scripts/make_fuzz_seeds.py"""
import json, os, struct

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz", "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors):
    header, blob = {"__metadata__": {"format": "pt"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + blob


f32 = lambda *v: struct.pack(f"<{len(v)}f", *v)
put("safetensors", "valid", safetensors({"a": ("F32", [2, 2], f32(1, 2, 3, 4)), "b": ("F16", [3], b"\x00\x3c" * 3)}))
put("safetensors", "bf16", safetensors({"w": ("BF16", [2], b"\x80\x3f\x00\x40")}))
put("safetensors", "truncated", safetensors({"a": ("F32", [4], f32(1, 2, 3, 4))})[:-5])
put("safetensors", "empty_header", struct.pack("<Q", 2) + b"{}")

# llm.c: first byte odd = checkpoint (v3, fp32), even = tokenizer
L, C, V, T = 1, 4, 5, 3
h = [20240326, 3, T, V, L, 1, C, V] + [0] * 248
n = V * C + T * C + L * (2 * C + 3 * C * C + 3 * C + C * C + C + 2 * C + 4 * C * C + 4 * C + 4 * C * C + C) + 2 * C
put("llmc", "checkpoint", b"\x01" + struct.pack("<256i", *h) + f32(*([0.01] * n)))
put("llmc", "checkpoint_bad_version", b"\x01" + struct.pack("<256i", *([20240326, 9] + h[2:])))
toks = [b"a", b"b", b"hello", b" world", b"<|endoftext|>"]
put("llmc", "tokenizer", b"\x00" + struct.pack("<256i", *([20240328, 2, len(toks), 4] + [0] * 252)) +
    b"".join(bytes([len(t)]) + t for t in toks))

cfg = {"vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12, "n_inner": None,
       "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new", "tie_word_embeddings": True}
put("config", "gpt2", json.dumps(cfg))
put("config", "bad_heads", json.dumps(dict(cfg, n_head=7)))
put("config", "strings", json.dumps(dict(cfg, n_embd="768")))

put("tokenizer", "text", b"\x00Hello world, it's GPT-2!  \n\n\tcafe\xcc\x81 \xf0\x9f\x98\x80 123,456")
put("tokenizer", "shakespeare", b"\x00ROMEO:\nBut soft, what light through yonder window breaks?<|endoftext|>")
put("tokenizer", "invalid_utf8", b"\x00abc \xff\xfe def")
vocab = {"H": 0, "e": 1, "l": 2, "o": 3, "\u0120": 4, "w": 5, "r": 6, "d": 7, "He": 8, "ll": 9, "<|endoftext|>": 10}
put("tokenizer", "small_vocab", b"\x01" + json.dumps(vocab).encode() + b"\x00#version: 0.2\nH e\nl l\n")
