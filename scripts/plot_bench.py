#!/usr/bin/env python3
"""Plots `gpt2gl bench` results as curves: decode ms/token and prefill tokens/s against context length, one line
per model and tier, with an HF transformers peer (scripts/bench_hf.py JSON) if given. Reads bench text logs (what
`gpt2gl bench` prints), so a run cut short still plots. Needs matplotlib (apt-get install python3-matplotlib).

  /usr/bin/python3 scripts/plot_bench.py bench/results/h100-2026-11-23.txt --hf bench/results/h100-hf-2026-11-23.json \
      --title "H100" --out bench/results/h100-2026-11-23.png
"""
import argparse, json, re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

LINE = re.compile(r"^\s+((?:fp32|fp16|rgba8)(?: q8 packed| q8| fp16 weights)?(?: no split| split \d+)?)\s+context\s+(\d+): prefill\s+([\d.]+) ms \(\s*([\d.]+) tok/s\), decode\s+([\d.]+) ms/token")
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("logs", nargs="+")
    ap.add_argument("--hf")
    ap.add_argument("--title", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    runs = {}
    for p in a.logs:
        runs.update(parse(p))
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
