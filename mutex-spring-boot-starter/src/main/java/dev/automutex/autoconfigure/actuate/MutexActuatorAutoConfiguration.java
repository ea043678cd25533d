package dev.automutex.autoconfigure.actuate;

import dev.automutex.MutexTemplate;
import dev.automutex.autoconfigure.MutexAutoConfiguration;
import dev.automutex.autoconfigure.MutexProperties;
import dev.automutex.store.MutexStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * {@link org.springframework.boot.autoconfigure.AutoConfiguration Auto-configuration} of
 * AutoMutex's Actuator support, present only when the application has Actuator: the
 * {@code mutex} endpoint ({@link MutexEndpoint}) and the {@code mutex} health contributor
 * ({@link MutexHealthIndicator}, off with {@code management.health.mutex.enabled=false}).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MutexAutoConfiguration.class)
@ConditionalOnBean(MutexStore.class)
public final class MutexActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
	@ConditionalOnAvailableEndpoint(MutexEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(MutexTemplate.class)
		MutexEndpoint mutexEndpoint(MutexTemplate template, MutexStore store, MutexProperties properties) {
			return new MutexEndpoint(template, store, properties.getActuator().getListLimit());
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(MutexEndpoint.class)
		@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
		MutexEndpointWebExtension mutexEndpointWebExtension(MutexTemplate template, MutexStore store,
				MutexProperties properties) {
			return new MutexEndpointWebExtension(template, store, properties.getActuator().isForceRelease());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
	@ConditionalOnEnabledHealthIndicator("mutex")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "mutexHealthIndicator")
		HealthIndicator mutexHealthIndicator(MutexStore store, ObjectProvider<RedisConnectionFactory> redis) {
			return new MutexHealthIndicator(store, redis.getIfAvailable());
		}

	}

}
