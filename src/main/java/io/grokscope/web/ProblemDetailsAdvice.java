package io.grokscope.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.grokscope.database.DatabaseOutage;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every failure as RFC 9457 problem details ({@code application/problem+json}), in one place.
 *
 * <p>Spring's built-in handler covers the MVC exceptions but says only "Invalid request content" or "Validation
 * failure"; the overrides here name each bad field with a JSON pointer. Anything unexpected becomes a 500 problem
 * without internals (they go to the log), and {@link ProblemErrorController} covers what never reaches a controller.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);
    private static final Duration DATABASE_RETRY_AFTER = Duration.ofSeconds(5);

    @ExceptionHandler(ResourceNotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(ResourceNotFoundException e, HttpServletRequest request) {
        return respond(problem(HttpStatus.NOT_FOUND, e.getMessage(), request));
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<ProblemDetail> conflict(ConflictException e, HttpServletRequest request) {
        return respond(problem(HttpStatus.CONFLICT, e.getMessage(), request));
    }

    @ExceptionHandler(IdempotencyKeyReusedException.class)
    ResponseEntity<ProblemDetail> keyReused(IdempotencyKeyReusedException e, HttpServletRequest request) {
        return respond(problem(HttpStatus.UNPROCESSABLE_ENTITY, e.getMessage(), request));
    }

    @ExceptionHandler(ServiceBusyException.class)
    ResponseEntity<ProblemDetail> busy(ServiceBusyException e, HttpServletRequest request) {
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, e.retryAfter().toSeconds())))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem(HttpStatus.TOO_MANY_REQUESTS, e.getMessage(), request));
    }

    @ExceptionHandler(InvalidInputException.class)
    ResponseEntity<ProblemDetail> invalidInput(InvalidInputException e, HttpServletRequest request) {
        return respond(validationProblem(e.errors(), request.getRequestURI()));
    }

    /** Method validation outside Spring MVC's own (e.g. a service's {@code @Validated} argument). */
    @ExceptionHandler(jakarta.validation.ConstraintViolationException.class)
    ResponseEntity<ProblemDetail> constraintViolation(jakarta.validation.ConstraintViolationException e,
            HttpServletRequest request) {
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> FieldError.atParameter(lastNode(v.getPropertyPath().toString()), v.getMessage()))
                .toList();
        return respond(validationProblem(errors, request.getRequestURI()));
    }

    /**
     * The type preset, so the body is written even when the Accept header cannot be parsed (Spring skips the body
     * of an error it cannot negotiate a type for, and the client would get an empty 4xx).
     */
    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String lastNode(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        PayloadTooLargeException tooLarge = causeOf(e, PayloadTooLargeException.class);
        if (tooLarge != null) {
            return respond(problem(HttpStatus.PAYLOAD_TOO_LARGE, tooLarge.getMessage(), request));
        }
        if (DatabaseOutage.isTransient(e)) {
            // Not a bug: the database is away (restarting, unreachable) or every pooled connection stayed busy for the
            // pool's timeout (overload). The request may be repeated as is.
            String detail = DatabaseOutage.isUnreachable(e) ? "the database is unavailable; retry later"
                    : "the service is overloaded (no database connection became free); retry later";
            log.warn("503 on {} {}: {}", request.getMethod(), request.getRequestURI(), detail);
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .header(HttpHeaders.RETRY_AFTER, String.valueOf(DATABASE_RETRY_AFTER.toSeconds()))
                    .body(problem(HttpStatus.SERVICE_UNAVAILABLE, detail, request));
        }
        log.error("Unhandled error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return respond(problem(HttpStatus.INTERNAL_SERVER_ERROR, "an unexpected error occurred; it has been logged",
                request));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        e.getBindingResult().getFieldErrors().forEach(error -> errors.add(
                FieldError.atPointer(JsonPointers.fromPropertyPath(error.getField()), error.getDefaultMessage())));
        e.getBindingResult().getGlobalErrors().forEach(error -> errors.add(
                FieldError.atPointer("", error.getDefaultMessage())));
        return ResponseEntity.badRequest().body(validationProblem(errors, path(request)));
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        for (ParameterValidationResult result : e.getParameterValidationResults()) {
            // a header is named as the client sends it (Idempotency-Key), not as the Java parameter
            org.springframework.web.bind.annotation.RequestHeader header = result.getMethodParameter()
                    .getParameterAnnotation(org.springframework.web.bind.annotation.RequestHeader.class);
            String name = header != null && !header.name().isEmpty() ? header.name()
                    : result.getMethodParameter().getParameterName();
            for (MessageSourceResolvable error : result.getResolvableErrors()) {
                errors.add(FieldError.atParameter(name, error.getDefaultMessage()));
            }
        }
        return ResponseEntity.badRequest().body(validationProblem(errors, path(request)));
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(org.springframework.beans.TypeMismatchException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
        String detail = "must be " + JsonMappingErrors.describe(e.getRequiredType()) + ", was '" + e.getValue() + "'";
        return ResponseEntity.badRequest()
                .body(validationProblem(List.of(FieldError.atParameter(name, detail)), path(request)));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        PayloadTooLargeException tooLarge = causeOf(e, PayloadTooLargeException.class);
        if (tooLarge != null) {
            return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE)
                    .body(problem(HttpStatus.PAYLOAD_TOO_LARGE, tooLarge.getMessage(), path(request)));
        }
        FieldError error = describeUnreadable(e);
        return ResponseEntity.badRequest().body(validationProblem(List.of(error), path(request)));
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
            WebRequest request) {
        if (body instanceof ProblemDetail problem) {
            if (problem.getInstance() == null) {
                problem.setInstance(java.net.URI.create(path(request)));
            }
            // Preset, as in respond(): a 406 for an unparseable Accept header would otherwise go out empty.
            HttpHeaders problemHeaders = new HttpHeaders();
            problemHeaders.putAll(headers);
            problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            return super.createResponseEntity(body, problemHeaders, status, request);
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    /** Names the field Jackson could not read, and says why in the client's terms. */
    private static FieldError describeUnreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonParseException parse) {
            return FieldError.atPointer("", "malformed JSON at line " + parse.getLocation().getLineNr() + ", column "
                    + parse.getLocation().getColumnNr() + ": " + parse.getOriginalMessage());
        }
        if (cause instanceof JsonMappingException mapping) {
            return JsonMappingErrors.describe(mapping);
        }
        return FieldError.atPointer("", "the request body is missing or not readable JSON");
    }

    static ProblemDetail validationProblem(List<FieldError> errors, String instance) {
        List<FieldError> sorted = errors.stream()
                .sorted(Comparator.comparing((FieldError f) -> String.valueOf(f.pointer()))
                        .thenComparing(f -> String.valueOf(f.parameter())))
                .toList();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                sorted.size() == 1 ? describeOne(sorted.get(0)) : sorted.size() + " inputs are invalid");
        problem.setTitle("Invalid request");
        problem.setInstance(java.net.URI.create(instance));
        problem.setProperty("errors", sorted);
        return problem;
    }

    private static String describeOne(FieldError error) {
        String where = error.pointer() != null ? (error.pointer().isEmpty() ? "the body" : error.pointer())
                : "parameter '" + error.parameter() + "'";
        return where + " " + error.detail();
    }

    static ProblemDetail problem(HttpStatus status, String detail, HttpServletRequest request) {
        return problem(status, detail, request.getRequestURI());
    }

    static ProblemDetail problem(HttpStatus status, String detail, String instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setInstance(java.net.URI.create(instance));
        return problem;
    }

    private static String path(WebRequest request) {
        return request instanceof ServletWebRequest servlet ? servlet.getRequest().getRequestURI() : "";
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
