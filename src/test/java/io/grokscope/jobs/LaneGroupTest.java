package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Batched runs in the job pool (issue 18): compatible queued runs are claimed together in one statement and train as
 * lanes of one batch, each exactly as it would alone (its stored curves equal its solo run's), each ending on its own
 * (a cancelled lane leaves the others running), each resuming from its own checkpoint after a graceful stop.
 */
@IntegrationTest
class LaneGroupTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobWorker worker;

    @Autowired
    JobRepository repository;

    Api api;
    StoredRuns runs;

    @BeforeEach
    void setUp() {
        api = new Api(port);
        runs = new StoredRuns(jdbc);
        // Other tests leave queued experiments behind (no worker runs them): they must not join these groups.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now() where status = 'QUEUED'");
    }

    /** A tiny MLP on (a + b) mod 23; the seeds and optimizer scalars are free per lane, the shape is not. */
    private long submit(String name, int hidden, int seed, double learningRate, double weightDecay, int steps) {
        String spec = """
                {"name": "%s", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5, "seed": %d},
                 "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [%d]},
                 "optimizer": {"learningRate": %s, "weightDecay": %s},
                 "training": {"steps": %d, "evalEvery": 10, "checkpointEvery": 50, "seed": %d},
                 "analysis": {"progressMeasuresEvery": 50}}
                """.formatted(name, seed, hidden, learningRate, weightDecay, steps, seed + 100);
        Api.Response response = api.postJson("/api/v1/experiments", spec);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asLong();
    }

    @Test
    void compatibleQueuedRunsAreClaimedTogetherInOneStatementAndOthersAreLeft() {
        long a = submit("lanes-claim-a", 64, 1, 0.003, 0.5, 100);
        long other = submit("lanes-claim-other", 32, 2, 0.003, 0.5, 100);
        long b = submit("lanes-claim-b", 64, 3, 0.001, 1.0, 100);
        long c = submit("lanes-claim-c", 64, 4, 0.003, 0.0, 100);
        try {
            List<Claim> group = repository.claimGroup("lanes-claim/0", Duration.ofSeconds(30), false, 8);

            assertThat(group).extracting(claim -> claim.fence().experimentId()).containsExactly(a, b, c);
            assertThat(group).allSatisfy(claim -> assertThat(claim.fence().worker()).isEqualTo("lanes-claim/0"));
            assertThat(runs.status(other)).isEqualTo("QUEUED");
            assertThat(jdbc.queryForList("select exclusive from job where experiment_id in (?, ?, ?)", Boolean.class,
                    a, b, c)).as("lanes share a JVM: none can be blamed alone").containsOnly(false);
            assertThat(repository.claimGroup("lanes-claim/1", Duration.ofSeconds(30), false, 8))
                    .extracting(claim -> claim.fence().experimentId()).containsExactly(other);
        } finally {
            jdbc.update("update job set status = 'CANCELLED', worker = null, lease_expires_at = null"
                    + " where experiment_id in (?, ?, ?, ?)", a, b, c, other);
        }
    }

    @Test
    void eachLaneStoresExactlyWhatItsSoloRunStores() {
        long a = submit("lanes-equal-a", 64, 1, 0.003, 0.5, 120);
        long b = submit("lanes-equal-b", 64, 2, 0.001, 1.0, 80);
        long c = submit("lanes-equal-c", 64, 3, 0.003, 0.0, 120);

        assertThat(worker.runOnce("lanes-equal/0", 8)).isTrue();
        assertThat(List.of(runs.status(a), runs.status(b), runs.status(c))).containsOnly("SUCCEEDED");
        assertThat(worker.runOnce("lanes-equal/0", 8)).as("all three ran in that one poll").isFalse();
        assertThat(jdbc.queryForObject("select provenance::text from job where experiment_id = ?", String.class, b))
                .as("the provenance says how it ran").contains("\"lanes\": 3")
                .contains("\"groupedWith\": [" + a + ", " + b + ", " + c + "]").contains("\"dataType\": \"FLOAT\"");

        long soloA = submit("lanes-equal-solo-a", 64, 1, 0.003, 0.5, 120);
        long soloB = submit("lanes-equal-solo-b", 64, 2, 0.001, 1.0, 80);
        assertThat(worker.runOnce("lanes-equal/0", 1)).isTrue();
        assertThat(worker.runOnce("lanes-equal/0", 1)).isTrue();

        assertThat(runs.curves(a)).containsKeys("train_loss", "test_acc", "weight_norm", "fourier_gini_embed")
                .isEqualTo(runs.curves(soloA));
        assertThat(runs.curves(b)).isEqualTo(runs.curves(soloB));
        assertThat(runs.curves(b).get("train_loss").lastKey()).as("a shorter lane ends at its own budget").isEqualTo(80L);
        assertThat(jdbc.queryForObject("select verdict from job where experiment_id = ?", String.class, a))
                .isEqualTo(jdbc.queryForObject("select verdict from job where experiment_id = ?", String.class, soloA));
    }

    @Test
    void aCancelledLaneEndsAloneAndTheOthersFinish() throws Exception {
        long a = submit("lanes-cancel-a", 64, 1, 0.003, 0.5, 400);
        long b = submit("lanes-cancel-b", 64, 2, 0.003, 0.5, 1_000_000);
        long c = submit("lanes-cancel-c", 64, 3, 0.003, 0.5, 400);
        Thread training = new Thread(() -> worker.runOnce("lanes-cancel/0", 8));
        training.start();
        runs.awaitStep(b, 20);
        assertThat(api.post("/api/v1/experiments/" + b + "/cancel").status()).isEqualTo(202);
        training.join(Duration.ofSeconds(120).toMillis());

        assertThat(training.isAlive()).isFalse();
        assertThat(runs.status(b)).isEqualTo("CANCELLED");
        assertThat(List.of(runs.status(a), runs.status(c))).containsOnly("SUCCEEDED");
        assertThat(runs.curves(a).get("train_loss").lastKey()).isEqualTo(400L);
    }

    @Test
    void aGracefulStopReleasesEveryLaneAndEachResumesFromItsOwnCheckpoint() throws Exception {
        long a = submit("lanes-resume-a", 64, 1, 0.003, 0.5, 300);
        long b = submit("lanes-resume-b", 64, 2, 0.001, 1.0, 300);
        Thread training = new Thread(() -> worker.runOnce("lanes-resume/0", 8));
        training.start();
        runs.awaitStep(a, 120);
        worker.releaseAll(); // what SIGTERM does: stop at a step boundary, checkpoint, back to the queue
        training.join(Duration.ofSeconds(60).toMillis());
        assertThat(List.of(runs.status(a), runs.status(b))).containsOnly("QUEUED");
        assertThat(jdbc.queryForList("select failures from job where experiment_id in (?, ?)", Integer.class, a, b))
                .containsOnly(0);

        assertThat(worker.runOnce("lanes-resume/0", 8)).isTrue();
        assertThat(List.of(runs.status(a), runs.status(b))).containsOnly("SUCCEEDED");
        assertThat(jdbc.queryForList("select attempt from job where experiment_id in (?, ?)", Integer.class, a, b))
                .containsOnly(2);

        long solo = submit("lanes-resume-solo-a", 64, 1, 0.003, 0.5, 300);
        assertThat(worker.runOnce("lanes-resume/0", 1)).isTrue();
        assertThat(runs.curves(a)).as("released and resumed as a lane, equal to an uninterrupted solo run")
                .isEqualTo(runs.curves(solo));
    }
}
