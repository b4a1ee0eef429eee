package io.grokscope.analysis;

import java.util.List;

/**
 * Located phases, in order, and what a reader should know about how they were found (the analysis's notes).
 *
 * @param phases the phases, contiguous and in order
 * @param notes  the notes on them
 */
record LocatedPhases(List<Phase> phases, List<String> notes) {

    LocatedPhases {
        phases = List.copyOf(phases);
        notes = List.copyOf(notes);
    }
}
