package io.grokscope.web;

import java.util.List;

/** Input that passed Bean Validation but fails a rule checked in code; answered 400 with each field named. */
public class InvalidInputException extends RuntimeException {

    private final transient List<FieldError> errors;

    public InvalidInputException(List<FieldError> errors) {
        super(errors.toString());
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
