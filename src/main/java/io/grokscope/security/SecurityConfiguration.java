package io.grokscope.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grokscope.web.ProblemResponses;
import jakarta.servlet.DispatcherType;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Who may call what. Without {@code grokscope.security.api-keys} everything is open, as in the embedded single-user
 * mode. With keys, writes under {@code /api/**} (every method but GET, HEAD and OPTIONS) need
 * {@code Authorization: Bearer <key>}, and so do reads when {@code grokscope.security.protect-reads} is true. The
 * dashboard's static files, the contract, and {@code /actuator/health} stay open, so a load balancer's probe and a
 * browser loading the page need no key.
 *
 * <p>Failures are problem+json. Per RFC 6750 (section 3.1) both a missing or malformed header and an unknown key are
 * 401 with {@code WWW-Authenticate: Bearer} ({@code error="invalid_request"} or {@code "invalid_token"}): the client
 * has not authenticated, and presenting credentials again can fix that. 403 is RFC 6750's
 * {@code insufficient_scope}, for a valid key that lacks a right; every key here has every right, so 403 only
 * answers a rule that denies outright (none does today).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /**
     * The dashboard and the API's answers: only this origin's scripts, styles, images and connections; no plugins, no
     * framing, no base-URI or form targets elsewhere. Styles set through the CSSOM (element.style) stay allowed.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
            + " form-action 'self'; frame-ancestors 'none'";

    /** The methods Spring Security's firewall lets through; it refuses any other before the API sees it. */
    private static final Set<String> FIREWALL_METHODS = Set.of("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST",
            "PUT");

    /**
     * Spring Security's firewall refuses some requests before any controller sees them (a method outside the usual
     * ones such as PROPFIND, an encoded slash, a "..": things that could slip past path-based rules) and by default
     * answers with an empty 400. Here they get problem details like every other refusal: 405 for a method, else 400.
     */
    @Bean
    RequestRejectedHandler firewallRefusals(ObjectMapper json) {
        return (request, response, rejected) -> ProblemResponses.write(json, request, response,
                FIREWALL_METHODS.contains(request.getMethod()) ? HttpStatus.BAD_REQUEST : HttpStatus.METHOD_NOT_ALLOWED,
                rejected.getMessage());
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeySettings settings, ObjectMapper json) throws Exception {
        AuthenticationEntryPoint unauthorized = (request, response, failure) -> {
            String error = failure instanceof ApiKeyAuthenticationFilter.MalformedCredentials ? "invalid_request"
                    : failure.getClass() == BadCredentialsException.class ? "invalid_token" : null;
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE,
                    "Bearer realm=\"grokscope\"" + (error == null ? "" : ", error=\"" + error + "\""));
            String detail = error == null
                    ? "this operation needs an API key: send 'Authorization: Bearer <key>'"
                    : failure.getMessage();
            ProblemResponses.write(json, request, response, HttpStatus.UNAUTHORIZED, detail);
        };
        AccessDeniedHandler forbidden = (request, response, denied) -> {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE,
                    "Bearer realm=\"grokscope\", error=\"insufficient_scope\"");
            ProblemResponses.write(json, request, response, HttpStatus.FORBIDDEN, "this key may not do this");
        };

        http
                // A stateless API authenticated by a header: no session is created or read, so there is no cookie a
                // forged cross-site request could ride on, which is what CSRF protection guards against. A browser
                // cannot be made to send an Authorization header cross-site without CORS, which is not enabled.
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                // The curves API answers with ETags that clients revalidate; Spring Security's no-store would
                // defeat them.
                .headers(h -> h.cacheControl(c -> c.disable())
                        // nosniff is Spring Security's default (kept); the policy lets the dashboard load only its own
                        // scripts, styles and API, so injected markup could neither run nor send data anywhere.
                        .contentTypeOptions(Customizer.withDefaults())
                        .contentSecurityPolicy(c -> c.policyDirectives(CONTENT_SECURITY_POLICY)))
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden));

        if (!settings.enabled()) {
            log.info("API keys are off (grokscope.security.api-keys is empty): every endpoint is open to this"
                    + " machine's clients; writes from other sites' pages are refused");
            http.addFilterBefore(new CrossOriginWriteFilter(json), AuthorizationFilter.class);
            http.authorizeHttpRequests(a -> a.anyRequest().permitAll());
            return http.build();
        }
        settings.requireUsableKeys();
        log.info("API keys are on ({} configured): writes under /api/** need a key{}", settings.apiKeys().size(),
                settings.protectReads() ? ", and so do reads" : "; reads are open");
        http.addFilterBefore(new ApiKeyAuthenticationFilter(new ApiKeys(settings.apiKeys()), unauthorized),
                AuthorizationFilter.class);
        http.authorizeHttpRequests(a -> {
            // An async (SSE) or error dispatch continues a request that was authorized when it arrived.
            a.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
            a.requestMatchers("/actuator/health", "/actuator/health/**").permitAll();
            if (!settings.protectReads()) {
                a.requestMatchers(HttpMethod.GET, "/api/**").permitAll();
                a.requestMatchers(HttpMethod.HEAD, "/api/**").permitAll();
            }
            a.requestMatchers(HttpMethod.OPTIONS, "/api/**").permitAll();
            a.requestMatchers("/api/**").hasAuthority(ApiKeyAuthenticationFilter.AUTHORITY);
            // The dashboard, the contract (/openapi, /v3/api-docs) and the other actuator endpoints (info, metrics)
            a.anyRequest().permitAll();
        });
        return http.build();
    }
}
