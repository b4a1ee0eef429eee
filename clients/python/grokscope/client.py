"""The Grokscope HTTP client: standard library only (urllib, json); pandas and NumPy are used when present."""
import io
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import npy
from .models import (Analysis, Band, Checkpoint, Curves, Experiment, Page, Series, Sweep, SweepBand)

ProgressCallback = Callable[[Experiment], None]


class ApiError(Exception):
    """The service answered with an error: RFC 9457 problem details, with each invalid field in `errors`."""

    def __init__(self, status: int, method: str, path: str, problem: Dict[str, Any], retry_after: Optional[str]):
        self.status = status
        self.problem = problem
        self.title = problem.get("title")
        self.detail = problem.get("detail")
        self.errors = problem.get("errors") or []
        self.retry_after = retry_after
        fields = "; ".join(f"{e.get('pointer') or e.get('parameter')}: {e.get('detail')}" for e in self.errors)
        super().__init__(f"{method} {path} -> {status} {self.title or ''}: {self.detail or ''}"
                         + (f" ({fields})" if fields else ""))


class Client:
    """A Grokscope service at `base_url`.

    api_key: sent as `Authorization: Bearer <key>` (default: the GROKSCOPE_API_KEY environment variable).
    Submissions carry an Idempotency-Key and are retried with the same key when the service is busy (429, 503) or
    the connection fails, so a retried submission never queues a second run.
    """

    def __init__(self, base_url: str = "http://localhost:8080", api_key: Optional[str] = None,
                 timeout: float = 60.0, retries: int = 5):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("GROKSCOPE_API_KEY")
        self.timeout = timeout
        self.retries = retries

    # ---------------------------------------------------------------------------------------------------- transport

    def _request(self, method: str, path: str, query: Optional[Sequence[Tuple[str, Any]]] = None,
                 body: Any = None, content_type: str = "application/json", accept: str = "application/json",
                 headers: Optional[Mapping[str, str]] = None, retry: bool = False) -> Tuple[bytes, str]:
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode([(k, v) for k, v in query if v is not None])
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=data, method=method, headers={"Accept": accept})
            if data is not None:
                request.add_header("Content-Type", content_type)
            if self.api_key:
                request.add_header("Authorization", f"Bearer {self.api_key}")
            for name, value in (headers or {}).items():
                request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read(), response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as e:
                payload = e.read()
                try:
                    problem = json.loads(payload.decode("utf-8")) if payload else {}
                except ValueError:
                    problem = {"detail": payload.decode("utf-8", "replace")[:500]}
                retry_after = e.headers.get("Retry-After")
                if retry and e.code in (429, 503) and attempt < self.retries:
                    attempt += 1
                    time.sleep(_seconds(retry_after, attempt))
                    continue
                raise ApiError(e.code, method, path, problem if isinstance(problem, dict) else {}, retry_after) \
                    from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                if retry and attempt < self.retries:
                    attempt += 1
                    time.sleep(_seconds(None, attempt))
                    continue
                raise ConnectionError(f"cannot reach {self.base_url}: {getattr(e, 'reason', e)}") from e

    def _json(self, method: str, path: str, **kwargs) -> Any:
        payload, _ = self._request(method, path, **kwargs)
        return json.loads(payload.decode("utf-8")) if payload else None

    # -------------------------------------------------------------------------------------------------- experiments

    def submit(self, spec: Mapping[str, Any], idempotency_key: Optional[str] = None) -> Experiment:
        """Queues an experiment (absent fields take their defaults); returns it with its complete spec."""
        key = idempotency_key or str(uuid.uuid4())
        return Experiment.from_json(self._json("POST", "/api/v1/experiments", body=dict(spec),
                                               headers={"Idempotency-Key": key}, retry=True))

    def experiment(self, experiment_id: int) -> Experiment:
        return Experiment.from_json(self._json("GET", f"/api/v1/experiments/{int(experiment_id)}"))

    def experiments(self, status: Optional[str] = None, name: Optional[str] = None, operation: Optional[str] = None,
                    model_type: Optional[str] = None, verdict: Optional[str] = None, tags: Iterable[str] = (),
                    spec: Optional[Mapping[str, Any]] = None, page: int = 0, size: int = 20) -> Page:
        """A page of experiments, newest first. `spec` filters on spec fields: {"optimizer.weightDecay": 1}."""
        query: List[Tuple[str, Any]] = [("status", status), ("name", name), ("operation", operation),
                                        ("modelType", model_type), ("verdict", verdict)]
        query += [("tag", t) for t in tags]
        query += [("spec", f"{path}={_spec_value(value)}") for path, value in (spec or {}).items()]
        query += [("page", page), ("size", size)]
        j = self._json("GET", "/api/v1/experiments", query=query)
        return Page([Experiment.from_json(e) for e in j["items"]], j["page"], j["size"], j["totalItems"],
                    j["totalPages"])

    def annotate(self, experiment_id: int, tags: Optional[Iterable[str]] = None,
                 note: Optional[str] = None) -> Experiment:
        """Replaces the run's tags and/or note (None keeps one as it is; [] and "" clear them)."""
        body = {"tags": None if tags is None else list(tags), "note": note}
        return Experiment.from_json(self._json("PATCH", f"/api/v1/experiments/{int(experiment_id)}", body=body))

    def cancel(self, experiment_id: int) -> Experiment:
        return Experiment.from_json(self._json("POST", f"/api/v1/experiments/{int(experiment_id)}/cancel"))

    def delete(self, experiment_id: int) -> None:
        self._request("DELETE", f"/api/v1/experiments/{int(experiment_id)}")

    def wait(self, experiment_id: int, timeout: Optional[float] = None, poll: float = 2.0,
             progress: Union[bool, ProgressCallback] = True) -> Experiment:
        """Polls until the run ends and returns it. progress: True prints a line to stderr whenever the step or the
        status changes, a callable receives each poll's Experiment, False is silent. Raises TimeoutError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        shown = None
        while True:
            experiment = self.experiment(experiment_id)
            if callable(progress):
                progress(experiment)
            elif progress and (experiment.status, experiment.progress.step) != shown:
                shown = (experiment.status, experiment.progress.step)
                print(_progress_line(experiment), file=sys.stderr, flush=True)
            if experiment.finished:
                return experiment
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"experiment {experiment_id} still {experiment.status} after {timeout} s")
            time.sleep(poll)

    # ------------------------------------------------------------------------------------------ curves and analyses

    def curves(self, experiment_id: int, names: Optional[Iterable[str]] = None,
               max_points: Optional[int] = None) -> Curves:
        """The run's series by metric name; `.to_dataframe()` gives a pandas DataFrame (step × metric)."""
        query = [("names", ",".join(names) if names else None), ("maxPoints", max_points)]
        j = self._json("GET", f"/api/v1/experiments/{int(experiment_id)}/metrics", query=query)
        return Curves(j["experimentId"], [Series(s["name"], s["steps"], s["values"]) for s in j["series"]])

    def dataframe(self, experiment_id: int, names: Optional[Iterable[str]] = None,
                  max_points: Optional[int] = None):
        """The run's curves as a pandas DataFrame (needs pandas)."""
        return self.curves(experiment_id, names, max_points).to_dataframe()

    def analysis(self, experiment_id: int) -> Analysis:
        return Analysis.from_json(self._json("GET", f"/api/v1/experiments/{int(experiment_id)}/analysis"))

    def analyse_curves(self, series: Union[Mapping[str, Any], Iterable[Series], Any],
                       thresholds: Optional[Mapping[str, Any]] = None) -> Analysis:
        """Analyses curves you bring (POST /api/v1/analyses): a {name: (steps, values)} mapping, Series objects,
        Curves, or a pandas DataFrame indexed by step with one column per metric."""
        body = {"series": _series_body(series)}
        if thresholds is not None:
            body["thresholds"] = dict(thresholds)
        return Analysis.from_json(self._json("POST", "/api/v1/analyses", body=body))

    def band(self, experiment_ids: Iterable[int], metric: str, max_points: Optional[int] = None) -> Band:
        """One metric's mean, spread and range over several runs (e.g. seeds) on a common step grid."""
        ids = ",".join(str(int(i)) for i in experiment_ids)
        j = self._json("GET", "/api/v1/metrics/bands",
                       query=[("experiments", ids), ("metric", metric), ("maxPoints", max_points)])
        return Band.from_json(j["band"])

    # ------------------------------------------------------------------------------------------------ checkpoints

    def checkpoint(self, experiment_id: int, step: Optional[int] = None) -> Checkpoint:
        """The latest weights, or those saved at `step` (see checkpoint_steps): NumPy arrays when NumPy is
        installed, else grokscope.npy.Array."""
        path = f"/api/v1/experiments/{int(experiment_id)}/checkpoint" if step is None \
            else f"/api/v1/experiments/{int(experiment_id)}/checkpoints/{int(step)}"
        payload, _ = self._request("GET", path, accept="application/zip")
        return _read_checkpoint(payload)

    def checkpoint_steps(self, experiment_id: int) -> List[int]:
        """The steps at which the run's parameters were kept (GET /experiments/{id}/checkpoints)."""
        j = self._json("GET", f"/api/v1/experiments/{int(experiment_id)}/checkpoints")
        entries = j if isinstance(j, list) else next(
            (j[k] for k in ("checkpoints", "items", "steps") if isinstance(j, dict) and k in j), None)
        if entries is None:
            raise ValueError(f"unexpected checkpoint list: {str(j)[:200]}")
        return [e if isinstance(e, int) else int(e["step"]) for e in entries]

    # ------------------------------------------------------------------------------------------------------ sweeps

    def submit_sweep(self, request: Mapping[str, Any], idempotency_key: Optional[str] = None) -> Sweep:
        """Queues a sweep: {"name", "base": spec, "axes": {path: [values]}, "seeds": [...]}, whole or not at all."""
        key = idempotency_key or str(uuid.uuid4())
        return Sweep.from_json(self._json("POST", "/api/v1/sweeps", body=dict(request),
                                          headers={"Idempotency-Key": key}, retry=True))

    def sweep(self, sweep_id: int) -> Sweep:
        return Sweep.from_json(self._json("GET", f"/api/v1/sweeps/{int(sweep_id)}"))

    def wait_sweep(self, sweep_id: int, timeout: Optional[float] = None, poll: float = 5.0,
                   progress: Union[bool, Callable[[Sweep], None]] = True) -> Sweep:
        deadline = None if timeout is None else time.monotonic() + timeout
        shown = None
        while True:
            sweep = self.sweep(sweep_id)
            if callable(progress):
                progress(sweep)
            elif progress and sweep.done != shown:
                shown = sweep.done
                print(f"sweep {sweep.id} {sweep.name}: {sweep.done}/{sweep.total} runs finished", file=sys.stderr,
                      flush=True)
            if sweep.finished:
                return sweep
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"sweep {sweep_id}: {sweep.done}/{sweep.total} finished after {timeout} s")
            time.sleep(poll)

    def sweep_bands(self, sweep_id: int, metric: str, x: Optional[str] = None,
                    where: Optional[Mapping[str, Any]] = None, max_points: Optional[int] = None) -> List[SweepBand]:
        """Seed bands per cell, or per value of axis `x` (pooling the axes `where` does not fix)."""
        query = [("metric", metric), ("x", x), ("maxPoints", max_points)]
        query += [("where", f"{path}={_spec_value(value)}") for path, value in (where or {}).items()]
        j = self._json("GET", f"/api/v1/sweeps/{int(sweep_id)}/bands", query=query)
        return [SweepBand(g["values"], g["experimentIds"], Band.from_json(g["band"])) for g in j["groups"]]

    def sweep_summary(self, sweep_id: int, x: str, value: str = "generalizationStep",
                      where: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        query = [("x", x), ("value", value)]
        query += [("where", f"{path}={_spec_value(v)}") for path, v in (where or {}).items()]
        return self._json("GET", f"/api/v1/sweeps/{int(sweep_id)}/summary", query=query)

    def get(self, path: str, accept: str = "application/json", **query) -> Any:
        """Any other GET under the service, e.g. get('/actuator/info'); JSON is parsed, other types are text."""
        payload, content_type = self._request("GET", path, query=list(query.items()), accept=accept)
        return json.loads(payload.decode("utf-8")) if "json" in content_type else payload.decode("utf-8")


def _seconds(retry_after: Optional[str], attempt: int) -> float:
    try:
        return min(float(retry_after), 30.0)
    except (TypeError, ValueError):
        return min(0.5 * 2 ** attempt, 10.0)


def _spec_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _progress_line(e: Experiment) -> str:
    p = e.progress
    speed = f", {p.steps_per_second:.0f} steps/s" if p.steps_per_second else ""
    eta = f", ETA {p.eta_seconds} s" if p.eta_seconds is not None else ""
    verdict = f" -> {e.verdict}" if e.finished and e.verdict else ""
    return f"experiment {e.id} {e.name}: {e.status} step {p.step}/{p.total_steps}{speed}{eta}{verdict}"


def _series_body(series: Any) -> List[Dict[str, Any]]:
    if hasattr(series, "columns") and hasattr(series, "index"):  # a pandas DataFrame indexed by step
        body = []
        for name in series.columns:
            column = series[name].dropna()
            body.append({"name": str(name), "steps": [int(s) for s in column.index],
                         "values": [float(v) for v in column.values]})
        return body
    if isinstance(series, Mapping):
        items = []
        for name, value in series.items():
            if isinstance(value, Series):
                items.append(value)
            else:
                steps, values = value
                items.append(Series(name, list(steps), list(values)))
        series = items
    return [{"name": s.name, "steps": [int(x) for x in s.steps], "values": [None if v is None else float(v)
                                                                          for v in s.values]} for s in series]


def _read_checkpoint(payload: bytes) -> Checkpoint:
    try:
        import numpy
    except ImportError:
        numpy = None
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
        parameters = {}
        for parameter in manifest["parameters"]:
            data = archive.read(parameter["file"])
            parameters[parameter["name"]] = numpy.load(io.BytesIO(data), allow_pickle=False) if numpy is not None \
                else npy.read(data)
    return Checkpoint(manifest["experimentId"], manifest["step"], parameters, manifest)
