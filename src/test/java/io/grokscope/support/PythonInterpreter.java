package io.grokscope.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Python that tests run: {@code GROKSCOPE_PYTHON} when set, else the first of Debian's {@code /usr/bin/python3}
 * and the {@code python3} on the path that imports NumPy. Why not simply {@code python3}: on machines with a version
 * manager (pyenv) first on the path, that interpreter lacks the Debian packages {@code .ci/run} installs, and the
 * tests that read checkpoints back with NumPy would fail for a reason that has nothing to do with the service.
 */
public final class PythonInterpreter {

    private static final String CHOSEN = choose();

    private PythonInterpreter() {
    }

    public static String command() {
        return CHOSEN;
    }

    private static String choose() {
        String configured = System.getenv("GROKSCOPE_PYTHON");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String candidate : new String[] { "/usr/bin/python3", "python3" }) {
            if ((candidate.startsWith("/") && !Files.isExecutable(Path.of(candidate))) || !importsNumpy(candidate)) {
                continue;
            }
            return candidate;
        }
        return "python3";
    }

    private static boolean importsNumpy(String interpreter) {
        try {
            Process process = new ProcessBuilder(interpreter, "-c", "import numpy").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
