package io.grokscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The contract in {@code openapi/grokscope.yaml} and the running service agree: the same paths and operations, the
 * same parameters, request bodies and success responses, and the same schemas (properties, types, required fields,
 * enum values, bounds, discriminators). Prose (descriptions, summaries, examples) and the error responses, which the
 * service's one problem-details handler produces for every operation, are documentation and are not compared.
 */
@IntegrationTest
class ContractTest {

    /** Keys that are documentation, not contract. */
    private static final Set<String> PROSE = Set.of("description", "summary", "example", "examples", "title",
            "externalDocs", "tags");
    /** Schemas only the contract has: the problem-details bodies of error responses. */
    private static final Set<String> ERROR_SCHEMAS = Set.of("Problem", "ValidationProblem", "FieldError");

    @LocalServerPort
    int port;

    OpenAPI contract;
    OpenAPI served;

    @BeforeEach
    void load() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(false);
        contract = new OpenAPIV3Parser().readContents(Files.readString(Path.of("openapi/grokscope.yaml")), null,
                options).getOpenAPI();
        served = new OpenAPIV3Parser().readContents(new Api(port).get("/v3/api-docs").body(), null, options)
                .getOpenAPI();
        assertThat(contract).as("openapi/grokscope.yaml parses").isNotNull();
        assertThat(served).as("/v3/api-docs parses").isNotNull();
    }

    @Test
    void pathsAndOperationsAgree() {
        assertThat(operations(contract).keySet()).isEqualTo(operations(served).keySet());
    }

    @Test
    void everyOperationAgreesOnParametersBodiesAndSuccessResponses() {
        Map<String, Operation> served = operations(this.served);
        List<String> differences = new ArrayList<>();
        operations(contract).forEach((key, operation) -> {
            Operation actual = served.get(key);
            if (actual != null) {
                compare(key, normalise(operation), normalise(actual), differences);
            }
        });
        assertThat(differences).isEmpty();
    }

    @Test
    void everySchemaAgrees() {
        var contractSchemas = new TreeMap<>(contract.getComponents().getSchemas());
        var servedSchemas = new TreeMap<>(served.getComponents().getSchemas());
        Set<String> onlyInContract = new TreeSet<>(contractSchemas.keySet());
        onlyInContract.removeAll(servedSchemas.keySet());
        Set<String> onlyServed = new TreeSet<>(servedSchemas.keySet());
        onlyServed.removeAll(contractSchemas.keySet());

        assertThat(onlyServed).as("schemas the service has but the contract lacks").isEmpty();
        assertThat(onlyInContract).as("schemas only the contract has").isSubsetOf(ERROR_SCHEMAS);
        List<String> differences = new ArrayList<>();
        servedSchemas.forEach((name, schema) -> compare("#/components/schemas/" + name,
                strip(Json.mapper().valueToTree(contractSchemas.get(name))), strip(Json.mapper().valueToTree(schema)),
                differences));
        assertThat(differences).isEmpty();
    }

    @Test
    void theErrorSchemaMatchesTheErrorsTheServiceWrites() {
        JsonNode fieldError = Json.mapper().valueToTree(contract.getComponents().getSchemas().get("FieldError"));
        Set<String> documented = new TreeSet<>();
        fieldError.get("properties").fieldNames().forEachRemaining(documented::add);
        Set<String> written = new TreeSet<>();
        Arrays.stream(FieldError.class.getRecordComponents()).forEach(c -> written.add(c.getName()));
        assertThat(documented).isEqualTo(written);
    }

    /** "METHOD path" → operation. */
    private static Map<String, Operation> operations(OpenAPI api) {
        Map<String, Operation> operations = new TreeMap<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((PathItem.HttpMethod method, Operation operation) ->
                        operations.put(method + " " + path, operation)));
        return operations;
    }

    /** An operation without prose and with only its 2xx responses. */
    private static JsonNode normalise(Operation operation) {
        ObjectNode node = (ObjectNode) strip(Json.mapper().valueToTree(operation));
        ObjectNode responses = (ObjectNode) node.get("responses");
        if (responses != null) {
            Iterator<String> codes = responses.fieldNames();
            List<String> errors = new ArrayList<>();
            codes.forEachRemaining(code -> {
                if (!code.startsWith("2")) {
                    errors.add(code);
                }
            });
            responses.remove(errors);
            responses.forEach(response -> ((ObjectNode) response).remove("headers"));
        }
        return node;
    }

    private static JsonNode strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(PROSE);
            object.forEach(ContractTest::strip);
        } else if (node != null && node.isArray()) {
            node.forEach(ContractTest::strip);
        }
        return node;
    }

    /** Walks both trees and records every place where they differ, so one run lists every disagreement. */
    private static void compare(String where, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected == null || actual == null || expected.getNodeType() != actual.getNodeType()) {
            if (!(expected == null && actual == null)) {
                differences.add(where + ": contract has " + expected + ", service has " + actual);
            }
            return;
        }
        if (expected.isObject()) {
            Set<String> keys = new TreeSet<>();
            expected.fieldNames().forEachRemaining(keys::add);
            actual.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                compare(where + "/" + key, expected.get(key), actual.get(key), differences);
            }
        } else if (expected.isArray()) {
            if (expected.size() != actual.size()) {
                differences.add(where + ": contract has " + expected + ", service has " + actual);
                return;
            }
            boolean unordered = where.endsWith("/required");
            if (unordered) {
                Set<String> a = new TreeSet<>();
                Set<String> b = new TreeSet<>();
                expected.forEach(n -> a.add(n.asText()));
                actual.forEach(n -> b.add(n.asText()));
                if (!a.equals(b)) {
                    differences.add(where + ": contract requires " + a + ", service requires " + b);
                }
                return;
            }
            for (int i = 0; i < expected.size(); i++) {
                compare(where + "[" + i + "]", expected.get(i), actual.get(i), differences);
            }
        } else if (!expected.equals(actual) && !(expected.isNumber() && actual.isNumber()
                && expected.decimalValue().compareTo(actual.decimalValue()) == 0)) {
            differences.add(where + ": contract has " + expected + ", service has " + actual);
        }
    }
}
