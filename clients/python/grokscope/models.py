"""Typed views of the service's JSON. Each keeps the full JSON in `raw` for fields it does not name."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


@dataclass(frozen=True)
class Progress:
    step: int
    total_steps: int
    steps_per_second: Optional[float]
    eta_seconds: Optional[int]

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "Progress":
        return cls(j["step"], j["totalSteps"], j.get("stepsPerSecond"), j.get("etaSeconds"))


@dataclass(frozen=True)
class Experiment:
    id: int
    name: str
    status: str
    spec: Dict[str, Any]
    progress: Progress
    verdict: Optional[str]
    generalization_step: Optional[int]
    grokking_delay: Optional[int]
    tags: List[str]
    note: Optional[str]
    error: Optional[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    # Set when the run stopped before its budget because its analysis could no longer change (stopWhenSettled).
    stop_reason: Optional[str] = None
    steps_saved: Optional[int] = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "Experiment":
        return cls(id=j["id"], name=j["name"], status=j["status"], spec=j["spec"],
                   progress=Progress.from_json(j["progress"]), verdict=j.get("verdict"),
                   generalization_step=j.get("generalizationStep"), grokking_delay=j.get("grokkingDelay"),
                   tags=list(j.get("tags") or []), note=j.get("note"), error=j.get("error"), raw=j,
                   stop_reason=j.get("stopReason"), steps_saved=j.get("stepsSaved"))


@dataclass(frozen=True)
class Page:
    items: List[Any]
    page: int
    size: int
    total_items: int
    total_pages: int


@dataclass(frozen=True)
class Series:
    """One metric's points in step order; None where a value was not finite."""

    name: str
    steps: List[int]
    values: List[Optional[float]]


class Curves(Dict[str, Series]):
    """An experiment's series by metric name."""

    def __init__(self, experiment_id: int, series: List[Series]):
        super().__init__((s.name, s) for s in series)
        self.experiment_id = experiment_id

    def to_dataframe(self):
        """The curves as a pandas DataFrame: one row per step, one column per metric (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("Curves.to_dataframe needs pandas (pip install pandas)") from e
        columns = {name: pd.Series(s.values, index=pd.Index(s.steps, name="step"), dtype="float64")
                   for name, s in self.items()}
        return pd.DataFrame(columns).sort_index()


@dataclass(frozen=True)
class Analysis:
    verdict: str
    memorization_step: Optional[int]
    generalization_step: Optional[int]
    grokking_delay: Optional[int]
    phases: List[Dict[str, Any]]
    key_frequencies: List[int]
    notes: List[str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "Analysis":
        return cls(verdict=j["verdict"], memorization_step=j.get("memorizationStep"),
                   generalization_step=j.get("generalizationStep"), grokking_delay=j.get("grokkingDelay"),
                   phases=list(j.get("phases") or []), key_frequencies=list(j.get("keyFrequencies") or []),
                   notes=list(j.get("notes") or []), raw=j)


@dataclass(frozen=True)
class Checkpoint:
    """Weights at one step: parameter name -> numpy.ndarray (with NumPy) or grokscope.npy.Array."""

    experiment_id: int
    step: int
    parameters: Dict[str, Any]
    manifest: Dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Band:
    """A metric over repeated runs: per grid step, mean, sample standard deviation, min, max and runs covering it."""

    steps: List[int]
    mean: List[Optional[float]]
    standard_deviation: List[Optional[float]]
    min: List[Optional[float]]
    max: List[Optional[float]]
    n: List[int]

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "Band":
        return cls(j["steps"], j["mean"], j["standardDeviation"], j["min"], j["max"], j["n"])

    def to_dataframe(self):
        """The band as a pandas DataFrame indexed by step (needs pandas)."""
        import pandas as pd
        return pd.DataFrame({"mean": self.mean, "std": self.standard_deviation, "min": self.min, "max": self.max,
                             "n": self.n}, index=pd.Index(self.steps, name="step"), dtype="float64")


@dataclass(frozen=True)
class SweepBand:
    values: Dict[str, Any]
    experiment_ids: List[int]
    band: Band


@dataclass(frozen=True)
class Sweep:
    id: int
    name: str
    done: int
    total: int
    cells: List[Dict[str, Any]]
    raw: Dict[str, Any] = field(repr=False, compare=False)
    # Steps budgeted over the sweep's runs, and those its settled runs did not need (stopWhenSettled).
    steps_budgeted: int = 0
    steps_saved: int = 0

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def experiment_ids(self) -> List[int]:
        return [run["experimentId"] for cell in self.cells for run in cell["experiments"]]

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "Sweep":
        progress = j.get("progress") or {}
        return cls(id=j["id"], name=j["name"], done=progress.get("done", 0), total=progress.get("total", 0),
                   cells=list(j.get("cells") or []), raw=j, steps_budgeted=progress.get("stepsBudgeted", 0),
                   steps_saved=progress.get("stepsSaved", 0))
