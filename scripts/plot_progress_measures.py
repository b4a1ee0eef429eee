#!/usr/bin/env python3
"""Draws Nanda et al.'s Fig. 7 panels (train/test loss, restricted and excluded loss, Gini, sum of squared weights)
from a run's /metrics JSON. Usage: plot_progress_measures.py metrics.json out.png"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main(source, target):
    series = {s["name"]: s for s in json.load(open(source))["series"]}
    fig, (losses, gini, norm) = plt.subplots(1, 3, figsize=(15, 4.2))
    for name, style in [("train_loss", "C0-"), ("test_loss", "C1-"), ("restricted_loss", "C2-"),
                        ("excluded_loss", "C3-"), ("excluded_loss_max", "C3:")]:
        if name in series:
            losses.plot(series[name]["steps"], series[name]["values"], style, label=name)
    losses.set_yscale("log")
    losses.set_xlabel("step")
    losses.set_title("losses (restricted/excluded: final key set at every stored step)")
    losses.legend(fontsize=8)
    for name in ("fourier_gini_embed", "fourier_gini_unembed"):
        if name in series:
            gini.plot(series[name]["steps"], series[name]["values"], label=name)
    gini.set_xlabel("step")
    gini.set_title("Gini of per-component Fourier norms")
    gini.legend(fontsize=8)
    if "weight_norm_sq" in series:
        norm.plot(series["weight_norm_sq"]["steps"], series["weight_norm_sq"]["values"])
    norm.set_xlabel("step")
    norm.set_title("sum of squared weights")
    fig.tight_layout()
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
