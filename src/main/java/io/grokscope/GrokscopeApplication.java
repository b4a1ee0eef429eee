package io.grokscope;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Grokscope service: grokking experiments over HTTP. Spring Boot's generated in-memory user is left out: callers
 * authenticate with API keys only (see {@code io.grokscope.security}).
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
public class GrokscopeApplication {

    public static void main(String[] args) {
        SpringApplication.run(GrokscopeApplication.class, args);
    }
}
