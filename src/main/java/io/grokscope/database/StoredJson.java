package io.grokscope.database;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

/**
 * The JSON mapper for what the service reads back from its own tables (stored specs, sweeps), apart from the strict
 * one that reads requests.
 *
 * <p>A request with an unknown field is a client's typo and is refused. A stored document with an unknown field was
 * written by another version of the service (a field renamed or dropped since): refusing it would break GET, list and
 * resume for every old row, so unknown fields are ignored here. Everything else (types, formats, modules) is the
 * request mapper's, so what was written reads back the same.
 */
@Component
public class StoredJson {

    private final ObjectMapper mapper;

    StoredJson(ObjectMapper requestMapper) {
        this.mapper = requestMapper.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public ObjectMapper mapper() {
        return mapper;
    }
}
