package io.grokscope.web;

/** The request is valid but the resource's current state forbids it (e.g. deleting a running experiment): 409. */
public class ConflictException extends RuntimeException {

    public ConflictException(String detail) {
        super(detail);
    }
}
