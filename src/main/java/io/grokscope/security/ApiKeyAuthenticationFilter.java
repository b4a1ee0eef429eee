package io.grokscope.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>} against the configured {@link ApiKeys}. A request without the
 * header goes on anonymous, and the authorization rules decide whether it may (reads, unless protected) or gets 401.
 * A header that is present but malformed, or carries a key that is not configured, is answered 401 at once, on any
 * path: a client that sends a wrong key should learn so, not be served as anonymous.
 *
 * <p>The key is never logged, never put in an exception message and never kept: only whether it matched.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String BEARER = "Bearer ";
    static final String AUTHORITY = "API_KEY";

    private final ApiKeys keys;
    private final AuthenticationEntryPoint entryPoint;

    ApiKeyAuthenticationFilter(ApiKeys keys, AuthenticationEntryPoint entryPoint) {
        this.keys = keys;
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            chain.doFilter(request, response);
            return;
        }
        AuthenticationException failure = null;
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.length() == BEARER.length()) {
            failure = new MalformedCredentials("the Authorization header must be 'Bearer <key>'");
        } else if (!keys.matches(header.substring(BEARER.length()).trim())) {
            failure = new BadCredentialsException("the API key is not valid");
        }
        if (failure != null) {
            SecurityContextHolder.clearContext();
            entryPoint.commence(request, response, failure);
            return;
        }
        var authentication = UsernamePasswordAuthenticationToken.authenticated("api-key", null,
                List.of(new SimpleGrantedAuthority(AUTHORITY)));
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    /** A header that is not a bearer token at all (RFC 6750's {@code invalid_request}). */
    static final class MalformedCredentials extends AuthenticationException {
        MalformedCredentials(String message) {
            super(message);
        }
    }
}
