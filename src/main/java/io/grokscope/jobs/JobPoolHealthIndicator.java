package io.grokscope.jobs;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code jobPool} in {@code /actuator/health}: DOWN when this instance is meant to train but cannot (every worker
 * thread dead, or held by a run the watchdog gave up on), so an orchestrator replaces it instead of sending it work it
 * will never do. An instance with the pool disabled is UP: it serves the API only, by design.
 */
@Component
class JobPoolHealthIndicator implements HealthIndicator {

    private final JobWorker pool;

    JobPoolHealthIndicator(JobWorker pool) {
        this.pool = pool;
    }

    @Override
    public Health health() {
        JobWorker.Capacity capacity = pool.capacity();
        Health.Builder health = capacity.canTrain() ? Health.up() : Health.down();
        return health.withDetail("enabled", capacity.enabled())
                .withDetail("workers", capacity.workers())
                .withDetail("alive", capacity.alive())
                .withDetail("stalled", capacity.stalled())
                .build();
    }
}
