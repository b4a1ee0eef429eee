package io.grokscope.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the HTTP layer.
 *
 * @param maxBodySize largest request body accepted; a spec is about 1 KB, a sweep a few KB
 */
@ConfigurationProperties("grokscope.web")
public record WebProperties(@DefaultValue("256KB") DataSize maxBodySize) {
}
