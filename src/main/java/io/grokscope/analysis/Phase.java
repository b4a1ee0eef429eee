package io.grokscope.analysis;

import java.util.List;
import java.util.Objects;

/**
 * One located phase.
 *
 * @param name      which phase
 * @param startStep where it begins; null when that cannot be located (the reason is in the analysis notes)
 * @param endStep   where it ends; null while it is still under way or when the data end inside it
 * @param evidence  the observations its boundaries rest on
 */
public record Phase(PhaseName name, Long startStep, Long endStep, List<Evidence> evidence) {

    public Phase {
        Objects.requireNonNull(name, "name");
        evidence = List.copyOf(evidence);
        if (startStep != null && endStep != null && endStep < startStep) {
            throw new IllegalArgumentException(name + " ends (" + endStep + ") before it starts (" + startStep + ")");
        }
    }
}
