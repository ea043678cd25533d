package dev.automutex.autoconfigure;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
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
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * A store selection that cannot be met stops an application with Spring Boot's failure
 * analysis ("APPLICATION FAILED TO START", Description, Action), not a stack trace: ours
 * for several registries (registered in {@code META-INF/spring.factories}), Spring Boot's
 * own for {@code mutex.store=redis}; a WARN for {@code auto} that chose a Redis that does
 * not answer.
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

	@Test
	void autoWithARedisThatDoesNotAnswerStartsAndWarnsNamingItsAddress(CapturedOutput output) throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(PlainApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off")
			.run("--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + closedPort,
					"--spring.data.redis.timeout=1s")) {
			await().atMost(Duration.ofSeconds(20))
				.until(() -> output.toString().contains("at a PING Redis did not answer"));
			assertThat(output).contains("WARN", "mutex.store is 'auto', which chose Redis at 127.0.0.1:" + closedPort,
					"set mutex.store=local");
		}
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
