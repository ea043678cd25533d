package dev.automutex.autoconfigure.metrics;

import dev.automutex.MutexTemplate;
import dev.automutex.autoconfigure.MutexAutoConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} of the {@code mutex.active} gauge (keys
 * this instance holds now), when Micrometer is on the classpath: Spring Boot binds every
 * {@link MeterBinder} bean to its meter registries. The {@code mutex.acquire} and
 * {@code mutex.held} timers come from the template's observations
 * ({@link MutexTemplate#setObservationRegistry}).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MutexAutoConfiguration.class)
@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnBean(MutexTemplate.class)
public final class MutexMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "mutexMeterBinder")
	MeterBinder mutexMeterBinder(MutexTemplate template) {
		return (registry) -> Gauge.builder("mutex.active", template, MutexTemplate::heldCount)
			.description("Keys this instance holds now")
			.register(registry);
	}

}
