package io.grokscope.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * With API keys off, refuses a write (any method but GET, HEAD, OPTIONS, TRACE) that a browser says comes from
 * another site, with a 403 problem.
 *
 * <p>Why: with no key, the only thing between a page on some other site and {@code POST .../cancel} on a researcher's
 * local service is the browser's same-origin policy, and that does not stop "simple" requests (a body-less POST, a
 * form post): the browser sends them and only hides the answer. A browser says where a request comes from, so a
 * cross-origin write can be told apart and refused before it has any effect:
 * <ul>
 *   <li>{@code Sec-Fetch-Site} (every current browser): {@code same-origin} and {@code none} (typed or bookmarked by
 *       the user) pass; {@code same-site} and {@code cross-site} are refused;</li>
 *   <li>else {@code Origin}: it must name this service as the client reached it ({@code Host}, or
 *       {@code X-Forwarded-Host}/{@code -Proto} set by a proxy in front), and {@code Origin: null} (sandboxed pages,
 *       some redirects) is refused.</li>
 * </ul>
 * A request with neither header is not from a browser page (curl, scripts, the Python client) and passes. With keys
 * on this filter is not installed: a cross-site page cannot attach an {@code Authorization} header without CORS,
 * which the service does not enable.
 */
final class CrossOriginWriteFilter extends OncePerRequestFilter {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final ObjectMapper json;

    CrossOriginWriteFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (SAFE_METHODS.contains(request.getMethod().toUpperCase(Locale.ROOT)) || !crossOrigin(request)) {
            chain.doFilter(request, response);
            return;
        }
        ProblemResponses.write(json, request, response, HttpStatus.FORBIDDEN,
                "a write from another site's page is refused (Origin or Sec-Fetch-Site names another origin);"
                        + " open the dashboard on this service, or call the API from a script");
    }

    static boolean crossOrigin(HttpServletRequest request) {
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null) {
            String site = fetchSite.trim().toLowerCase(Locale.ROOT);
            return !site.equals("same-origin") && !site.equals("none");
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        return !sameOrigin(origin.trim(), request);
    }

    private static boolean sameOrigin(String origin, HttpServletRequest request) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return false;
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            return false; // "null" and anything else that is not scheme://host[:port]
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String forwardedProto = firstValue(request.getHeader("X-Forwarded-Proto"));
        String ownScheme = forwardedProto != null ? forwardedProto.toLowerCase(Locale.ROOT)
                : request.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals(ownScheme)) {
            return false;
        }
        String forwardedHost = firstValue(request.getHeader("X-Forwarded-Host"));
        String host = forwardedHost != null ? forwardedHost : request.getHeader("Host");
        if (host == null) {
            return false;
        }
        return authority(uri.getHost(), uri.getPort(), scheme).equals(hostAuthority(host, scheme));
    }

    /** host:port with the scheme's default port made explicit, lower case. */
    private static String authority(String host, int port, String scheme) {
        int effective = port >= 0 ? port : "https".equals(scheme) ? 443 : 80;
        return host.toLowerCase(Locale.ROOT) + ":" + effective;
    }

    private static String hostAuthority(String hostHeader, String scheme) {
        try {
            URI uri = new URI(scheme + "://" + hostHeader.trim());
            return uri.getHost() == null ? "" : authority(uri.getHost(), uri.getPort(), scheme);
        } catch (URISyntaxException e) {
            return "";
        }
    }

    private static String firstValue(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        int comma = header.indexOf(',');
        return (comma < 0 ? header : header.substring(0, comma)).trim();
    }
}
