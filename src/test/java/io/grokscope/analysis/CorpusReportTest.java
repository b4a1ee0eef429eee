package io.grokscope.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Writes the validation tables to target/analysis-validation.md (the source of docs/analysis-validation.md). */
class CorpusReportTest {

    @Test
    void writesTheCorpusAndPerturbationTables() throws IOException {
        String report = CorpusReport.report();
        Path out = Path.of("target", "analysis-validation.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        assertThat(report).contains("| nanda |");
    }
}
