package grokscope.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.GrokscopeApplication;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A bounded load test of the whole service over loopback HTTP (a runnable class, not a test): submitters POST small
 * real experiments (tiny MLPs) concurrently, with bursts that run into the queue bound, while pollers read
 * {@code /experiments/{id}}, {@code /metrics?sinceStep=} and {@code /analysis} of the runs that train. It stops by
 * itself after the load phase and a bounded drain, then prints throughput, latency percentiles and errors per kind of
 * request, and reconciles: every experiment the service accepted (202) must be found through the API and be
 * SUCCEEDED, RUNNING or QUEUED (none lost, none FAILED), and the database's rows must say the same.
 *
 * <p>A 429 with {@code Retry-After} is the service's correct answer to a full queue: it is counted on its own, not as
 * an error, and the submitter waits as told and submits again.
 *
 * <p>Run: {@code mvn -Pbench -q test-compile exec:exec -Dbench.main=grokscope.bench.LoadTest}. It starts the service
 * in this JVM on 127.0.0.1 (embedded PostgreSQL in a temporary folder, or {@code SPRING_DATASOURCE_URL}); with
 * {@code -Dbench.url=http://127.0.0.1:8080} it targets a running one instead ({@code -Dbench.jdbc=jdbc:postgresql://…}
 * names that service's database for the SQL cross-check; user {@code postgres}). Only loopback addresses are accepted.
 * Bounds: {@code -Dbench.seconds} of load (default 90), {@code -Dbench.submitters} (4), {@code -Dbench.pollers} (200).
 */
public final class LoadTest {

    private static final int MAX_ACCEPTED = 300;
    private static final int BURST = 12;
    private static final Duration SUBMIT_PAUSE = Duration.ofMillis(500);
    private static final Duration POLL_PAUSE = Duration.ofSeconds(1);
    private static final Duration DRAIN = Duration.ofSeconds(120);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** The queue bound of a service this class starts itself: small, so that bursts reach it. */
    private static final int MAX_QUEUED = 25;
    private static final int STEPS = 300;
    private static final int EVAL_EVERY = 20;
    private static final String SPEC = """
            {"name": "%s", "task": {"operation": "ADD", "modulus": 23, "trainFraction": 0.5, "seed": %d},
             "model": {"type": "MLP", "embedDim": 16, "hiddenDims": [32]},
             "training": {"steps": %d, "evalEvery": %d, "checkpointEvery": 100, "seed": %d},
             "analysis": {"progressMeasuresEvery": 100}}
            """;

    /** The kinds of request, each with its own figures. */
    enum Kind {
        SUBMIT("POST /experiments"), EXPERIMENT("GET /experiments/{id}"),
        METRICS("GET /experiments/{id}/metrics?sinceStep="), ANALYSIS("GET /experiments/{id}/analysis");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** Latencies and answers of one kind: status code (or "timeout", "io-error") → count. */
    private static final class Tally {
        final Latencies latencies = new Latencies();
        final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

        void count(String outcome) {
            outcomes.computeIfAbsent(outcome, o -> new LongAdder()).increment();
        }

        long count(java.util.function.Predicate<String> which) {
            return outcomes.entrySet().stream().filter(e -> which.test(e.getKey()))
                    .mapToLong(e -> e.getValue().sum()).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        Duration load = Duration.ofSeconds(Long.getLong("bench.seconds", 90));
        int submitters = Integer.getInteger("bench.submitters", 4);
        int pollers = Integer.getInteger("bench.pollers", 200);
        String url = System.getProperty("bench.url", "");
        ConfigurableApplicationContext context = null;
        String base;
        JdbcTemplate jdbc;
        String target;
        if (url.isBlank()) {
            Path data = Files.createTempDirectory("grokscope-load");
            context = new SpringApplicationBuilder(GrokscopeApplication.class).properties("server.port=0",
                    "server.address=127.0.0.1", "grokscope.embedded-postgres.data-directory=" + data,
                    "grokscope.jobs.max-queued=" + MAX_QUEUED, "logging.level.root=WARN", "spring.main.banner-mode=off")
                    .run(args);
            base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
            jdbc = context.getBean(JdbcTemplate.class);
            target = "service started in this JVM on " + base + ", jobs.max-queued=" + MAX_QUEUED;
        } else {
            requireLoopback(url);
            base = url.replaceAll("/+$", "");
            String jdbcUrl = System.getProperty("bench.jdbc", "");
            jdbc = jdbcUrl.isBlank() ? null : new JdbcTemplate(new DriverManagerDataSource(jdbcUrl, "postgres", ""));
            target = "running service at " + base;
        }
        boolean consistent;
        try {
            consistent = new LoadTest(base, jdbc, load, submitters, pollers, target).run();
        } finally {
            if (context != null) {
                context.close();
            }
        }
        System.exit(consistent ? 0 : 1);
    }

    private static void requireLoopback(String url) throws IOException {
        String host = URI.create(url).getHost();
        if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
            throw new IllegalArgumentException("bench.url must be a loopback address, was " + url);
        }
    }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(REQUEST_TIMEOUT).build();
    private final String base;
    private final JdbcTemplate jdbc;
    private final Duration load;
    private final int submitters;
    private final int pollers;
    private final String target;
    private final String namePrefix = "load-" + System.currentTimeMillis() / 1000 + "-";
    private final Map<Kind, Tally> tallies = new EnumMap<>(Kind.class);
    private final List<Long> accepted = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger submissions = new AtomicInteger();
    private final LongAdder retriesAfter429 = new LongAdder();
    private long loadEnd;

    private LoadTest(String base, JdbcTemplate jdbc, Duration load, int submitters, int pollers, String target) {
        this.base = base;
        this.jdbc = jdbc;
        this.load = load;
        this.submitters = submitters;
        this.pollers = pollers;
        this.target = target;
        for (Kind kind : Kind.values()) {
            tallies.put(kind, new Tally());
        }
    }

    private boolean run() throws Exception {
        String loadBefore = loadAverage();
        System.out.printf(Locale.ROOT, "Load test against the %s%n", target);
        System.out.printf(Locale.ROOT, "%d s of load: %d submitters (one MLP p=23 of %d steps every %d ms, every"
                + " 4th round a burst of %d; 429 → wait Retry-After, submit again), %d pollers (every %d ms:"
                + " experiment, metrics since the last step seen, analysis of one of the 20 newest runs); then at most"
                + " %d s for the queue to drain%n", load.toSeconds(), submitters, STEPS, SUBMIT_PAUSE.toMillis(), BURST,
                pollers, POLL_PAUSE.toMillis(), DRAIN.toSeconds());
        System.out.printf(Locale.ROOT, "Machine: %d cores, load average before %s (shared with other agents' builds"
                + " and tests: the figures are indicative, not a capacity rating)%n",
                Runtime.getRuntime().availableProcessors(), loadBefore);

        long start = System.nanoTime();
        loadEnd = start + load.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < submitters; i++) {
            threads.add(started(new Thread(this::submit, "submitter-" + i)));
        }
        for (int i = 0; i < pollers; i++) {
            long offset = POLL_PAUSE.toMillis() * i / pollers; // spread the clients over the polling period
            threads.add(started(new Thread(() -> poll(offset), "poller-" + i)));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String loadAfter = loadAverage();
        Map<String, Long> atEndOfLoad = statuses();
        printRequests(seconds);
        System.out.printf(Locale.ROOT, "Load average at the end of the load: %s%n", loadAfter);
        System.out.printf(Locale.ROOT, "Accepted experiments at the end of the load: %d %s%n", accepted.size(),
                atEndOfLoad);

        long drained = drain();
        System.out.printf(Locale.ROOT, "Drain: %d s until nothing was QUEUED or RUNNING (bound %d s)%n", drained,
                DRAIN.toSeconds());
        return reconcile();
    }

    private static Thread started(Thread thread) {
        thread.start();
        return thread;
    }

    private void submit() {
        int round = 0;
        while (loading() && accepted.size() < MAX_ACCEPTED) {
            int count = round++ % 4 == 3 ? BURST : 1;
            for (int i = 0; i < count && loading(); i++) {
                submitUntilAnswered(submissions.incrementAndGet());
            }
            Latencies.sleep(SUBMIT_PAUSE.toMillis());
        }
    }

    /** Submits one experiment; on 429 waits as Retry-After says (if the load phase lasts that long) and retries. */
    private void submitUntilAnswered(int number) {
        String body = SPEC.formatted(namePrefix + number, number, STEPS, EVAL_EVERY, number);
        while (loading()) {
            HttpResponse<String> response = send(Kind.SUBMIT, HttpRequest.newBuilder(uri("/api/v1/experiments"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
            if (response == null || response.statusCode() != 202 && response.statusCode() != 429) {
                return; // counted as an error
            }
            if (response.statusCode() == 202) {
                accepted.add(read(response).get("id").asLong());
                return;
            }
            long wait = response.headers().firstValue("Retry-After").map(Long::parseLong).orElse(1L) * 1000;
            if (System.nanoTime() + wait * 1_000_000 > loadEnd) {
                // Honouring it means sending nothing before it passes, and the load phase ends first.
                Latencies.sleep((loadEnd - System.nanoTime()) / 1_000_000);
                return;
            }
            Latencies.sleep(wait);
            retriesAfter429.increment();
        }
    }

    private void poll(long offset) {
        Map<Long, Long> lastStep = new HashMap<>();
        Latencies.sleep(offset);
        while (loading()) {
            long start = System.nanoTime();
            Long id = recentExperiment();
            if (id != null) {
                String path = "/api/v1/experiments/" + id;
                send(Kind.EXPERIMENT, HttpRequest.newBuilder(uri(path)));
                Long since = lastStep.get(id);
                HttpResponse<String> metrics = send(Kind.METRICS, HttpRequest.newBuilder(uri(path
                        + "/metrics?names=train_loss,test_acc" + (since == null ? "" : "&sinceStep=" + since))));
                if (metrics != null && metrics.statusCode() == 200) {
                    for (JsonNode series : read(metrics).path("series")) {
                        JsonNode steps = series.path("steps");
                        if (steps.size() > 0) {
                            lastStep.merge(id, steps.get(steps.size() - 1).asLong(), Math::max);
                        }
                    }
                }
                send(Kind.ANALYSIS, HttpRequest.newBuilder(uri(path + "/analysis")));
            }
            Latencies.sleep(POLL_PAUSE.toMillis() - (System.nanoTime() - start) / 1_000_000);
        }
    }

    private Long recentExperiment() {
        synchronized (accepted) {
            if (accepted.isEmpty()) {
                return null;
            }
            int from = Math.max(0, accepted.size() - 20);
            return accepted.get(ThreadLocalRandom.current().nextInt(from, accepted.size()));
        }
    }

    /** Sends and tallies; null when no answer came (timeout, connection error). */
    private HttpResponse<String> send(Kind kind, HttpRequest.Builder request) {
        Tally tally = tallies.get(kind);
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            tally.latencies.record(start);
            tally.count(Integer.toString(response.statusCode()));
            return response;
        } catch (HttpTimeoutException e) {
            tally.count("timeout");
        } catch (IOException e) {
            tally.count("io-error");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private void printRequests(double seconds) {
        System.out.printf(Locale.ROOT, "%nRequests during %.0f s of load%n", seconds);
        System.out.printf(Locale.ROOT, "  %-44s %9s %8s %8s %8s %8s  %s%n", "kind", "requests", "req/s", "p50 ms",
                "p95 ms", "p99 ms", "answers");
        long errors = 0;
        for (Kind kind : Kind.values()) {
            Tally tally = tallies.get(kind);
            double[] ms = tally.latencies.millisAt(0.5, 0.95, 0.99);
            long answered = tally.latencies.count();
            System.out.printf(Locale.ROOT, "  %-44s %9d %8.1f %8.1f %8.1f %8.1f  %s%n", kind.label, answered,
                    answered / seconds, ms[0], ms[1], ms[2], new TreeMap<>(Map.copyOf(tally.outcomes)));
            String expected = kind == Kind.SUBMIT ? "202" : "200";
            errors += tally.count(outcome -> !outcome.equals(expected) && !outcome.equals("429"));
        }
        Tally submit = tallies.get(Kind.SUBMIT);
        long all = tallies.values().stream().mapToLong(t -> t.count(o -> true)).sum();
        System.out.printf(Locale.ROOT, "  429 (queue full, Retry-After honoured): %d, then resubmitted %d times%n",
                submit.count("429"::equals), retriesAfter429.sum());
        System.out.printf(Locale.ROOT, "  errors: %d of %d requests (5xx %d, timeouts %d, connection errors %d,"
                + " other %d)%n", errors, all, tallies.values().stream().mapToLong(t -> t.count(o -> o.startsWith("5")))
                        .sum(), tallies.values().stream().mapToLong(t -> t.count("timeout"::equals)).sum(),
                tallies.values().stream().mapToLong(t -> t.count("io-error"::equals)).sum(),
                errors - tallies.values().stream().mapToLong(t -> t.count(o -> o.startsWith("5") || o.equals("timeout")
                        || o.equals("io-error"))).sum());
    }

    /** Waits (bounded) until none of the accepted experiments is QUEUED or RUNNING; returns the seconds waited. */
    private long drain() {
        long start = System.nanoTime();
        long deadline = start + DRAIN.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Long> now = statuses();
            if (now.getOrDefault("QUEUED", 0L) + now.getOrDefault("RUNNING", 0L) == 0) {
                break;
            }
            Latencies.sleep(1000);
        }
        return Math.round((System.nanoTime() - start) / 1e9);
    }

    /** Each accepted experiment's status through the API ("missing" when it is not found, "error" when unreadable). */
    private Map<Long, String> apiStatuses() {
        Map<Long, String> statuses = new TreeMap<>();
        for (Long id : List.copyOf(accepted)) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/v1/experiments/" + id))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                statuses.put(id, response.statusCode() == 404 ? "missing" : response.statusCode() != 200 ? "error"
                        : read(response).get("status").asText());
            } catch (IOException e) {
                statuses.put(id, "error");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                statuses.put(id, "error");
            }
        }
        return statuses;
    }

    private Map<String, Long> statuses() {
        Map<String, Long> counts = new TreeMap<>();
        apiStatuses().values().forEach(status -> counts.merge(status, 1L, Long::sum));
        return counts;
    }

    /** True when nothing accepted was lost or failed and the database agrees with the API. */
    private boolean reconcile() {
        Map<Long, String> api = apiStatuses();
        Map<String, Long> counts = new TreeMap<>();
        api.values().forEach(status -> counts.merge(status, 1L, Long::sum));
        long bad = api.values().stream().filter(s -> !List.of("SUCCEEDED", "RUNNING", "QUEUED").contains(s)).count();
        System.out.printf(Locale.ROOT, "%nReconciliation: %d accepted (202); through the API %s: %s%n",
                accepted.size(), counts, bad == 0 ? "none lost, none failed" : bad + " LOST, FAILED OR UNREADABLE");
        if (jdbc == null) {
            System.out.println("SQL cross-check skipped: give -Dbench.jdbc=<the service's database URL>");
            return bad == 0;
        }
        Long[] ids = api.keySet().toArray(Long[]::new);
        Map<Long, String> rows = new TreeMap<>();
        jdbc.query("select experiment_id, status from job where experiment_id = any(?)",
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("bigint", ids)),
                rs -> {
                    rows.put(rs.getLong(1), rs.getString(2));
                });
        long named = jdbc.queryForObject("select count(*) from experiment where name like ?", Long.class,
                namePrefix + "%");
        long expectedEvaluations = STEPS / EVAL_EVERY + 1;
        List<Long> incomplete = jdbc.query("""
                select j.experiment_id from job j where j.experiment_id = any(?) and j.status = 'SUCCEEDED'
                  and (select count(*) from metric_point m where m.experiment_id = j.experiment_id
                       and m.metric = 'test_acc') <> ?
                """, ps -> {
                    ps.setArray(1, ps.getConnection().createArrayOf("bigint", ids));
                    ps.setLong(2, expectedEvaluations);
                }, (rs, i) -> rs.getLong(1));
        long succeeded = rows.values().stream().filter("SUCCEEDED"::equals).count();
        // The verdict is summarised onto the row after each run (a best effort: the analysis stays available anyway).
        long withVerdict = jdbc.query("select count(*) from job where experiment_id = any(?) and status = 'SUCCEEDED'"
                + " and verdict is not null", ps -> ps.setArray(1, ps.getConnection().createArrayOf("bigint", ids)),
                (rs, i) -> rs.getLong(1)).get(0);
        long submitTimeouts = tallies.get(Kind.SUBMIT).count("timeout"::equals);
        boolean sameStatuses = rows.equals(api);
        // A submission that timed out may still have been stored: only such rows may be unaccounted for.
        boolean noStrayRows = named >= accepted.size() && named - accepted.size() <= submitTimeouts;
        System.out.printf(Locale.ROOT, "SQL cross-check: %d experiment rows for the %d accepted ids, statuses equal"
                + " to the API's: %s; rows named %s*: %d (accepted %d, submissions that timed out %d): %s;"
                + " SUCCEEDED runs with all %d evaluations stored: %d of %d, with their verdict on the row: %d%n",
                rows.size(), ids.length, sameStatuses ? "yes" : "NO", namePrefix, named, accepted.size(),
                submitTimeouts, noStrayRows ? "no stray rows" : "MISMATCH", expectedEvaluations,
                succeeded - incomplete.size(), succeeded, withVerdict);
        boolean consistent = bad == 0 && sameStatuses && noStrayRows && incomplete.isEmpty();
        System.out.println(consistent ? "Result: consistent" : "Result: INCONSISTENT (see above)");
        return consistent;
    }

    private JsonNode read(HttpResponse<String> response) {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable JSON from " + response.uri(), e);
        }
    }

    private boolean loading() {
        return System.nanoTime() < loadEnd;
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
