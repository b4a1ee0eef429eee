package io.grokscope.experiment;

import jakarta.persistence.LockModeType;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.repository.Repository;

/**
 * Experiments by id, and the only way the {@code experiment} table is written (V10: the job pool writes its own
 * {@code job} table, never this one). Filtered pages come from {@link ExperimentSearch}.
 */
interface ExperimentRepository extends Repository<Experiment, Long> {

    Experiment save(Experiment experiment);

    Optional<Experiment> findById(long id);

    /**
     * The row, locked until the transaction ends: an annotation reads, changes and writes it back, and two at once
     * simply take turns instead of one failing on the version check. Nothing else writes the row.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    Optional<Experiment> findLockedById(long id);

    void delete(Experiment experiment);

    List<Experiment> findByIdIn(Collection<Long> ids);

    /**
     * Locks the rows (in id order, so two callers cannot deadlock) until the transaction ends, for a bulk delete:
     * taken after their jobs' locks ({@link io.grokscope.jobs.JobQueue#lockForRemoval}), the order a worker's metric
     * write takes them in too.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    List<Experiment> findByIdInOrderById(Collection<Long> ids);
}
