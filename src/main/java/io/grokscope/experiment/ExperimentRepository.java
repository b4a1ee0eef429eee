package io.grokscope.experiment;

import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.repository.Repository;
import java.util.Optional;

/** Experiments by id, and filtered pages of them (see {@link ExperimentFilters}). */
interface ExperimentRepository extends Repository<Experiment, Long>, JpaSpecificationExecutor<Experiment> {

    Experiment save(Experiment experiment);

    Optional<Experiment> findById(long id);

    void delete(Experiment experiment);
}
