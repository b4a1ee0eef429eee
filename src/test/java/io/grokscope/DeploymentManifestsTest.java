package io.grokscope;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.support.Api;
import io.grokscope.support.IntegrationTest;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.yaml.snakeyaml.Yaml;

/**
 * No cluster runs where this project is built, so deploy/k8s is never applied here; this parses every manifest and
 * checks it against the running service: each probe's path answers 200 UP here and its port is a declared container
 * port, the container port is the one the image exposes, every environment variable names a real configuration
 * property (Spring's metadata, and the service's own {@code @ConfigurationProperties} records), every Secret key read
 * exists in the example Secret, the API-only instances turn the job pool off and the training ones keep it, the Service
 * selects the API pods only, and the termination grace outlasts the graceful stop.
 */
@IntegrationTest
class DeploymentManifestsTest {

    private static final Path DIRECTORY = Path.of("deploy", "k8s");
    /** Read by the JVM and by OpenBLAS, not by Spring. */
    private static final Set<String> NOT_PROPERTIES = Set.of("JAVA_TOOL_OPTIONS", "OPENBLAS_THREAD_TIMEOUT");

    private static final Map<String, List<Map<String, Object>>> manifests = new java.util.TreeMap<>();
    private static final Set<String> propertiesAsEnvironment = new HashSet<>();

    @LocalServerPort
    int port;

    @Autowired
    Environment environment;

    Api api;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws Exception {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                List<Map<String, Object>> documents = new ArrayList<>();
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    documents.add((Map<String, Object>) document);
                }
                manifests.put(file.getFileName().toString(), documents);
            }
        }
        ObjectMapper json = new ObjectMapper();
        var resolver = new PathMatchingResourcePatternResolver();
        for (String pattern : List.of("classpath*:META-INF/spring-configuration-metadata.json",
                "classpath*:META-INF/additional-spring-configuration-metadata.json")) {
            for (Resource resource : resolver.getResources(pattern)) {
                try (InputStream in = resource.getInputStream()) {
                    json.readTree(in).path("properties").forEach(p -> propertiesAsEnvironment.add(
                            asEnvironmentVariable(p.get("name").asText())));
                }
            }
        }
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        for (var candidate : scanner.findCandidateComponents("io.grokscope")) {
            Class<?> type = Class.forName(candidate.getBeanClassName());
            ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
            addRecord(annotation.value().isEmpty() ? annotation.prefix() : annotation.value(), type);
        }
        assertThat(propertiesAsEnvironment).contains("SPRING_DATASOURCE_URL", "SERVER_ADDRESS",
                "GROKSCOPE_JOBS_ENABLED", "GROKSCOPE_SECURITY_APIKEYS");
    }

    private static void addRecord(String prefix, Class<?> type) {
        if (!type.isRecord()) {
            return;
        }
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + component.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
            propertiesAsEnvironment.add(asEnvironmentVariable(name));
            if (component.getType().isRecord() && component.getType().getName().startsWith("io.grokscope")) {
                addRecord(name, component.getType());
            }
        }
    }

    /** Spring's relaxed binding from the environment: dots to underscores, dashes dropped, upper case. */
    private static String asEnvironmentVariable(String property) {
        return property.replace('.', '_').replace("-", "").toUpperCase(Locale.ROOT);
    }

    @BeforeEach
    void setUp() {
        api = new Api(port);
    }

    @Test
    void everyProbeAnswersUpHereOnADeclaredPortThatTheImageExposes() throws Exception {
        Matcher exposed = Pattern.compile("(?m)^EXPOSE (\\d+)").matcher(Files.readString(Path.of("Dockerfile")));
        assertThat(exposed.find()).isTrue();
        List<Map<String, Object>> containers = containers();
        assertThat(containers).hasSizeGreaterThanOrEqualTo(2);
        for (Map<String, Object> container : containers) {
            List<Map<String, Object>> ports = list(container.get("ports"));
            assertThat(ports).extracting(p -> String.valueOf(p.get("containerPort"))).containsExactly(exposed.group(1));
            Set<String> declared = new HashSet<>();
            ports.forEach(p -> {
                declared.add(String.valueOf(p.get("containerPort")));
                declared.add(String.valueOf(p.get("name")));
            });
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
                assertThat(declared).as(probe + " port").contains(String.valueOf(get.get("port")));
                String path = (String) get.get("path");
                Api.Response answer = api.get(path);
                assertThat(answer.status()).as(probe + " " + path).isEqualTo(200);
                assertThat(answer.json().get("status").asText()).isEqualTo("UP");
            }
            assertThat(map(map(container.get("livenessProbe")).get("httpGet")).get("path"))
                    .isEqualTo("/actuator/health/liveness");
        }
    }

    @Test
    void everyEnvironmentVariableIsARealPropertyAndEverySecretKeyExists() {
        Set<String> secretKeys = new HashSet<>();
        documents("Secret").forEach(secret -> secretKeys.addAll(map(secret.get("stringData")).keySet()));
        Set<String> configMaps = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (Map<String, Object> configMap : documents("ConfigMap")) {
            configMaps.add((String) map(configMap.get("metadata")).get("name"));
            names.addAll(map(configMap.get("data")).keySet());
        }
        for (Map<String, Object> container : containers()) {
            List<Map<String, Object>> env = list(container.get("env"));
            for (Map<String, Object> variable : env) {
                names.add((String) variable.get("name"));
                Map<String, Object> from = map(variable.get("valueFrom"));
                if (from.containsKey("secretKeyRef")) {
                    assertThat(secretKeys).as("Secret key of " + variable.get("name"))
                            .contains((String) map(from.get("secretKeyRef")).get("key"));
                }
            }
            List<Map<String, Object>> sources = list(container.get("envFrom"));
            for (Map<String, Object> source : sources) {
                assertThat(configMaps).contains((String) map(source.get("configMapRef")).get("name"));
            }
        }
        assertThat(names).isNotEmpty();
        for (String name : names) {
            if (!NOT_PROPERTIES.contains(name)) {
                assertThat(propertiesAsEnvironment).as(name + " must name a configuration property").contains(name);
            }
        }
    }

    @Test
    void apiInstancesTrainNothingTrainingInstancesDoAndTheServiceReachesOnlyTheApi() {
        Map<String, String> jobsEnabledByComponent = new java.util.TreeMap<>();
        for (Map<String, Object> deployment : documents("Deployment")) {
            String component = (String) map(map(map(map(deployment.get("spec")).get("template")).get("metadata"))
                    .get("labels")).get("app.kubernetes.io/component");
            List<Map<String, Object>> containers = list(podSpec(deployment).get("containers"));
            Map<String, Object> container = containers.get(0);
            List<Map<String, Object>> env = list(container.get("env"));
            String enabled = env.stream()
                    .filter(v -> "GROKSCOPE_JOBS_ENABLED".equals(v.get("name"))).map(v -> (String) v.get("value"))
                    .findFirst().orElse("true");
            jobsEnabledByComponent.put(component, enabled);
        }
        assertThat(jobsEnabledByComponent).containsEntry("api", "false").containsEntry("training", "true");
        Map<String, Object> service = documents("Service").get(0);
        assertThat(map(map(service.get("spec")).get("selector"))).containsEntry("app.kubernetes.io/component", "api");
    }

    @Test
    void terminationGraceOutlastsTheGracefulStop() {
        Duration phase = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class,
                Duration.ofSeconds(30));
        for (Map<String, Object> deployment : documents("Deployment")) {
            int grace = (Integer) podSpec(deployment).get("terminationGracePeriodSeconds");
            assertThat(grace).isGreaterThan((int) phase.toSeconds()).isGreaterThanOrEqualTo(30);
        }
    }

    @Test
    void kustomizationListsEveryManifestButTheExampleSecret() {
        List<Object> listed = list(manifests.get("kustomization.yaml").get(0).get("resources"));
        List<String> resources = listed.stream().map(String::valueOf).toList();
        Set<String> expected = new HashSet<>(manifests.keySet());
        expected.removeAll(Set.of("kustomization.yaml", "secret.example.yaml"));
        assertThat(resources).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static List<Map<String, Object>> documents(String kind) {
        return manifests.values().stream().flatMap(List::stream).filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return map(map(map(deployment.get("spec")).get("template")).get("spec"));
    }

    private static List<Map<String, Object>> containers() {
        List<Map<String, Object>> containers = new ArrayList<>();
        documents("Deployment").forEach(d -> containers.addAll(list(podSpec(d).get("containers"))));
        return containers;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object value) {
        return value == null ? List.of() : (List<T>) value;
    }
}
