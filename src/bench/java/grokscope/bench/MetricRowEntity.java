package grokscope.bench;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;

/**
 * A {@code metric_point} row as a JPA entity, only so that the benchmark can time Spring Data's {@code saveAll}
 * against the production write path. The service itself never maps metric rows to entities.
 */
@Entity
@Table(name = "metric_point")
@IdClass(MetricRowEntity.Key.class)
public class MetricRowEntity {

    @Id
    @Column(name = "experiment_id")
    private long experimentId;

    @Id
    private String metric;

    @Id
    private long step;

    private double value;

    protected MetricRowEntity() {
    }

    MetricRowEntity(long experimentId, String metric, long step, double value) {
        this.experimentId = experimentId;
        this.metric = metric;
        this.step = step;
        this.value = value;
    }

    /** The composite primary key. */
    public static class Key implements Serializable {
        private long experimentId;
        private String metric;
        private long step;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.experimentId == experimentId && k.metric.equals(metric) && k.step == step;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(experimentId, metric, step);
        }
    }
}
