package grokscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.GrokscopeApplication;
import io.grokscope.analysis.Metric;
import io.grokscope.metrics.MetricPoint;
import io.grokscope.metrics.MetricQueries;
import io.grokscope.metrics.MetricSink;
import io.grokscope.metrics.MetricStore;
import io.grokscope.metrics.WriteFence;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.springframework.boot.autoconfigure.domain.EntityScan;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The metrics store's speed, measured in one run on one database (a benchmark, not a test):
 * <ol>
 * <li>ingest: rows/s of the production write path (sink → fenced COPY → INSERT … ON CONFLICT) against Spring Data
 * {@code saveAll} of the same rows and against a raw {@code COPY} of them;</li>
 * <li>query: a 1 000 000-point curve downsampled to 1 000 points in the database, against one plain indexed range scan
 * of the same rows, and the response size over HTTP;</li>
 * <li>pollers: 200 concurrent clients polling {@code /metrics?sinceStep=} while a run trains: throughput, p50/p99,
 * errors, and the training slowdown (steps/s with and without them).</li>
 * </ol>
 * Run: {@code mvn -Pbench -q test-compile exec:exec -Dbench.main=grokscope.bench.MetricsBenchmark}
 * (embedded PostgreSQL in a temporary folder; set {@code SPRING_DATASOURCE_URL} for another server).
 */
public final class MetricsBenchmark {

    private static final int INGEST_ROWS = 240_000;
    private static final int SAVE_ALL_ROWS = 24_000;
    private static final int CURVE_POINTS = 1_000_000;
    private static final int POLLERS = 200;
    private static final Duration POLL_PHASE = Duration.ofSeconds(30);

    /** Adds the benchmark's entity and repository to the service's JPA setup. */
    @Configuration(proxyBeanMethods = false)
    @EntityScan(basePackages = { "io.grokscope", "grokscope.bench" })
    @EnableJpaRepositories(basePackages = { "io.grokscope", "grokscope.bench" })
    static class BenchJpa {
    }

    public static void main(String[] args) throws Exception {
        Path data = Files.createTempDirectory("grokscope-bench");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(GrokscopeApplication.class,
                BenchJpa.class).properties("server.port=0", "grokscope.embedded-postgres.data-directory=" + data,
                        "logging.level.root=WARN", "spring.jpa.properties.hibernate.jdbc.batch_size=1000",
                        "spring.jpa.properties.hibernate.order_inserts=true").run(args)) {
            new MetricsBenchmark(context).run();
        }
        System.exit(0);
    }

    /** One mapper for the pollers (thread-safe): a new one per response would bill the load generator's warm-up. */
    private static final ObjectMapper CLIENT_JSON = new ObjectMapper();

    private final ConfigurableApplicationContext context;
    private final JdbcTemplate jdbc;
    private final int port;

    private MetricsBenchmark(ConfigurableApplicationContext context) {
        this.context = context;
        this.jdbc = context.getBean(JdbcTemplate.class);
        this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "PostgreSQL %s, %d cores%n",
                jdbc.queryForObject("show server_version", String.class), Runtime.getRuntime().availableProcessors());
        // -Dbench.only=pollers runs the poller phase alone (a minute instead of several)
        String only = System.getProperty("bench.only", "");
        if (only.isBlank() || only.equals("ingest")) {
            ingest();
        }
        if (only.isBlank() || only.equals("query")) {
            query();
        }
        if (only.isBlank() || only.equals("pollers")) {
            pollers();
        }
    }

    private long runningExperiment(String name) {
        return jdbc.queryForObject("with e as (insert into experiment (name, spec, operation, model_type,"
                + " total_steps) values (?, '{}'::jsonb, 'ADD', 'MLP', 1) returning id)"
                + " insert into job (experiment_id, status, attempt, worker, lease_expires_at)"
                + " select id, 'RUNNING', 1, 'bench/0', now() + interval '1 hour' from e returning experiment_id",
                Long.class, name);
    }

    /** The rows of a run with 12 metrics per step. */
    private static List<MetricPoint> rows(int count) {
        Metric[] metrics = Arrays.copyOf(Metric.values(), 12);
        List<MetricPoint> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            points.add(new MetricPoint(metrics[i % 12], i / 12, Math.sin(i) + 1.5));
        }
        return points;
    }

    private void ingest() throws Exception {
        MetricStore store = context.getBean(MetricStore.class);
        List<MetricPoint> points = rows(INGEST_ROWS);
        double production = 0;
        double copy = 0;
        for (int round = 0; round < 3; round++) {
            long id = runningExperiment("ingest");
            WriteFence fence = new WriteFence(id, 1, "bench/0");
            long start = System.nanoTime();
            try (MetricSink sink = store.open(fence)) {
                for (int from = 0; from < points.size(); from += 12) {
                    sink.offer(points.subList(from, from + 12)); // one step's points at a time, as training does
                }
            }
            production = Math.max(production, INGEST_ROWS / seconds(start));
            check(id, INGEST_ROWS);

            long raw = runningExperiment("raw-copy");
            String text = copyText(raw, points);
            start = System.nanoTime();
            context.getBean(TransactionTemplate.class).executeWithoutResult(status -> jdbc.execute(
                    (org.springframework.jdbc.core.ConnectionCallback<Long>) c -> {
                        try {
                            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                                    "copy metric_point (experiment_id, metric, step, value) from stdin",
                                    new StringReader(text));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
            copy = Math.max(copy, INGEST_ROWS / seconds(start));
            check(raw, INGEST_ROWS);
        }

        MetricRowRepository repository = context.getBean(MetricRowRepository.class);
        long jpa = runningExperiment("save-all");
        List<MetricRowEntity> entities = points.subList(0, SAVE_ALL_ROWS).stream()
                .map(p -> new MetricRowEntity(jpa, p.metric().wireName(), p.step(), p.value())).toList();
        long start = System.nanoTime();
        for (int from = 0; from < entities.size(); from += 1200) {
            repository.saveAll(entities.subList(from, from + 1200)); // 100 steps per call
        }
        double saveAll = SAVE_ALL_ROWS / seconds(start);
        check(jpa, SAVE_ALL_ROWS);

        System.out.printf(Locale.ROOT, "%nIngest (%,d rows, 12 metrics/step, best of 3; saveAll on %,d rows)%n",
                INGEST_ROWS, SAVE_ALL_ROWS);
        System.out.printf(Locale.ROOT, "  production path (sink, fenced COPY + INSERT ON CONFLICT): %,12.0f rows/s%n",
                production);
        System.out.printf(Locale.ROOT, "  raw COPY into metric_point:                              %,12.0f rows/s%n",
                copy);
        System.out.printf(Locale.ROOT, "  Spring Data saveAll (batch_size 1000):                   %,12.0f rows/s%n",
                saveAll);
        System.out.printf(Locale.ROOT, "  production / saveAll = %.1fx (target >= 10x); production / COPY = %.0f%%"
                + " (target >= 50%%)%n", production / saveAll, 100 * production / copy);
    }

    private void check(long id, long expected) {
        long stored = jdbc.queryForObject("select count(*) from metric_point where experiment_id = ?", Long.class, id);
        if (stored != expected) {
            throw new IllegalStateException("experiment " + id + " holds " + stored + " rows, not " + expected);
        }
    }

    private static String copyText(long id, List<MetricPoint> points) {
        StringBuilder text = new StringBuilder();
        for (MetricPoint p : points) {
            text.append(id).append('\t').append(p.metric().wireName()).append('\t').append(p.step()).append('\t')
                    .append(p.value()).append('\n');
        }
        return text.toString();
    }

    private void query() throws Exception {
        long id = runningExperiment("curve");
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) select ?, 'test_acc', s,"
                + " case when s < 700000 then 0.01 + 0.001 * sin(s) else 1 end from generate_series(0, ? - 1) s", id,
                CURVE_POINTS);
        jdbc.execute("vacuum analyze metric_point");
        MetricQueries queries = context.getBean(MetricQueries.class);
        MetricQueries.Range range = new MetricQueries.Range(null, null, null, 1000);
        double[] downsample = new double[7];
        double[] scan = new double[7];
        int returned = 0;
        for (int i = 0; i < downsample.length; i++) {
            long start = System.nanoTime();
            returned = queries.series(List.of(id), List.of(Metric.TEST_ACC), range).get(id).get(0).steps().length;
            downsample[i] = millis(start);
            start = System.nanoTime();
            long[] count = new long[1];
            jdbc.query("select step, value from metric_point where experiment_id = ? and metric = 'test_acc'"
                    + " order by step", rs -> {
                        count[0] += rs.getLong(1) > -1 ? 1 : 0;
                        rs.getDouble(2);
                    }, id);
            scan[i] = millis(start);
            if (count[0] != CURVE_POINTS) {
                throw new IllegalStateException("scan read " + count[0]);
            }
        }
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + port + "/api/v1/experiments/" + id + "/metrics?names=test_acc&maxPoints=1000"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        double d = median(downsample);
        double s = median(scan);
        System.out.printf(Locale.ROOT, "%nQuery (one curve of %,d points, median of %d)%n", CURVE_POINTS,
                downsample.length);
        System.out.printf(Locale.ROOT, "  downsampled to maxPoints=1000 in the database: %7.1f ms, %d points%n", d,
                returned);
        System.out.printf(Locale.ROOT, "  plain indexed range scan of all points:        %7.1f ms%n", s);
        System.out.printf(Locale.ROOT, "  ratio %.2fx (target <= 5x); HTTP response %,d bytes (status %d)%n", d / s,
                response.body().length, response.statusCode());
        jdbc.update("delete from experiment where id = ?", id);
    }

    private void pollers() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String spec = """
                {"name": "polled", "task": {"operation": "ADD", "modulus": 97, "trainFraction": 0.4, "seed": 1},
                 "model": {"type": "MLP", "embedDim": 64, "hiddenDims": [256]},
                 "training": {"steps": 1000000, "evalEvery": 10, "checkpointEvery": 1000, "seed": 2},
                 "analysis": {"progressMeasuresEvery": 100}}
                """;
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(uri("/api/v1/experiments"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(spec)).build(),
                HttpResponse.BodyHandlers.ofString());
        long id = new ObjectMapper().readTree(created.body()).get("id").asLong();
        awaitStep(client, id, 200);

        double alone = stepsPerSecond(id, POLL_PHASE.dividedBy(3));
        System.out.printf(Locale.ROOT, "%nPollers (%d clients, %d s each, /metrics?names=train_loss,test_acc&sinceStep="
                + " while an MLP p=97, hidden 256, trains at %.1f steps/s alone)%n", POLLERS, POLL_PHASE.toSeconds(),
                alone);
        pollPhase(client, id, Duration.ofSeconds(1), "one poll per second per client (a dashboard)", alone);
        pollPhase(client, id, Duration.ZERO, "no pause between polls (saturation)", alone);
        client.send(HttpRequest.newBuilder(uri("/api/v1/experiments/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void pollPhase(HttpClient client, long id, Duration pause, String label, double alone)
            throws InterruptedException {
        Latencies latencies = new Latencies();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + POLL_PHASE.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < POLLERS; i++) {
            long offset = pause.toMillis() * i / POLLERS; // spread the clients over the polling period
            Thread t = new Thread(() -> {
                long since = 0;
                Latencies.sleep(offset);
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/api/v1/experiments/" + id
                                + "/metrics?names=train_loss,test_acc&sinceStep=" + since)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        } else {
                            JsonNode steps = CLIENT_JSON.readTree(r.body()).at("/series/0/steps");
                            if (steps.size() > 0) {
                                since = steps.get(steps.size() - 1).asLong();
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    latencies.record(start);
                    Latencies.sleep(pause.toMillis() - (System.nanoTime() - start) / 1_000_000);
                }
            });
            t.start();
            threads.add(t);
        }
        Thread.sleep(POLL_PHASE.dividedBy(6).toMillis()); // let the pollers reach a steady state
        double polled = stepsPerSecond(id, POLL_PHASE.dividedBy(2));
        for (Thread t : threads) {
            t.join();
        }
        double[] millis = latencies.millisAt(0.5, 0.99);
        System.out.printf(Locale.ROOT, "  %s:%n    %,d requests, %.0f req/s, p50 %.1f ms, p99 %.1f ms, errors %d;"
                + " training %.1f steps/s (%.0f%% slower)%n", label, latencies.count(),
                latencies.count() / (double) POLL_PHASE.toSeconds(), millis[0], millis[1], errors.get(), polled,
                100 * (1 - polled / alone));
    }

    private double stepsPerSecond(long id, Duration window) throws InterruptedException {
        long from = progress(id);
        long start = System.nanoTime();
        Thread.sleep(window.toMillis());
        return (progress(id) - from) / seconds(start);
    }

    /** The last step with stored metrics (the training thread's progress, to within one eval interval). */
    private long progress(long id) {
        Long step = jdbc.queryForObject("select max(step) from metric_point where experiment_id = ?", Long.class, id);
        return step == null ? 0 : step;
    }

    private void awaitStep(HttpClient client, long id, long step) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (progress(id) < step) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the polled run never started");
            }
            Thread.sleep(100);
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
