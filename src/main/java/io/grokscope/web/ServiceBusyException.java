package io.grokscope.web;

import java.time.Duration;

/** The service cannot take more work now; answered 429 with {@code Retry-After}. */
public class ServiceBusyException extends RuntimeException {

    private final transient Duration retryAfter;

    public ServiceBusyException(String detail, Duration retryAfter) {
        super(detail);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
