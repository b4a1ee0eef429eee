package io.grokscope.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code Idempotency-Key} for the creating POSTs: a client that retries after a timeout (not knowing whether its
 * first request arrived) sends the same key and gets the first answer (status, {@code Location}, body) instead of a
 * second run. The same key with a different request is a 422; keys expire after {@code grokscope.idempotency.ttl}
 * (24 h), after which the key is free again.
 *
 * <p>Stored in PostgreSQL, so any instance answers the retry. The key's row is inserted first, in the transaction
 * that creates the resource: a concurrent retry's insert waits on the primary key until that transaction ends, then
 * reads its answer (or, if it rolled back, proceeds as the first). A request that fails (400, 429) stores nothing,
 * so its key may be used again.
 */
@Component
public class IdempotentRequests {

    /** The header, as in the IETF draft "The Idempotency-Key HTTP Header Field". */
    public static final String HEADER = "Idempotency-Key";
    /** Set on a replayed answer, so a client can tell it from a new one. */
    public static final String REPLAYED = "Idempotent-Replayed";
    public static final int MAX_KEY_LENGTH = 200;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ObjectMapper json;
    private final Duration ttl;

    IdempotentRequests(JdbcTemplate jdbc, PlatformTransactionManager transactions, ObjectMapper json,
            @Value("${grokscope.idempotency.ttl:24h}") Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("grokscope.idempotency.ttl must be positive");
        }
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
        this.json = json;
        this.ttl = ttl;
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * Runs {@code create} once per (scope, key): the first time for real, then replaying its answer.
     *
     * @param request the parsed request, whose canonical JSON identifies it (spacing and key order do not matter)
     */
    public ResponseEntity<Object> once(String scope, String key, Object request,
            Supplier<? extends ResponseEntity<?>> create) {
        if (key == null) {
            return cast(create.get());
        }
        checkKey(key);
        String hash = hash(request);
        return transaction.execute(status -> {
            // expired keys go (this one first, so it can be reused at once; then a few others, so the table stays
            // small without a scheduler)
            jdbc.update("delete from idempotency_key where scope = ? and key = ? and expires_at <= now()", scope, key);
            jdbc.update("delete from idempotency_key where ctid in (select ctid from idempotency_key"
                    + " where expires_at <= now() limit 100)");
            int inserted = jdbc.update("insert into idempotency_key (scope, key, request_hash, status, body,"
                    + " expires_at) values (?, ?, ?, 0, '', ?) on conflict do nothing", scope, key, hash,
                    Timestamp.from(Instant.now().plus(ttl)));
            if (inserted == 1) {
                ResponseEntity<?> answer = create.get();
                URI location = answer.getHeaders().getLocation();
                jdbc.update("update idempotency_key set status = ?, location = ?, body = ? where scope = ? and key = ?",
                        answer.getStatusCode().value(), location == null ? null : location.toString(),
                        write(answer.getBody()), scope, key);
                return cast(answer);
            }
            return replay(scope, key, hash);
        });
    }

    private ResponseEntity<Object> replay(String scope, String key, String hash) {
        List<Stored> rows = jdbc.query("select request_hash, status, location, body from idempotency_key"
                + " where scope = ? and key = ?", (rs, i) -> new Stored(rs.getString(1), rs.getInt(2),
                        rs.getString(3), rs.getString(4)), scope, key);
        if (rows.isEmpty()) {
            // expired and deleted between our insert and this read by another request: extremely unlikely; the
            // client may simply retry
            throw new ConflictException("the Idempotency-Key expired while this request was handled; retry");
        }
        Stored stored = rows.get(0);
        if (!stored.requestHash().equals(hash)) {
            throw new IdempotencyKeyReusedException("Idempotency-Key '" + key + "' was used for a different request;"
                    + " use a new key for a new request");
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(HttpStatus.valueOf(stored.status()))
                .header(REPLAYED, "true").contentType(MediaType.APPLICATION_JSON);
        if (stored.location() != null) {
            answer.location(URI.create(stored.location()));
        }
        return answer.body(read(stored.body()));
    }

    private static void checkKey(String key) {
        String problem = key.isEmpty() ? "must not be empty"
                : key.length() > MAX_KEY_LENGTH ? "must be at most " + MAX_KEY_LENGTH + " characters"
                : !key.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? "must be printable ASCII without spaces"
                : null;
        if (problem != null) {
            throw new InvalidInputException(List.of(FieldError.atParameter(HEADER, problem)));
        }
    }

    private String hash(Object request) {
        try {
            byte[] canonical = json.writeValueAsBytes(request);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed request always serialises", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an answer always serialises", e);
        }
    }

    private JsonNode read(String body) {
        try {
            return json.readTree(body.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored answer is JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static ResponseEntity<Object> cast(ResponseEntity<?> answer) {
        return (ResponseEntity<Object>) answer;
    }

    private record Stored(String requestHash, int status, String location, String body) {
    }
}
