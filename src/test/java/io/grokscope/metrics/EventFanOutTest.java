package io.grokscope.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One client that stops reading its event stream must not hold up the others: before, one poller thread wrote every
 * stream synchronously, so a full socket froze every live page of the instance.
 */
@IntegrationTest
class EventFanOutTest {

    private static final String SPEC = """
            {"name": "fan-out", "task": {"operation": "ADD", "modulus": 23},
             "model": {"type": "MLP", "embedDim": 8, "hiddenDims": [16]}, "training": {"steps": 900000}}""";
    /** Enough history that the stalled client's replay is far larger than any socket buffer (about 15 MB). */
    private static final int HISTORY_STEPS = 60_000;

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aStalledClientDoesNotHoldUpALiveOne() throws Exception {
        Api api = new Api(port);
        long id = api.postJson("/api/v1/experiments", SPEC).json().get("id").asLong();
        jdbc.update("insert into metric_point (experiment_id, metric, step, value) select ?, m, s, s * 0.001"
                + " from generate_series(1, ?) s, unnest(array['train_loss', 'test_loss', 'train_acc', 'test_acc',"
                + " 'weight_norm', 'grad_norm']) m", id, HISTORY_STEPS);
        try (Socket stalled = new Socket(); Socket live = new Socket()) {
            stalled.setReceiveBufferSize(4096); // and never read: the server's writes to it block once buffers fill
            stalled.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            request(stalled, id, -1);
            // let the stalled stream's replay fill its socket, so a synchronous writer would now be stuck on it
            Thread.sleep(3_000);

            live.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            live.setSoTimeout(30_000);
            request(live, id, HISTORY_STEPS); // the live page has seen everything so far
            AtomicLong newest = new AtomicLong(-1);
            java.util.List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread reader = new Thread(() -> readIds(live, newest, seen), "live-sse-reader");
            reader.setDaemon(true);
            reader.start();

            for (int round = 1; round <= 3; round++) {
                long step = HISTORY_STEPS + round * 10L;
                jdbc.update("insert into metric_point (experiment_id, metric, step, value) values (?, 'train_loss',"
                        + " ?, 0.5)", id, step);
                Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
                while (newest.get() < step && Instant.now().isBefore(deadline)) {
                    Thread.sleep(50);
                }
                assertThat(newest.get()).as("the live client received step %d beside the stalled one; it read %s;"
                        + " event threads: %s", step, seen.subList(0, Math.min(12, seen.size())), eventThreads())
                        .isGreaterThanOrEqualTo(step);
            }
        } finally {
            api.post("/api/v1/experiments/" + id + "/cancel");
            api.delete("/api/v1/experiments/" + id);
        }
    }

    private static void request(Socket socket, long id, long lastEventId) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(("GET /api/v1/experiments/" + id + "/events HTTP/1.1\r\nHost: localhost\r\n"
                + "Accept: text/event-stream\r\n" + (lastEventId >= 0 ? "Last-Event-ID: " + lastEventId + "\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Records the highest event id read (chunked framing lines are simply not "id:" lines). */
    private static String eventThreads() {
        StringBuilder threads = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("grokscope-events")) {
                threads.append("\n").append(thread.getName()).append(' ').append(thread.getState());
                for (int i = 0; i < Math.min(8, stack.length); i++) {
                    threads.append("\n    at ").append(stack[i]);
                }
            }
        });
        return threads.toString();
    }

    private static void readIds(Socket socket, AtomicLong newest, java.util.List<String> seen) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                seen.add(line);
                if (line.startsWith("id:")) {
                    newest.accumulateAndGet(Long.parseLong(line.substring(3).trim()), Math::max);
                }
            }
        } catch (Exception e) {
            // the test ended and closed the socket
        }
    }
}
