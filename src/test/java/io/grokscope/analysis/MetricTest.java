package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricTest {

    // "The API notes" are docs/api-intent.md: their metrics and the two added since, in the order it gives.
    @Test
    void everyMetricOfTheApiNotesHasItsWireName() {
        assertThat(Arrays.stream(Metric.values()).map(Metric::wireName)).containsExactly("train_loss", "train_acc",
                "test_loss", "test_acc", "weight_norm", "weight_norm_sq", "embed_norm", "grad_norm", "learning_rate",
                "fourier_gini_embed", "fourier_gini_unembed", "fourier_key_fraction", "restricted_loss",
                "excluded_loss", "excluded_loss_max");
    }

    @Test
    void wireNamesRoundTrip() {
        for (Metric metric : Metric.values()) {
            assertThat(Metric.fromWireName(metric.wireName())).isSameAs(metric);
        }
    }

    @Test
    void unknownNamesFailLoudlyListingTheValidOnes() {
        assertThatThrownBy(() -> Metric.fromWireName("TRAIN_LOSS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'TRAIN_LOSS'")
                .hasMessageContaining("train_loss, train_acc");
        assertThatThrownBy(() -> Metric.fromWireName(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonUsesTheWireName() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(json.writeValueAsString(List.of(Metric.TEST_ACC, Metric.EXCLUDED_LOSS)))
                .isEqualTo("[\"test_acc\",\"excluded_loss\"]");
        assertThat(json.readValue("\"fourier_key_fraction\"", Metric.class)).isEqualTo(Metric.FOURIER_KEY_FRACTION);
    }
}
