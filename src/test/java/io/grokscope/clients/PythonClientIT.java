package io.grokscope.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.grokscope.support.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client (clients/python) against the packaged jar, started with API keys: its unittest suites run with
 * {@code python3} (or {@code GROKSCOPE_PYTHON}) and must pass; then the README's "Python" example runs against the
 * same service (its base URL the only change), and the Prometheus endpoint answers in Prometheus's text format.
 * .ci/run installs Debian's python3, python3-numpy and python3-pandas, so the DataFrame and array paths run too.
 */
class PythonClientIT {

    private static final String KEY = "python-client-it-key-0123456789";

    @TempDir
    Path work;

    @Test
    void theClientsTestsAndTheReadmeExamplePassAgainstThePackagedService() throws Exception {
        List<String> settings = List.of("--grokscope.embedded-postgres.data-directory=" + work.resolve("pg"),
                "--grokscope.security.api-keys=" + KEY);
        try (ServiceProcess service = ServiceProcess.start(work, "python-client", settings)) {
            String url = "http://localhost:" + service.port();
            Path client = Path.of("clients", "python").toAbsolutePath();
            Result tests = python(client, url, List.of("-m", "unittest", "discover", "-s", "tests", "-t", ".", "-v"));
            assertThat(tests.exit()).as("python3 -m unittest (clients/python)\n" + tests.output()).isZero();

            Path example = work.resolve("readme_example.py");
            Files.writeString(example, readmeExample().replace("http://localhost:8080", url));
            Result readme = python(client, url, List.of(example.toString()));
            assertThat(readme.exit()).as("README's Python example\n" + readme.output()).isZero();
            assertThat(readme.output()).contains("verdict");

            var scrape = service.api().get("/actuator/prometheus", "text/plain");
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.body()).containsPattern("(?m)^grokscope_training_steps_total(\\{.*})? [1-9]")
                    .contains("# TYPE grokscope_jobs_queued_experiments gauge");
        }
    }

    /** The first ```python block under the README's "## Python" heading. */
    static String readmeExample() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## Python\n");
        assertThat(section).as("README has a Python section").isPositive();
        Matcher block = Pattern.compile("```python\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find(section)).isTrue();
        return block.group(1);
    }

    private record Result(int exit, String output) {
    }

    private Result python(Path directory, String url, List<String> arguments) throws Exception {
        String interpreter = io.grokscope.support.PythonInterpreter.command();
        List<String> command = new java.util.ArrayList<>(List.of(interpreter));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("GROKSCOPE_URL", url);
        builder.environment().put("GROKSCOPE_API_KEY", KEY);
        builder.environment().put("PYTHONPATH", directory.toString());
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
