package io.grokscope.experiment;

import jakarta.persistence.LockModeType;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.repository.Repository;

/** Experiments by id; filtered pages come from {@link ExperimentSearch}. */
interface ExperimentRepository extends Repository<Experiment, Long> {

    Experiment save(Experiment experiment);

    Optional<Experiment> findById(long id);

    /**
     * The row, locked until the transaction ends. Cancel and delete read with it: the job pool updates the same row
     * (heartbeats, progress, status) with plain SQL that bumps its version, so an unlocked read followed by a
     * versioned write would fail on any heartbeat in between; locked, the two simply take turns.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    Optional<Experiment> findLockedById(long id);

    void delete(Experiment experiment);

    List<Experiment> findByIdIn(Collection<Long> ids);

    /**
     * Locks the rows (in id order, so two callers cannot deadlock) until the transaction ends: the job pool's claim
     * skips locked rows and its fenced updates wait, so nothing starts or finishes under a bulk cancel or delete.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    List<Experiment> findByIdInOrderById(Collection<Long> ids);
}
