package dev.automutex.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.MutexFailureHandler;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @Scheduled} job that must run once per cluster: two Spring Boot applications
 * on one Redis each schedule it every 100 ms with {@code @AutoMutex(block = "0s",
 * afterFailure = MutexFailureHandler.SKIP)}. Its runs never overlap, the instance that
 * finds the key busy skips quietly, and with {@code holdAtLeast = "1s"} it runs at most
 * once a second in all.
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class ScheduledJobOnceTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	static final List<Long> starts = new ArrayList<>();

	static final AtomicInteger inside = new AtomicInteger();

	static final AtomicInteger overlaps = new AtomicInteger();

	@BeforeEach
	void reset() {
		redis.server().flushAll();
		synchronized (starts) {
			starts.clear();
		}
		overlaps.set(0);
	}

	@Test
	void withHoldAtLeastTheJobRunsAtMostOnceASecondInAll(CapturedOutput output) {
		try (ConfigurableApplicationContext first = start(true); ConfigurableApplicationContext second = start(true)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> runs() >= 5);
		}
		assertThat(overlaps).hasValue(0);
		List<Long> seen = startsSeen();
		for (int i = 1; i < seen.size(); i++) {
			assertThat(seen.get(i) - seen.get(i - 1))
				.as("run %d came %d ms after run %d", i, (seen.get(i) - seen.get(i - 1)) / 1_000_000, i - 1)
				.isGreaterThanOrEqualTo(Duration.ofMillis(950).toNanos());
		}
		assertThat(output).doesNotContain("Unexpected error occurred in scheduled task")
			.doesNotContain("MutexLockException");
	}

	@Test
	void withoutItTheJobRunsOftenButNeverTwiceAtOnce(CapturedOutput output) {
		try (ConfigurableApplicationContext first = start(false);
				ConfigurableApplicationContext second = start(false)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> runs() >= 30);
		}
		assertThat(overlaps).hasValue(0);
		assertThat(output).doesNotContain("Unexpected error occurred in scheduled task")
			.doesNotContain("MutexLockException");
	}

	private static int runs() {
		synchronized (starts) {
			return starts.size();
		}
	}

	private static List<Long> startsSeen() {
		synchronized (starts) {
			return List.copyOf(starts);
		}
	}

	private static ConfigurableApplicationContext start(boolean holdAtLeast) {
		return new SpringApplicationBuilder(JobApplication.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.host=" + redis.server().host(),
					"spring.data.redis.port=" + redis.server().port(), "spring.main.banner-mode=off",
					"job.hold-at-least=" + (holdAtLeast ? "1s" : "0s"))
			.run();
	}

	static class ReportJob {

		@Scheduled(fixedRate = 100)
		@AutoMutex(name = "nightly-report", block = "0s", holdAtLeast = "${job.hold-at-least}",
				afterFailure = MutexFailureHandler.SKIP)
		public void run() {
			if (inside.incrementAndGet() > 1) {
				overlaps.incrementAndGet();
			}
			synchronized (starts) {
				starts.add(System.nanoTime());
			}
			LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the job's work
			inside.decrementAndGet();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableScheduling
	static class JobApplication {

		@Bean
		ReportJob reportJob() {
			return new ReportJob();
		}

	}

}
