package io.grokscope.database;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deals with an embedded server left running by a JVM that died without shutting it down (kill -9, OOM kill).
 *
 * <p>PostgreSQL outlives its parent: the orphan keeps the data directory locked through {@code postmaster.pid}, and the
 * next start would fail. Its clients died with the old JVM, so a smart shutdown (SIGTERM) completes at once and loses
 * nothing: every committed transaction is already in the WAL.
 */
final class StaleServer {

    private static final Logger log = LoggerFactory.getLogger(StaleServer.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    private StaleServer() {
    }

    /**
     * Stops a server that still runs on {@code dataDirectory} although no live JVM owns it. A live owner holds the
     * embedded server's lock file ({@code epg-lock}); then the directory is in use and starting is refused.
     */
    static void stopIfOrphaned(Path dataDirectory) throws IOException {
        if (!Files.exists(dataDirectory.resolve("PG_VERSION"))) {
            return; // not initialised yet (initdb needs the directory empty, so no lock file is created here)
        }
        Path lockFile = dataDirectory.resolve("epg-lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw inUse(dataDirectory);
            }
            runningServer(dataDirectory).ifPresent(StaleServer::stop);
        } catch (OverlappingFileLockException e) {
            throw inUse(dataDirectory);
        }
    }

    private static IllegalStateException inUse(Path dataDirectory) {
        return new IllegalStateException("the embedded PostgreSQL in " + dataDirectory
                + " is in use by another running Grokscope; stop it or choose another grokscope.embedded-postgres"
                + ".data-directory");
    }

    private static Optional<ProcessHandle> runningServer(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        return lines.isEmpty() ? Optional.empty() : parsePid(lines.get(0))
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(true));
    }

    private static void stop(ProcessHandle process) {
        log.warn("Stopping orphaned embedded PostgreSQL (pid {}) left by a previous run", process.pid());
        process.destroy();
        Instant deadline = Instant.now().plus(SHUTDOWN_WAIT);
        while (process.isAlive() && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping an orphaned PostgreSQL", e);
            }
        }
        if (process.isAlive()) {
            throw new IllegalStateException("orphaned PostgreSQL (pid " + process.pid() + ") did not stop within "
                    + SHUTDOWN_WAIT.toSeconds() + " s");
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
