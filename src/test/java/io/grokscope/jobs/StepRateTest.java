package io.grokscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The moving average behind {@code stepsPerSecond}. */
class StepRateTest {

    private static final long SECOND = 1_000_000_000L;

    /**
     * 10 steps/s sampled every 0.3 s (heartbeats) gives 10 at every sample once two exist, where a speed measured
     * between evaluations every 100 steps alternated between values depending on how samples fell.
     */
    @Test
    void isSteadyOnASteadyRun() {
        StepRate rate = new StepRate(Duration.ofSeconds(30));
        assertThat(rate.sample(0, 0)).isNull();
        for (int i = 1; i <= 300; i++) {
            long nanos = i * 3 * SECOND / 10;
            assertThat(rate.sample(nanos, 3L * i)).isCloseTo(10.0, within(1e-9));
        }
    }

    @Test
    void followsAChangeOfSpeedWithinItsWindow() {
        StepRate rate = new StepRate(Duration.ofSeconds(10));
        long step = 0;
        for (int s = 0; s <= 20; s++) {
            rate.sample(s * SECOND, step);
            step += 10;
        }
        Double last = null;
        for (int s = 21; s <= 40; s++) {
            step += 2;
            last = rate.sample(s * SECOND, step);
        }
        assertThat(last).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void startsAfreshWhenTheStepGoesBack() {
        StepRate rate = new StepRate(Duration.ofSeconds(10));
        rate.sample(0, 500);
        rate.sample(SECOND, 600);
        assertThat(rate.sample(2 * SECOND, 100)).isNull();
        assertThat(rate.sample(3 * SECOND, 105)).isCloseTo(5.0, within(1e-9));
    }
}
