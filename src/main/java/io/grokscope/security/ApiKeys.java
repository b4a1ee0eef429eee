package io.grokscope.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The configured keys, kept only as SHA-256 digests and compared in constant time: a presented key is hashed and
 * its digest compared with every configured one by {@link MessageDigest#isEqual} (which does not stop at the first
 * differing byte), without stopping at a match. Comparing digests rather than the keys makes every comparison the
 * same length, so neither the timing nor the count of comparisons says how long a key is, how much of it a guess got
 * right, or which key matched.
 */
final class ApiKeys {

    private final List<byte[]> digests;

    ApiKeys(List<String> keys) {
        this.digests = keys.stream().map(ApiKeys::digest).toList();
    }

    boolean matches(String presented) {
        byte[] candidate = digest(presented);
        boolean match = false;
        for (byte[] digest : digests) {
            match |= MessageDigest.isEqual(digest, candidate);
        }
        return match;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
