package io.grokscope.support;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Points the application context at {@link TestDatabase}. */
public class TestDatabaseInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        TestDatabase.Coordinates db = TestDatabase.get();
        TestPropertyValues.of(
                "spring.datasource.url=" + db.url(),
                "spring.datasource.username=" + db.user(),
                "spring.datasource.password=" + db.password(),
                // Tests drive the job pool one poll at a time (JobWorker.runOnce) instead of background workers.
                "grokscope.jobs.enabled=false",
                // Short leases so recovery tests run in seconds; a high bound so tests' queued rows never hit it.
                "grokscope.jobs.lease-duration=2s",
                "grokscope.jobs.heartbeat-interval=200ms",
                "grokscope.jobs.poll-interval=100ms",
                "grokscope.jobs.max-queued=1000",
                // One job per poll, as the tests that count polls expect; LaneGroupTest claims groups explicitly
                // (JobWorker.runOnce(worker, lanes)). The packaged service's default (16) runs in the ITs.
                "grokscope.jobs.max-lanes=1",
                // Spring Boot's tests turn metric exporters off; the Prometheus endpoint is part of the service.
                "management.prometheus.metrics.export.enabled=true")
                .applyTo(context.getEnvironment());
    }
}
