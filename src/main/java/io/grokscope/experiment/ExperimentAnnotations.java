package io.grokscope.experiment;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * What a researcher writes on a run after submitting it: tags to find and group runs by, and a note. A field left out
 * (or null) keeps its stored value; {@code "tags": []} removes every tag and {@code "note": ""} removes the note.
 *
 * @param tags the run's tags, replacing the stored ones (duplicates are dropped, the rest kept sorted)
 * @param note free text, replacing the stored note
 */
@Schema(description = "Tags and a note on a run. A field left out or null keeps its value; [] removes every tag,"
        + " \"\" removes the note.")
public record ExperimentAnnotations(
        @Schema(nullable = true, example = "[\"baseline\", \"wd-scan\"]")
        @Size(max = MAX_TAGS) List<@NotNull @Size(min = 1, max = MAX_TAG_LENGTH) @Pattern(regexp = TAG,
                message = "must start with a letter or digit and hold only letters, digits and . _ : / + = -")
                String> tags,
        @Schema(nullable = true)
        // PostgreSQL's text cannot hold NUL (U+0000): refused here rather than failing in the database.
        @Size(max = MAX_NOTE_LENGTH) @Pattern(regexp = "[^\\x00]*", message = "must not contain NUL (U+0000)")
        String note) {

    static final int MAX_TAGS = 20;
    static final int MAX_TAG_LENGTH = 40;
    static final int MAX_NOTE_LENGTH = 4000;
    static final String TAG = "[\\p{L}\\p{N}][\\p{L}\\p{N}._:/+=-]*";

    /** The tags as stored: without duplicates, sorted; null when the request leaves them as they are. */
    List<String> normalisedTags() {
        return tags == null ? null : tags.stream().distinct().sorted().toList();
    }
}
