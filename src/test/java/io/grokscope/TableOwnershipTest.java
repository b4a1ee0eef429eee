package io.grokscope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What ArchUnit cannot see: the SQL text. The service's sources (comments left out) must write the {@code job} table
 * only in {@code jobs/JobRepository}, never write the {@code experiment} table with SQL (it is written through
 * {@code ExperimentRepository}'s entity), and spell no run status as an SQL literal outside the one vocabulary
 * ({@code database/JobStatus}), which composes them. See ArchitectureTest for the rules bytecode can hold.
 */
class TableOwnershipTest {

    private static final Path SOURCES = Path.of("src/main/java/io/grokscope");

    /** An SQL write naming the table: the first group is the verb, the second the table. */
    private static final Pattern WRITE = Pattern.compile(
            "(?i)\\b(insert\\s+into|update|delete\\s+from)\\s+(job|experiment)\\b(?![_.(])");

    private static final Pattern STATUS_LITERAL = Pattern.compile("'(QUEUED|RUNNING|SUCCEEDED|FAILED|CANCELLED)'");

    /** Source file (relative to io/grokscope) → its code, comments blanked out. */
    private static Map<String, String> code;

    @BeforeAll
    static void readTheSources() {
        code = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                code.put(SOURCES.relativize(file).toString().replace('\\', '/'), withoutComments(Files.readString(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(code).as("the service's sources").containsKey("jobs/JobRepository.java");
    }

    /** Line and block comments replaced by spaces (string literals and text blocks kept: the SQL is in them). */
    static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? source.length() : end + 3;
                out.append(source, i, end);
                i = end;
            } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                char quote = source.charAt(i);
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != quote && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, source.length());
                out.append(source, i, j);
                i = j;
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                out.append(source.substring(i, end).replaceAll("[^\n]", " "));
                i = end;
            } else {
                out.append(source.charAt(i++));
            }
        }
        return out.toString();
    }

    private static TreeSet<String> filesWriting(String table) {
        TreeSet<String> writers = new TreeSet<>();
        code.forEach((file, text) -> {
            Matcher write = WRITE.matcher(text);
            while (write.find()) {
                if (write.group(2).equalsIgnoreCase(table)) {
                    writers.add(file);
                }
            }
        });
        return writers;
    }

    @Test
    void theJobTableHasOneWriter() {
        TreeSet<String> writers = filesWriting("job");
        System.out.println("[TableOwnership] files writing job: " + writers);
        assertThat(writers).containsExactly("jobs/JobRepository.java");
    }

    @Test
    void noSqlWritesTheExperimentTableItGoesThroughItsRepository() {
        TreeSet<String> writers = filesWriting("experiment");
        System.out.println("[TableOwnership] files writing experiment with SQL: " + writers.size() + " " + writers);
        assertThat(writers).isEmpty();
    }

    @Test
    void runStatusesInSqlComeFromTheOneVocabulary() {
        TreeSet<String> spelling = new TreeSet<>();
        code.forEach((file, text) -> {
            if (!file.equals("database/JobStatus.java") && STATUS_LITERAL.matcher(text).find()) {
                spelling.add(file);
            }
        });
        assertThat(spelling).as("files spelling a status as an SQL literal").isEmpty();
    }

    @Test
    void theScanSeesWritesInStringsAndTextBlocksButNotInComments() {
        String source = """
                // update job set status = 'RUNNING'
                /* delete from experiment */
                String a = "update job set x = 1";
                String b = \"""
                    insert into experiment (name) values ('x')
                    \""";
                String c = "select * from job_state"; // update experiment
                """;
        String scanned = withoutComments(source);
        List<String> found = WRITE.matcher(scanned).results().map(m -> m.group(2)).toList();
        assertThat(found).containsExactly("job", "experiment");
        assertThat(STATUS_LITERAL.matcher(scanned).find()).isFalse();
    }
}
