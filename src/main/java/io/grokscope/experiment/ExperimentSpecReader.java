package io.grokscope.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.database.StoredJson;
import io.grokscope.spec.SpecReader;
import io.grokscope.training.RunConfig;
import org.springframework.stereotype.Component;

/** Reads stored specs (leniently, see {@link StoredJson}) for the job pool and the API: this feature owns the spec's JSON form. */
@Component
class ExperimentSpecReader implements SpecReader {

    private final ObjectMapper objectMapper;

    ExperimentSpecReader(StoredJson storedJson) {
        this.objectMapper = storedJson.mapper();
    }

    @Override
    public RunConfig runConfig(String specJson) {
        return read(specJson).toRunConfig();
    }

    ExperimentSpec read(String specJson) {
        try {
            return objectMapper.readValue(specJson, ExperimentSpec.class);
        } catch (JsonProcessingException e) {
            // An argument error: it will never read, so the job pool fails the run at once instead of retrying.
            throw new IllegalArgumentException("stored spec is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
