package io.grokscope.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API keys ({@code grokscope.security.*}). Off by default: the embedded single-user mode (one researcher on
 * localhost) needs none, and every endpoint is then open as before.
 *
 * @param apiKeys      comma-separated keys; empty = no authentication. With keys, every write under
 *                     {@code /api/**} needs {@code Authorization: Bearer <key>}
 * @param protectReads with keys, whether reads under {@code /api/**} need a key too
 */
@ConfigurationProperties("grokscope.security")
public record ApiKeySettings(@DefaultValue("") List<String> apiKeys, @DefaultValue("false") boolean protectReads) {

    /** Keys shorter than this are refused at startup: a short key is guessable in an afternoon of requests. */
    static final int MIN_KEY_LENGTH = 16;

    public ApiKeySettings {
        apiKeys = apiKeys.stream().map(String::trim).filter(key -> !key.isEmpty()).toList();
    }

    /**
     * Refuses unusable keys. Checked when the filter chain is built rather than while binding, because a binding
     * failure report prints the property's value, and a key must never reach a log.
     */
    void requireUsableKeys() {
        for (int i = 0; i < apiKeys.size(); i++) {
            String key = apiKeys.get(i);
            if (key.length() < MIN_KEY_LENGTH) {
                throw new IllegalArgumentException("grokscope.security.api-keys: key " + (i + 1) + " is shorter than "
                        + MIN_KEY_LENGTH + " characters");
            }
            if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("grokscope.security.api-keys: key " + (i + 1)
                        + " must be printable ASCII without spaces (it travels in an HTTP header)");
            }
        }
    }

    public boolean enabled() {
        return !apiKeys.isEmpty();
    }

    /** Never the keys themselves: a record's default toString would print them into any log that shows this. */
    @Override
    public String toString() {
        return "ApiKeySettings[apiKeys=" + apiKeys.size() + " configured, protectReads=" + protectReads + "]";
    }
}
