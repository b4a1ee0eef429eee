package io.grokscope;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Grokscope service: grokking experiments over HTTP. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GrokscopeApplication {

    public static void main(String[] args) {
        SpringApplication.run(GrokscopeApplication.class, args);
    }
}
