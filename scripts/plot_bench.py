#!/usr/bin/env python3
"""Plots `gpt2gl bench` results as curves: decode ms/token and prefill tokens/s against context length, one line
per model and tier, with an HF transformers peer (scripts/bench_hf.py JSON) if given. Reads bench text logs (what
`gpt2gl bench` prints), so a run cut short still plots. Needs matplotlib (apt-get install python3-matplotlib).

  /usr/bin/python3 scripts/plot_bench.py bench/results/h100-2026-11-23.txt --hf bench/results/h100-hf-2026-11-23.json \
      --title "H100" --out bench/results/h100-2026-11-23.png

--prefill-bars T draws instead the prefill of T tokens as bars, one pair per variant (without and with tiles, from
`--draw-buffers 0,-1`), HF eager's, and each model's floor at the probe's arithmetic rate (--tflops).

--decode-bars T draws decode at context T as bars per model and weight format, HF eager's beside them, and each
variant's floor: its weight texture bytes (the bench's GB/s of weights times its ms) at the probe's streaming rate
for that texel format (--stream "fp16 weights=110.1,q8 packed=211.5,q4 packed=211.5", GB/s).
"""
import argparse, json, re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

LINE = re.compile(r"^\s+((?:fp32|fp16|rgba8)(?: q8 packed| q4 packed| q8| fp16 weights)?(?: no split| split \d+)?(?: no tiles| tiles \d+x\d+)?)\s+context\s+(\d+): prefill\s+([\d.]+) ms \(\s*([\d.]+) tok/s\), decode\s+([\d.]+) ms/token.*?([\d.]+) GB/s of weights")
MODEL = re.compile(r"^== (\S+):")


def parse(path):
    """(model, variant) -> [(context, prefill tok/s, decode ms, weight bytes)]. Sections of scripts/device_ab.sh's output headed
    "### base ..." (the baseline binary) are skipped."""
    runs, model, skip = {}, None, False
    for line in open(path):
        if line.startswith("### "):
            skip = line.startswith("### base")
            continue
        if skip:
            continue
        m = MODEL.match(line)
        if m:
            model = m.group(1).replace("model/default", "default")
            continue
        m = LINE.match(line)
        if m and model:
            tier, ctx, pre_ms, tps, dec, gbs = m.groups()
            runs.setdefault((model, tier), []).append((int(ctx), float(tps), float(dec), float(gbs) * float(dec) * 1e6))
    return runs


# weights of a GPT-2 shape's layer matmuls (the prefill's multiply-adds per token, the LM head's one row aside)
MATMUL_PARAMS = {"124M": 12 * 12 * 768 ** 2, "355M": 24 * 12 * 1024 ** 2, "774M": 36 * 12 * 1280 ** 2,
                 "1.5B": 48 * 12 * 1600 ** 2}


def prefill_bars(runs, hf, T, tflops, title, out):
    """Horizontal bars of prefill ms at T tokens: per variant without tiles (grey) and with (blue), HF eager (black),
    and the arithmetic floor 2 * matmul params * T / (tflops) as a red tick per model."""
    names = {"fp32 fp16 weights": "fp32 tier, fp16 weights", "fp32": "fp32 tier, fp32 weights",
             "fp32 q8 packed": "fp32 tier, q8 packed weights", "fp16": "fp16 tier"}
    rows = []  # (model + variant, ms without tiles, ms with)
    for (model, label), pts in runs.items():
        if label.endswith(" no tiles") or label not in names:
            continue
        ms = lambda points: {c: c * 1000.0 / tps for c, tps, *_ in points}.get(T)
        tiled, base = ms(pts), ms(runs.get((model, label + " no tiles"), []))
        if tiled is not None and base is not None:
            rows.append((f"{model}, {names[label]}", base, tiled, list(names).index(label)))
    rows = [r[:3] for r in sorted(rows, key=lambda r: r[3])]
    fig, ax = plt.subplots(figsize=(11, 0.75 * (len(rows) + 3) + 1.5))
    y, ticks, labels = 0, [], []
    for model in MATMUL_PARAMS:
        mine = [r for r in rows if r[0].startswith(model + ",")]
        peer = [r for r in (hf or []) if r["model"] == model]
        if not mine:
            continue
        floor = 2 * MATMUL_PARAMS[model] * T / (tflops * 1e12) * 1e3
        top = y
        for name, base, tiled in mine:
            ax.barh(y + 0.2, base, 0.4, color="#b0b0b0")
            ax.barh(y - 0.2, tiled, 0.4, color="#3070c0")
            ax.text(base * 1.03, y + 0.2, f"{base:.0f} ms", va="center", fontsize=8, color="#606060")
            ax.text(tiled * 1.03, y - 0.2, f"{tiled:.0f} ms", va="center", fontsize=8, color="#1a4a90")
            ticks.append(y), labels.append(name)
            y -= 1
        for r in peer:
            ms = [d["ms"] for d in r["prefill"] if d["tokens"] == T]
            if ms:
                ax.barh(y, ms[0], 0.4, color="black")
                ax.text(ms[0] * 1.03, y, f"{ms[0]:.1f} ms", va="center", fontsize=8)
                ticks.append(y), labels.append(f"{model} HF eager fp32 (all 132 SMs)")
                y -= 1
        ax.plot([floor, floor], [y + 0.5, top + 0.5], color="red", lw=1.5)
        ax.text(floor, top + 0.55, f"floor {floor:.0f} ms", color="red", fontsize=8, ha="center")
        y -= 0.6
    ax.set_yticks(ticks, labels)
    ax.set_xscale("log")
    ax.set_xlim(right=max(r[1] for r in rows) * 1.8)
    ax.set_xlabel(f"prefill of {T} tokens, ms (lower is better)")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D
    ax.legend(handles=[Patch(color="#b0b0b0", label="gpt2gl, one output texel a fragment"),
                       Patch(color="#3070c0", label="gpt2gl, tiles through draw buffers"),
                       Patch(color="black", label="HF transformers eager, same run"),
                       Line2D([], [], color="red", label=f"matmuls at the probe's {tflops:.2f} TFLOP/s")],
              loc="upper right", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def decode_bars(runs, hf, T, stream, title, out):
    """Horizontal bars of decode ms/token at context T per model: each weight format in `stream` (blue), HF eager
    (black), and each variant's floor, its weight bytes at stream[format] GB/s (a red tick, the fraction beside it)."""
    fig, ax = plt.subplots(figsize=(11, 6))
    y, ticks, labels, longest = 0, [], [], 0
    for model in MATMUL_PARAMS:
        mine = []  # (format, the first point at context T)
        for fmt in stream:
            pts = [p for p in runs.get((model, "fp32 " + fmt), []) if p[0] == T]
            if pts:
                mine.append((fmt, pts[0]))
        if not mine:
            continue
        for fmt, (_, _, ms, nbytes) in mine:
            floor = nbytes / (stream[fmt] * 1e9) * 1e3
            ax.barh(y, ms, 0.6, color="#3070c0")
            ax.plot([floor, floor], [y - 0.38, y + 0.38], color="red", lw=2)
            ax.text(ms * 1.03, y, f"{ms:.2f} ms  (floor {floor:.2f}: {floor / ms:.0%})", va="center", fontsize=8)
            ticks.append(y), labels.append(f"{model}, {fmt}")
            longest = max(longest, ms)
            y -= 1
        for r in (hf or []):
            ms = [d["ms_per_token"] for d in r["decode"] if r["model"] == model and d["context"] == T]
            if ms:
                ax.barh(y, ms[0], 0.6, color="black")
                ax.text(ms[0] * 1.03, y, f"{ms[0]:.2f} ms", va="center", fontsize=8)
                ticks.append(y), labels.append(f"{model}, HF eager fp32 (all 132 SMs)")
                longest = max(longest, ms[0])
                y -= 1
        y -= 0.5
    if not ticks:
        raise SystemExit(f"no decode at context {T} of the formats {', '.join(stream)} in these logs")
    ax.set_yticks(ticks, labels)
    ax.set_xscale("log")
    ax.set_xlim(right=longest * 4)
    ax.set_xlabel(f"decode at context {T}, ms/token (lower is better)")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D
    ax.legend(handles=[Patch(color="#3070c0", label="gpt2gl, fp32 tier"),
                       Patch(color="black", label="HF transformers eager, same session"),
                       Line2D([], [], color="red", label="its weights streamed at the probe's rate")],
              loc="upper right", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--hf")
    ap.add_argument("--title", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefill-bars", type=int, default=0)
    ap.add_argument("--tflops", type=float, default=1.95)
    ap.add_argument("--decode-bars", type=int, default=0)
    ap.add_argument("--stream", default="fp16 weights=110.1,q8 packed=211.5")
    a = ap.parse_args()
    runs = {}
    for p in a.logs:
        runs.update(parse(p))
    if a.decode_bars:
        stream = {k: float(v) for k, v in (kv.split("=") for kv in a.stream.split(","))}
        return decode_bars(runs, json.load(open(a.hf)) if a.hf else None, a.decode_bars, stream, a.title, a.out)
    if a.prefill_bars:
        return prefill_bars(runs, json.load(open(a.hf)) if a.hf else None, a.prefill_bars, a.tflops, a.title, a.out)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 6))
    for (model, tier), pts in sorted(runs.items()):
        pts.sort()
        style = {"fp32": "-o", "fp16": "--s", "rgba8": ":^"}[tier.split()[0]]
        ax1.plot([p[0] for p in pts], [p[2] for p in pts], style, label=f"gpt2gl {model} {tier}")
        ax2.plot([p[0] for p in pts], [p[1] for p in pts], style, label=f"gpt2gl {model} {tier}")
    if a.hf:
        for r, marker in zip(json.load(open(a.hf)), "xv+*D"):
            ax1.plot([d["context"] for d in r["decode"]], [d["ms_per_token"] for d in r["decode"]], "-" + marker,
                     color="grey", label=f"HF eager fp32 {r['model']}")
            ax2.plot([d["tokens"] for d in r["prefill"]], [d["tokens"] * 1000 / d["ms"] for d in r["prefill"]],
                     "-" + marker, color="grey", label=f"HF eager fp32 {r['model']}")
    ax1.set(xlabel="context length (tokens)", ylabel="decode ms/token (lower is better)", xscale="log", yscale="log",
            title="decode (batch 1, KV cache)")
    ax2.set(xlabel="prompt length (tokens)", ylabel="prefill tokens/s (higher is better)", xscale="log", yscale="log",
            title="prefill")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = ax1.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle(a.title)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    fig.savefig(a.out, dpi=110)


if __name__ == "__main__":
    main()
