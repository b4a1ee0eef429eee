package io.grokscope.jobs;

import io.grokscope.training.RunConfig;

/**
 * Turns a stored spec into what the training engine runs. Implemented by the experiment feature, which owns the
 * spec's format, so the job pool never parses it.
 */
public interface SpecReader {

    RunConfig runConfig(String specJson);
}
