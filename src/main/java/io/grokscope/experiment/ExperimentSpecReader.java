package io.grokscope.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.jobs.SpecReader;
import io.grokscope.training.RunConfig;
import org.springframework.stereotype.Component;

/** Reads stored specs for the job pool: this feature owns the spec's JSON form. */
@Component
class ExperimentSpecReader implements SpecReader {

    private final ObjectMapper objectMapper;

    ExperimentSpecReader(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    @Override
    public RunConfig runConfig(String specJson) {
        return read(specJson).toRunConfig();
    }

    ExperimentSpec read(String specJson) {
        try {
            return objectMapper.readValue(specJson, ExperimentSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored spec is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
