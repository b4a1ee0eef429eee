package io.grokscope.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses TRACE with a 405 problem. Tomcat lets TRACE through only so that this answer is problem details: its own
 * refusal has no body, and the servlet's default TRACE handling would echo the request (headers included) back.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class TraceRefusalFilter extends OncePerRequestFilter {

    /** Every method the service answers on some path; TRACE on none. */
    private static final String ALLOWED = "GET, HEAD, POST, DELETE, OPTIONS";

    private final ObjectMapper objectMapper;

    TraceRefusalFilter(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!"TRACE".equalsIgnoreCase(request.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader(HttpHeaders.ALLOW, ALLOWED);
        ProblemResponses.write(objectMapper, request, response, HttpStatus.METHOD_NOT_ALLOWED,
                "TRACE is not supported");
    }
}
