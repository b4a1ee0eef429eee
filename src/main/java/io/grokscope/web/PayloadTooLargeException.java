package io.grokscope.web;

import java.io.IOException;

/** Thrown while reading a request body that exceeds the configured limit; surfaces as 413. */
class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long limit) {
        super("the request body exceeds the limit of " + limit + " bytes (grokscope.limits.body-size)");
    }
}
