package dev.automutex.autoconfigure.metrics;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AutoMutex;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In an application with Actuator, and so with Micrometer: the {@code mutex.acquire} and
 * {@code mutex.held} timers with a bounded {@code name}, and the {@code mutex.active}
 * gauge.
 */
class MutexMetricsTests {

	@Test
	void timersAndGaugeAreRegisteredWithBoundedNames() {
		try (ConfigurableApplicationContext application = new SpringApplicationBuilder(MetricsApplication.class)
			.web(WebApplicationType.NONE)
			.run("--mutex.store=local", "--spring.main.banner-mode=off")) {
			MeterRegistry meters = application.getBean(MeterRegistry.class);
			MutexTemplate mutex = application.getBean(MutexTemplate.class);
			Verifier verifier = application.getBean(Verifier.class);
			verifier.perform("123456");
			verifier.perform("654321");
			try (MutexLock lock = mutex.lock("Room:1")) {
				assertThat(meters.get("mutex.active").gauge().value()).isEqualTo(1.0);
			}
			assertThat(meters.get("mutex.active").gauge().value()).isZero();
			assertThat(meters.get("mutex.acquire")
				.tag("name", "Verifier#perform")
				.tag("outcome", "acquired")
				.timer()
				.count()).isEqualTo(2);
			assertThat(
					meters.get("mutex.held").tag("name", "Verifier#perform").tag("outcome", "released").timer().count())
				.isEqualTo(2);
			assertThat(meters.get("mutex.held").tag("name", "Room").timer().count()).isEqualTo(1);
			assertThat(meters.find("mutex.acquire").tagKeys("name").timers())
				.extracting((timer) -> timer.getId().getTag("name"))
				.containsOnly("Verifier#perform", "Room");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Verifier.class)
	static class MetricsApplication {

	}

	/** The seeds' verifier, keyed by transaction id. */
	public static class Verifier {

		@AutoMutex(on = "#transactionId")
		public String perform(String transactionId) {
			return "verified " + transactionId;
		}

	}

}
