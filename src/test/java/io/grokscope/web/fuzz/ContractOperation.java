package io.grokscope.web.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One operation of the contract, as much of it as a fuzzer needs: where it lives, its parameters and the valid request
 * bodies the contract gives as examples. Read from {@code openapi/grokscope.yaml} itself, so an operation added there
 * is fuzzed without anyone remembering to.
 */
record ContractOperation(String method, String path, Set<String> methodsOfPath, List<ParameterSpec> parameters,
        List<JsonNode> bodyExamples, List<String> produces) {

    /** A parameter's name, place ({@code path}, {@code query}, {@code header}) and schema essentials. */
    record ParameterSpec(String name, String in, boolean required, String type, List<String> enumValues,
            BigDecimal minimum, BigDecimal maximum, Integer maxLength, Integer maxItems) {

        boolean numeric() {
            return "integer".equals(type) || "number".equals(type);
        }
    }

    String key() {
        return method + " " + path;
    }

    /** What a client generated from the contract accepts: the success media types, and problem details. */
    String accept() {
        List<String> types = new ArrayList<>(produces);
        types.add("application/problem+json");
        return String.join(", ", types);
    }

    boolean hasBody() {
        return !bodyExamples.isEmpty();
    }

    boolean hasPathId() {
        return path.contains("{id}");
    }

    /** A POST to a collection: what it accepts is a new resource, which the fuzzer must account for. */
    boolean creates() {
        return method.equals("POST") && !hasPathId();
    }

    /** Changes an existing resource (cancel, delete): only ever pointed at resources that may change. */
    boolean changesExisting() {
        return !method.equals("GET") && hasPathId();
    }

    static List<ContractOperation> read(Path contract) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        OpenAPI api = new OpenAPIV3Parser().read(contract.toString(), null, options);
        if (api == null) {
            throw new IllegalStateException(contract + " does not parse");
        }
        List<ContractOperation> operations = new ArrayList<>();
        api.getPaths().forEach((path, item) -> {
            Set<String> methods = new TreeSet<>();
            item.readOperationsMap().keySet().forEach(m -> methods.add(m.name()));
            item.readOperationsMap().forEach((method, operation) -> {
                List<ParameterSpec> parameters = new ArrayList<>();
                List<Parameter> declared = new ArrayList<>();
                if (item.getParameters() != null) {
                    declared.addAll(item.getParameters());
                }
                if (operation.getParameters() != null) {
                    declared.addAll(operation.getParameters());
                }
                declared.forEach(p -> parameters.add(spec(api, p)));
                List<JsonNode> examples = new ArrayList<>();
                if (operation.getRequestBody() != null) {
                    MediaType json = operation.getRequestBody().getContent().get("application/json");
                    if (json == null || json.getExamples() == null || json.getExamples().isEmpty()) {
                        throw new IllegalStateException(method + " " + path
                                + " takes a body but the contract gives no application/json example to mutate");
                    }
                    json.getExamples().values().forEach(e -> examples.add(Json.mapper().valueToTree(e.getValue())));
                }
                Set<String> produces = new java.util.LinkedHashSet<>();
                operation.getResponses().forEach((code, response) -> {
                    if (code.startsWith("2") && response.getContent() != null) {
                        produces.addAll(response.getContent().keySet());
                    }
                });
                operations.add(new ContractOperation(method.name(), path, methods, List.copyOf(parameters),
                        List.copyOf(examples), List.copyOf(produces)));
            });
        });
        return operations;
    }

    private static ParameterSpec spec(OpenAPI api, Parameter parameter) {
        Schema<?> schema = parameter.getSchema();
        if (schema != null && schema.get$ref() != null) {
            schema = api.getComponents().getSchemas().get(schema.get$ref().replace("#/components/schemas/", ""));
        }
        String type = schema == null ? "string" : schema.getType();
        List<String> enumValues = schema == null || schema.getEnum() == null ? List.of()
                : schema.getEnum().stream().map(String::valueOf).toList();
        return new ParameterSpec(parameter.getName(), parameter.getIn(), Boolean.TRUE.equals(parameter.getRequired()),
                type == null ? "string" : type, enumValues, schema == null ? null : schema.getMinimum(),
                schema == null ? null : schema.getMaximum(), schema == null ? null : schema.getMaxLength(),
                schema == null ? null : schema.getMaxItems());
    }
}
