package io.grokscope.history;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The parameter history's settings.
 *
 * @param budget the most bytes one run's history may hold in PostgreSQL (thinned by {@link HistoryThinning}); 100 MB
 *               keeps 109 snapshots of Nanda et al.'s 227 k-parameter transformer, 0 turns the history off
 */
@ConfigurationProperties("grokscope.history")
public record HistorySettings(@DefaultValue("100MB") DataSize budget) {

    public HistorySettings {
        if (budget.isNegative()) {
            throw new IllegalArgumentException("grokscope.history.budget must be >= 0");
        }
    }
}
