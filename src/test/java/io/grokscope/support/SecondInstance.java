package io.grokscope.support;

import io.grokscope.GrokscopeApplication;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Another instance of the whole application in this JVM, on a random port against the suite's test database, for a
 * test that needs settings the shared {@link IntegrationTest} context must not have (API keys on, say). Its job pool
 * is off, as in the shared context; the caller closes it.
 */
public final class SecondInstance {

    private SecondInstance() {
    }

    public static ConfigurableApplicationContext start(String... properties) {
        TestDatabase.Coordinates db = TestDatabase.get();
        List<String> all = new ArrayList<>(List.of(
                "server.port=0",
                "spring.main.banner-mode=off",
                "spring.datasource.url=" + db.url(),
                "spring.datasource.username=" + db.user(),
                "spring.datasource.password=" + db.password(),
                "grokscope.jobs.enabled=false",
                "grokscope.jobs.max-queued=1000"));
        all.addAll(List.of(properties));
        return new SpringApplicationBuilder(GrokscopeApplication.class).properties(all.toArray(String[]::new)).run();
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((ServletWebServerApplicationContext) context).getWebServer().getPort();
    }
}
