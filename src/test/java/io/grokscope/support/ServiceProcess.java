package io.grokscope.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged service started as a separate JVM ({@code java -jar}), for tests that kill it, restart it or run two
 * of it. Its output goes to a log file next to its data, shown when a test fails.
 */
public final class ServiceProcess implements AutoCloseable {

    /** Generous: on a loaded shared machine a start (initdb, migrations, ND4J) has taken over two minutes. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(240);

    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the jar with these {@code --key=value} arguments and waits until it reports healthy. */
    public static ServiceProcess start(Path workDirectory, String name, List<String> arguments) {
        return start(workDirectory, name, List.of("-Xmx1g"), arguments);
    }

    /**
     * Starts the jar with these JVM options (e.g. {@code -Xmx1g}, {@code -Dkey=value}) and {@code --key=value}
     * arguments, and waits until it reports healthy.
     */
    public static ServiceProcess start(Path workDirectory, String name, List<String> jvmOptions,
            List<String> arguments) {
        String jar = System.getProperty("grokscope.jar");
        if (jar == null) {
            throw new IllegalStateException("system property grokscope.jar is not set (run through mvn verify)");
        }
        int port = freePort();
        Path log = workDirectory.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar, "--server.port=" + port));
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).directory(workDirectory.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ServiceProcess service = new ServiceProcess(process, port, log);
            try {
                service.awaitHealthy(jvmOptions.contains("-Xmx256m") ? Duration.ofSeconds(300) : STARTUP_TIMEOUT);
            } catch (RuntimeException e) {
                process.destroyForcibly(); // never leave a half-started service (and its database) behind
                throw e;
            }
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitHealthy(Duration timeout) {
        Api api = new Api(port);
        Instant deadline = Instant.now().plus(timeout);
        String lastHealth = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; see " + log);
            }
            try {
                Api.Response health = api.get("/actuator/health");
                if (health.status() == 200) {
                    return;
                }
                lastHealth = health.status() + " " + health.body();
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            sleep(250);
        }
        throw new IllegalStateException("the service did not become healthy in " + timeout + " (last health: "
                + lastHealth + "); see " + log + ", which ends:\n" + tail(log, 4000));
    }

    private static String tail(Path file, int characters) {
        try {
            String text = java.nio.file.Files.readString(file);
            return text.substring(Math.max(0, text.length() - characters));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    public Api api() {
        return new Api(port);
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** Whether the JVM is still running (false after it exited, e.g. killed itself). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the JVM to exit by itself; true when it did. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * SIGTERM, as {@code docker stop} or Kubernetes sends it, and the time until the JVM exited (killed after 90 s).
     */
    public Duration terminate() throws InterruptedException {
        long started = System.nanoTime();
        process.destroy();
        if (!process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** SIGKILL: no shutdown hooks, no graceful release, the embedded PostgreSQL is left behind. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: a graceful shutdown. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
