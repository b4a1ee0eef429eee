package io.grokscope.experiment;

import io.grokscope.analysis.PhaseAnalysis;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/experiments/{id}/analysis}: when and how the run memorised, generalised and cleaned up. */
@RestController
class AnalysisController {

    private final AnalysisService analyses;

    AnalysisController(AnalysisService analyses) {
        this.analyses = analyses;
    }

    @GetMapping(path = "/api/v1/experiments/{id}/analysis", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "getAnalysis", summary = "The phase-transition analysis",
            description = "Milestones, verdict, the three phases located from the progress measures with the evidence"
                    + " they rest on, and the key frequencies. Also for a running experiment (verdict RUNNING,"
                    + " every field provisional).")
    PhaseAnalysis analysis(@PathVariable long id) {
        return analyses.analyse(id);
    }
}
