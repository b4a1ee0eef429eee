package io.grokscope.security;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The generated OpenAPI document marks the operations that {@link SecurityConfiguration} protects: every write under
 * {@code /api/}, derived from the same rule (the method) rather than annotated handler by handler, so that the two
 * cannot drift apart. The contract in {@code openapi/grokscope.yaml} says the same, and ContractTest compares them.
 */
@Configuration(proxyBeanMethods = false)
class ApiKeyOpenApi {

    static final String SCHEME = "apiKey";
    private static final Set<PathItem.HttpMethod> READS = Set.of(PathItem.HttpMethod.GET, PathItem.HttpMethod.HEAD,
            PathItem.HttpMethod.OPTIONS);

    @Bean
    OpenApiCustomizer apiKeySecurity() {
        return api -> {
            if (api.getComponents() == null) {
                api.setComponents(new Components());
            }
            api.getComponents().addSecuritySchemes(SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer").description("An API key from grokscope.security.api-keys; enforced only when"
                            + " keys are configured."));
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                if (path.startsWith("/api/") && !READS.contains(method)) {
                    operation.addSecurityItem(new SecurityRequirement().addList(SCHEME));
                }
            }));
        };
    }
}
