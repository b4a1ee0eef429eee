package io.grokscope.experiment;

import io.grokscope.analysis.Evidence;
import io.grokscope.analysis.FirstCrossing;
import io.grokscope.analysis.Phase;
import io.grokscope.analysis.PhaseAnalysis;
import io.grokscope.analysis.PhaseThresholds;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Completes the served schemas of the analysis records, which live in the plain-Java core and so carry no OpenAPI
 * annotations: every component is always written (required), and the boxed ones (a step that was not reached) may
 * be null. Derived from the records themselves, so the schema follows the code.
 */
@Component
class AnalysisSchemas implements OpenApiCustomizer {

    private static final List<Class<? extends Record>> RECORDS = List.of(PhaseAnalysis.class, Phase.class, io.grokscope.analysis.Instability.class,
            Evidence.class, FirstCrossing.class, PhaseThresholds.class);

    @Override
    @SuppressWarnings({ "rawtypes", "unchecked" })
    public void customise(io.swagger.v3.oas.models.OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents().getSchemas();
        for (Class<? extends Record> type : RECORDS) {
            Schema<?> schema = schemas.get(type.getSimpleName());
            if (schema == null || schema.getProperties() == null) {
                continue;
            }
            List<String> required = new ArrayList<>();
            for (RecordComponent component : type.getRecordComponents()) {
                Schema<?> property = schema.getProperties().get(component.getName());
                if (property == null) {
                    continue;
                }
                required.add(component.getName());
                if (!component.getType().isPrimitive() && property.get$ref() == null
                        && !"array".equals(property.getType()) && !component.getType().isEnum()
                        && component.getType() != String.class) {
                    property.setNullable(true);
                }
            }
            schema.setRequired(required);
        }
    }
}
