package io.grokscope.web;

/** An Idempotency-Key sent again with a different request: 422, since replaying the first answer would be wrong. */
public class IdempotencyKeyReusedException extends RuntimeException {

    public IdempotencyKeyReusedException(String message) {
        super(message);
    }
}
