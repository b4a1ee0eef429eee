package io.grokscope.spec;

import io.grokscope.training.RunConfig;

/**
 * Turns a stored spec into what the training engine runs. Implemented by the experiment feature, which owns the
 * spec's format, so the job pool never parses it. In a package of its own, beneath the job pool, the parameter history
 * and the experiment feature, because all three read stored specs and none may depend on another for it (the
 * features form no cycles: ArchitectureTest).
 */
public interface SpecReader {

    RunConfig runConfig(String specJson);
}
