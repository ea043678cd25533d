package dev.automutex.annotation;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLockException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code @AutoMutex} on an {@code @Async} method holds the key for the asynchronous work,
 * not just until the method hands back its future: Spring's async advice runs first and
 * takes the whole call, lock included, to its executor.
 */
@Timeout(30)
class AutoMutexAsyncTests {

	private AnnotationConfigApplicationContext context;

	private MutexTemplate mutex;

	private Encoder encoder;

	@BeforeEach
	void startContext() {
		this.context = new AnnotationConfigApplicationContext(Config.class);
		this.mutex = this.context.getBean(MutexTemplate.class);
		this.encoder = this.context.getBean(Encoder.class);
	}

	@AfterEach
	void closeContext() {
		this.context.close();
	}

	@Test
	void keyIsHeldWhileTheAsynchronousWorkRuns() throws Exception {
		CountDownLatch finish = new CountDownLatch(1);
		CompletableFuture<String> first = this.encoder.encode("9", finish);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.mutex.isLocked("Encoder#encode:9"));
		assertThat(first).isNotDone();

		CompletableFuture<String> refused = this.encoder.encode("9", open());
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOf(MutexLockException.class);
		assertThat(this.encoder.encode("10", open()).get(10, TimeUnit.SECONDS)).isEqualTo("encoded 10");

		assertThat(this.mutex.isLocked("Encoder#encode:9")).as("still held by the running work").isTrue();
		finish.countDown();
		assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("encoded 9");
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.mutex.isLocked("Encoder#encode:9"));
	}

	private static CountDownLatch open() {
		return new CountDownLatch(0);
	}

	static class Encoder {

		@Async
		@AutoMutex(on = "#videoId", block = "0s")
		public CompletableFuture<String> encode(String videoId, CountDownLatch finish) {
			try {
				finish.await(20, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return CompletableFuture.completedFuture("encoded " + videoId);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	@EnableAsync
	static class Config {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Encoder encoder() {
			return new Encoder();
		}

	}

}
