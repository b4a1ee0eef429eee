"""Grokscope's Python client: run grokking experiments and sweeps, and read their curves, analyses and weights.

    import grokscope
    client = grokscope.Client("http://localhost:8080")
    run = client.submit({"name": "p23", "task": {"operation": "ADD", "modulus": 23}, "model": {"type": "MLP"}})
    run = client.wait(run.id)
    print(run.verdict, client.analysis(run.id).generalization_step)

Only the standard library is needed; with pandas, curves become DataFrames, and with NumPy, checkpoints arrays.
"""
from .client import ApiError, Client
from .models import Analysis, Band, Checkpoint, Curves, Experiment, Page, Progress, Series, Sweep, SweepBand
from .npy import Array

__all__ = ["ApiError", "Analysis", "Array", "Band", "Checkpoint", "Client", "Curves", "Experiment", "Page",
           "Progress", "Series", "Sweep", "SweepBand"]
__version__ = "0.1.0"
