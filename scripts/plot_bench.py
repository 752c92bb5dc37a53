#!/usr/bin/env python3
"""Plots `gpt2gl bench` results as curves: decode ms/token and prefill tokens/s against context length, one line
per model and tier, with an HF transformers peer (scripts/bench_hf.py JSON) if given. Reads bench text logs (what
`gpt2gl bench` prints), so a run cut short still plots. Needs matplotlib (apt-get install python3-matplotlib).

  /usr/bin/python3 scripts/plot_bench.py bench/results/h100-2026-11-23.txt --hf bench/results/h100-hf-2026-11-23.json \
      --title "H100" --out bench/results/h100-2026-11-23.png

--prefill-bars T draws instead the prefill of T tokens as bars, one pair per variant (without and with tiles, from
`--draw-buffers 0,-1`), HF eager's, and each model's floor at the probe's arithmetic rate (--tflops).
"""
import argparse, json, re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

LINE = re.compile(r"^\s+((?:fp32|fp16|rgba8)(?: q8 packed| q8| fp16 weights)?(?: no split| split \d+)?(?: no tiles| tiles \d+x\d+)?)\s+context\s+(\d+): prefill\s+([\d.]+) ms \(\s*([\d.]+) tok/s\), decode\s+([\d.]+) ms/token")
MODEL = re.compile(r"^== (\S+):")


def parse(path):
    """(model, variant) -> [(context, prefill tok/s, decode ms)]. Sections of scripts/device_ab.sh's output headed
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
            tier, ctx, pre_ms, tps, dec = m.groups()
            runs.setdefault((model, tier), []).append((int(ctx), float(tps), float(dec)))
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
        ms = lambda points: {c: c * 1000.0 / tps for c, tps, _ in points}.get(T)
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--hf")
    ap.add_argument("--title", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefill-bars", type=int, default=0)
    ap.add_argument("--tflops", type=float, default=1.95)
    a = ap.parse_args()
    runs = {}
    for p in a.logs:
        runs.update(parse(p))
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
