package io.grokscope.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses, with a 415 problem, a request whose {@code Content-Type} header cannot be read unambiguously, before any
 * part of Spring or Tomcat tries to read the body by it.
 *
 * <p>Why a filter: several readers act on the header before a controller is chosen, and each failed on some malformed
 * but ordinary header with a 500: a multipart parser on {@code multipart/*} without a boundary, a form parser on
 * {@code application/x-www-form-urlencoded} bodies with bad escapes, and {@code HttpHeaders.setContentType} on a
 * wildcard such as {@code *}{@code /*} (the actuator's body reader). The service takes JSON only, so nothing is lost
 * by refusing the whole class in one place: the header must parse, name a concrete type (no wildcard), carry each
 * parameter at most once, name a charset the JVM has, and a multipart type must carry a usable boundary (RFC 2046:
 * 1 to 70 characters). Whether the type itself is acceptable stays the controllers' business (415 from Spring).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class ContentTypeGuardFilter extends OncePerRequestFilter {

    /** RFC 2046, section 5.1.1. */
    static final int MAX_BOUNDARY_LENGTH = 70;

    private final ObjectMapper objectMapper;

    ContentTypeGuardFilter(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        List<String> values = Collections.list(request.getHeaders(HttpHeaders.CONTENT_TYPE));
        String refusal = values.size() > 1 ? "the Content-Type header must appear at most once"
                : values.isEmpty() ? null : refusal(values.get(0));
        if (refusal == null) {
            chain.doFilter(request, response);
            return;
        }
        // The body is not read: closing is cheaper than draining what is refused, and leaves no half-read stream.
        response.setHeader(HttpHeaders.CONNECTION, "close");
        ProblemResponses.write(objectMapper, request, response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, refusal);
    }

    /** Why the header is refused, in the client's terms, or null when it is readable. */
    static String refusal(String header) {
        if (header.isBlank()) {
            return "the Content-Type header is empty";
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            return "the Content-Type header cannot be parsed as a media type";
        }
        if (type.isWildcardType() || type.isWildcardSubtype()) {
            return "the Content-Type header must name a concrete media type, not a wildcard";
        }
        // MediaType keeps the last of repeated parameters; a reader that keeps the first would see another charset.
        Set<String> names = new HashSet<>();
        for (String name : parameterNames(header)) {
            if (!names.add(name)) {
                return "the Content-Type parameter '" + clip(name) + "' appears more than once";
            }
        }
        String charset = type.getParameter("charset");
        if (charset != null && !supported(unquote(charset))) {
            return "the Content-Type charset '" + clip(unquote(charset)) + "' is not supported";
        }
        if ("multipart".equalsIgnoreCase(type.getType())) {
            String boundary = type.getParameter("boundary");
            boundary = boundary == null ? "" : unquote(boundary);
            if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY_LENGTH) {
                return "a multipart Content-Type needs a boundary of 1 to " + MAX_BOUNDARY_LENGTH + " characters";
            }
        }
        return null;
    }

    /** The parameter names after the type, lower case; a ';' inside a quoted value separates nothing. */
    private static List<String> parameterNames(String header) {
        List<String> names = new java.util.ArrayList<>();
        boolean quoted = false;
        boolean inName = false;
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ';') {
                addName(names, name);
                inName = true;
            } else if (c == '=' && inName) {
                addName(names, name);
                inName = false;
            } else if (inName) {
                name.append(c);
            }
        }
        addName(names, name);
        return names;
    }

    private static void addName(List<String> names, StringBuilder name) {
        String trimmed = name.toString().trim().toLowerCase(Locale.ROOT);
        if (!trimmed.isEmpty()) {
            names.add(trimmed);
        }
        name.setLength(0);
    }

    private static boolean supported(String charset) {
        try {
            return !charset.isEmpty() && Charset.isSupported(charset);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** A refused value is echoed only in part, and only as printable ASCII. */
    private static String clip(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }
}
