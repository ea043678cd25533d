package dev.automutex.autoconfigure;

import java.util.concurrent.locks.Lock;

import dev.automutex.store.LocalLockRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A store selection that cannot be met stops an application with Spring Boot's failure
 * analysis ("APPLICATION FAILED TO START", Description, Action), not a stack trace: ours
 * for several registries (registered in {@code META-INF/spring.factories}), Spring Boot's
 * own for {@code mutex.store=redis}.
 */
@ExtendWith(OutputCaptureExtension.class)
class MutexStoreFailureAnalyzerTests {

	@Test
	void severalLockRegistriesAreNamedWithTheFix(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start(TwoRegistriesApplication.class));
		assertThat(output).contains("APPLICATION FAILED TO START",
				"AutoMutex locks on the application's LockRegistry bean, but found 2 and none is @Primary:", "\t- one",
				"\t- two",
				"Mark the LockRegistry that AutoMutex should lock on @Primary, or declare a MutexStore bean");
	}

	@Test
	void storeRedisWithoutConnectionFactoryNamesThePropertyAndTheFix(CapturedOutput output) {
		assertThatException().isThrownBy(() -> start(PlainApplication.class, "--mutex.store=redis",
				"--spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"));
		assertThat(output).contains("APPLICATION FAILED TO START",
				"Invalid value 'redis' for configuration property " + "'mutex.store'",
				"there is no RedisConnectionFactory bean; add spring-boot-starter-data-redis");
	}

	private static void start(Class<?> application, String... args) {
		new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off")
			.run(args)
			.close();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class PlainApplication {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TwoRegistriesApplication {

		@Bean
		LockRegistry<Lock> one() {
			return new LocalLockRegistry();
		}

		@Bean
		LockRegistry<Lock> two() {
			return new LocalLockRegistry();
		}

	}

}
