package dev.automutex.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.annotation.AutoMutex;
import dev.automutex.autoconfigure.actuate.MutexHealthIndicator;
import dev.automutex.test.RedisServer;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Applications on a Redis that speaks TLS only (no plain port), configured with Spring
 * Boot's own properties as README shows them: an SSL bundle that trusts the certificate
 * authority the test made, named by {@code spring.data.redis.ssl.bundle}.
 */
@Timeout(120)
@ExtendWith(OutputCaptureExtension.class)
class RedisOverTlsTests {

	private static final int THREADS_PER_INSTANCE = 4;

	private static final int CALLS_PER_THREAD = 25;

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.withTls();

	/**
	 * Spring Boot's properties for a Redis on TLS whose certificate authority is in a PEM
	 * file: README's YAML, as arguments.
	 * @param server the server
	 * @return the arguments
	 */
	static List<String> tlsArguments(RedisServer server) {
		return List.of("--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + server.port(),
				"--spring.data.redis.ssl.bundle=redis", "--spring.ssl.bundle.pem.redis.truststore.certificate=file:"
						+ server.tls().orElseThrow().caCertificate());
	}

	@ParameterizedTest
	@ValueSource(strings = { "automutex", "spring-integration" })
	void twoInstancesExcludeEachOtherOverTlsAndLoseNoUpdate(String engine) throws Exception {
		Counter.reset();
		try (ConfigurableApplicationContext first = start("--mutex.redis.engine=" + engine);
				ConfigurableApplicationContext second = start("--mutex.redis.engine=" + engine)) {
			assertThat(first.getBean(LettuceConnectionFactory.class).isUseSsl()).isTrue();
			Counter counterA = first.getBean(Counter.class);
			Counter counterB = second.getBean(Counter.class);
			ExecutorService executor = Executors.newFixedThreadPool(2 * THREADS_PER_INSTANCE);
			try {
				CountDownLatch go = new CountDownLatch(1);
				List<Future<?>> workers = new ArrayList<>();
				for (int t = 0; t < 2 * THREADS_PER_INSTANCE; t++) {
					Counter counter = (t % 2 == 0) ? counterA : counterB;
					workers.add(executor.submit(() -> {
						go.await();
						for (int i = 0; i < CALLS_PER_THREAD; i++) {
							counter.increment();
						}
						return null;
					}));
				}
				go.countDown();
				for (Future<?> worker : workers) {
					worker.get(100, TimeUnit.SECONDS);
				}
			}
			finally {
				executor.shutdownNow();
			}
		}
		assertThat(Counter.overlaps).hasValue(0);
		assertThat(Counter.count[0]).isEqualTo(2 * THREADS_PER_INSTANCE * CALLS_PER_THREAD);
	}

	@Test
	void healthContributorPingsRedisOverTls() {
		try (ConfigurableApplicationContext application = start()) {
			Health health = application.getBean(MutexHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("redis", "127.0.0.1:" + redis.server().port())
				.containsKey("pingLatency");
		}
	}

	@Test
	void clientThatDoesNotTrustTheServersCertificateFailsAtStartup(CapturedOutput output) {
		// TLS on, but only the JDK's own certificate authorities trusted.
		assertThatException().isThrownBy(() -> run("--mutex.store=redis", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + redis.server().port(), "--spring.data.redis.ssl.enabled=true"));
		assertThat(output).contains("APPLICATION FAILED TO START",
				"Redis at 127.0.0.1:" + redis.server().port() + " could not be reached over TLS",
				"unable to find valid certification path to requested target",
				"make the SSL bundle of spring.data.redis.ssl.bundle trust the certificate authority");
	}

	@Test
	void withStoreAutoAClientThatDoesNotTrustTheServerStartsAndWarnsWhy(CapturedOutput output) {
		try (ConfigurableApplicationContext application = run("--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + redis.server().port(), "--spring.data.redis.ssl.enabled=true")) {
			await().atMost(Duration.ofSeconds(20))
				.until(() -> output.getOut().contains("at a PING Redis could not be reached over TLS"));
			assertThat(output.getOut()).contains(
					"mutex.store is 'auto', which chose Redis at 127.0.0.1:" + redis.server().port(),
					"unable to find valid certification path to requested target");
		}
	}

	@Test
	void clientWithoutTlsFailsAtStartup(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--mutex.store=redis", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + redis.server().port(), "--spring.data.redis.timeout=2s"));
		// Redis drops a connection that does not start with a TLS handshake.
		assertThat(output).contains("APPLICATION FAILED TO START",
				"Redis at 127.0.0.1:" + redis.server().port() + " did not answer",
				"spring.data.redis.ssl.* for a Redis on TLS");
	}

	private static ConfigurableApplicationContext start(String... arguments) {
		List<String> all = new ArrayList<>(tlsArguments(redis.server()));
		all.addAll(List.of("--mutex.store=redis", "--mutex.block=30s"));
		all.addAll(List.of(arguments));
		return run(all.toArray(String[]::new));
	}

	private static ConfigurableApplicationContext run(String... arguments) {
		return new SpringApplicationBuilder(CounterApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off")
			.run(arguments);
	}

	static class Counter {

		static final int[] count = new int[1];

		static final AtomicInteger inside = new AtomicInteger();

		static final AtomicInteger overlaps = new AtomicInteger();

		static void reset() {
			count[0] = 0;
			inside.set(0);
			overlaps.set(0);
		}

		@AutoMutex(on = "'counter'")
		public void increment() {
			if (inside.incrementAndGet() > 1) {
				overlaps.incrementAndGet();
			}
			int read = count[0];
			Thread.yield(); // widen the read-modify-write window
			count[0] = read + 1;
			inside.decrementAndGet();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class CounterApplication {

		@Bean
		Counter counter() {
			return new Counter();
		}

	}

}
