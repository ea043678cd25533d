package dev.automutex.autoconfigure.web;

import dev.automutex.autoconfigure.MutexAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} for web applications (Spring MVC or
 * WebFlux): {@link MutexProblemDetails}, which answers a busy key with 409 Conflict. On
 * by default; {@code mutex.web.busy-as-conflict=false} turns it off.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MutexAutoConfiguration.class)
@ConditionalOnWebApplication
@ConditionalOnClass(name = "org.springframework.http.ProblemDetail")
@ConditionalOnProperty(prefix = "mutex.web", name = "busy-as-conflict", havingValue = "true", matchIfMissing = true)
public final class MutexWebAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MutexProblemDetails mutexProblemDetails() {
		return new MutexProblemDetails();
	}

}
