"""The client against a running service: GROKSCOPE_URL (required; these tests fail, not skip, without it) and, when
the service has API keys, GROKSCOPE_API_KEY. PythonClientIT runs them against the packaged jar.

Depends on endpoints built beside this client (failing until they are merged): test_analyse_curves
(POST /api/v1/analyses), test_checkpoint_history (GET /experiments/{id}/checkpoints[/{step}]) and
test_idempotent_submission (the Idempotency-Key header).
"""
import os
import unittest
import uuid

import grokscope

TINY = {"task": {"operation": "ADD", "modulus": 11, "trainFraction": 0.5},
        "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [32]},
        "optimizer": {"learningRate": 0.01, "weightDecay": 1},
        "training": {"steps": 400, "evalEvery": 20, "checkpointEvery": 100}}


def base_url():
    url = os.environ.get("GROKSCOPE_URL")
    if not url:
        raise AssertionError("set GROKSCOPE_URL to a running Grokscope service (e.g. http://localhost:8080)")
    return url


class ServiceTest(unittest.TestCase):
    client = None
    experiment = None  # not "run": that is TestCase.run

    @classmethod
    def setUpClass(cls):
        cls.client = grokscope.Client(base_url())
        cls.group = "py-" + uuid.uuid4().hex[:8]
        submitted = cls.client.submit(dict(TINY, name=cls.group))
        cls.experiment = cls.client.wait(submitted.id, timeout=600, poll=0.5)

    def test_run_finished_with_its_complete_spec_and_progress(self):
        self.assertIsInstance(self.experiment, grokscope.Experiment)
        self.assertEqual(self.experiment.status, "SUCCEEDED", self.experiment.error)
        self.assertEqual(self.experiment.progress.step, 400)
        self.assertEqual(self.experiment.spec["task"]["modulus"], 11)
        self.assertIn(self.experiment.verdict, ("CONFUSION", "MEMORIZATION", "GROKKING", "COMPREHENSION"))

    def test_wait_reports_progress_through_a_callback(self):
        seen = []
        self.client.wait(self.experiment.id, progress=seen.append)
        self.assertTrue(seen and seen[-1].finished)

    def test_curves_as_series_and_as_a_dataframe(self):
        curves = self.client.curves(self.experiment.id, names=["train_acc", "test_acc"])
        self.assertEqual(set(curves), {"train_acc", "test_acc"})
        self.assertEqual(curves["test_acc"].steps[-1], 400)
        self.assertEqual(len(curves["test_acc"].steps), len(curves["test_acc"].values))
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError):
                curves.to_dataframe()
            return
        frame = self.client.dataframe(self.experiment.id, names=["train_acc", "test_acc"])
        self.assertEqual(list(frame.columns), ["train_acc", "test_acc"])
        self.assertEqual(frame.index.name, "step")
        self.assertEqual(int(frame.index[-1]), 400)
        self.assertAlmostEqual(float(frame["test_acc"].iloc[-1]), curves["test_acc"].values[-1])

    def test_analysis(self):
        analysis = self.client.analysis(self.experiment.id)
        self.assertIsInstance(analysis, grokscope.Analysis)
        self.assertEqual(analysis.verdict, self.experiment.verdict)
        self.assertIn("thresholds", analysis.raw)

    def test_latest_checkpoint_as_arrays(self):
        checkpoint = self.client.checkpoint(self.experiment.id)
        self.assertEqual(checkpoint.experiment_id, self.experiment.id)
        self.assertGreater(len(checkpoint.parameters), 0)
        for entry in checkpoint.manifest["parameters"]:
            array = checkpoint.parameters[entry["name"]]
            self.assertEqual(tuple(array.shape), tuple(entry["shape"]))
        try:
            import numpy
        except ImportError:
            self.assertIsInstance(next(iter(checkpoint.parameters.values())), grokscope.Array)
            return
        self.assertTrue(all(isinstance(a, numpy.ndarray) for a in checkpoint.parameters.values()))
        self.assertTrue(all(numpy.isfinite(a).all() for a in checkpoint.parameters.values()))

    def test_tags_note_and_filters(self):
        tagged = self.client.annotate(self.experiment.id, tags=[self.group, "python"], note="from the Python client")
        self.assertEqual(tagged.tags, sorted([self.group, "python"]))
        page = self.client.experiments(tags=[self.group], spec={"optimizer.weightDecay": 1, "model.type": "MLP",
                                                                "optimizer.gradientFilter.type": None})
        self.assertEqual([e.id for e in page.items], [self.experiment.id])
        self.assertEqual(self.client.experiments(tags=[self.group], operation="MULTIPLY").total_items, 0)
        with self.assertRaises(grokscope.ApiError) as refused:
            self.client.experiments(spec={"optimizer.nope": 1})
        self.assertEqual(refused.exception.status, 400)
        self.assertEqual(refused.exception.errors[0]["parameter"], "spec")

    def test_bad_spec_is_an_api_error_naming_the_field(self):
        with self.assertRaises(grokscope.ApiError) as refused:
            self.client.submit({"name": "bad", "task": {"operation": "DIVIDE", "modulus": 100},
                                "model": {"type": "MLP"}})
        self.assertEqual(refused.exception.status, 400)
        self.assertIn("/task/modulus", [e.get("pointer") for e in refused.exception.errors])

    def test_sweep_waits_and_gives_seed_bands(self):
        sweep = self.client.submit_sweep({"name": self.group + "-sweep", "base": dict(TINY, training={
            "steps": 100, "evalEvery": 20}), "axes": {"optimizer.weightDecay": [0, 1]}, "seeds": [0, 1]})
        sweep = self.client.wait_sweep(sweep.id, timeout=600, poll=1)
        self.assertEqual((sweep.done, sweep.total), (4, 4))
        bands = self.client.sweep_bands(sweep.id, "train_acc")
        self.assertEqual(len(bands), 2)
        self.assertEqual(bands[1].values, {"optimizer.weightDecay": 1})
        self.assertEqual(bands[0].band.n[-1], 2)
        low, high = bands[0].band.min[-1], bands[0].band.max[-1]
        self.assertLessEqual(low, bands[0].band.mean[-1])
        self.assertLessEqual(bands[0].band.mean[-1], high)
        band = self.client.band(sweep.experiment_ids, "train_acc")
        self.assertEqual(band.n[-1], 4)

    def test_analyse_curves(self):
        # Needs POST /api/v1/analyses: the same analysis for the run's own curves sent back.
        curves = self.client.curves(self.experiment.id)
        mine = self.client.analyse_curves(curves)
        self.assertEqual(mine.verdict, self.client.analysis(self.experiment.id).verdict)
        self.assertEqual(mine.generalization_step, self.experiment.generalization_step)

    def test_checkpoint_history(self):
        # Needs GET /experiments/{id}/checkpoints and /checkpoints/{step}.
        steps = self.client.checkpoint_steps(self.experiment.id)
        self.assertIn(100, steps)
        early = self.client.checkpoint(self.experiment.id, step=steps[0])
        self.assertEqual(early.step, steps[0])
        self.assertEqual(set(early.parameters), set(self.client.checkpoint(self.experiment.id).parameters))

    def test_idempotent_submission(self):
        # Needs the Idempotency-Key header: the same key twice queues one run.
        key = str(uuid.uuid4())
        first = self.client.submit(dict(TINY, name=self.group + "-once", training={"steps": 20}), idempotency_key=key)
        again = self.client.submit(dict(TINY, name=self.group + "-once", training={"steps": 20}), idempotency_key=key)
        self.assertEqual(first.id, again.id)


class ApiKeyTest(unittest.TestCase):

    def test_writes_without_the_key_are_refused_when_the_service_has_keys(self):
        key = os.environ.get("GROKSCOPE_API_KEY")
        if not key:
            raise AssertionError("set GROKSCOPE_API_KEY: PythonClientIT starts the service with API keys")
        anonymous = grokscope.Client(base_url(), api_key="")
        with self.assertRaises(grokscope.ApiError) as refused:
            anonymous.submit(dict(TINY, name="no-key"))
        self.assertEqual(refused.exception.status, 401)
        self.assertEqual(grokscope.Client(base_url(), api_key=key).experiments(size=1).size, 1)


if __name__ == "__main__":
    unittest.main()
