package grokscope.bench;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data's repository for the benchmark's {@code saveAll} baseline. */
interface MetricRowRepository extends JpaRepository<MetricRowEntity, MetricRowEntity.Key> {
}
