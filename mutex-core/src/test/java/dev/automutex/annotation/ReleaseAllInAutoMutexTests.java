package dev.automutex.annotation;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code releaseAll()} inside an {@code @AutoMutex} method releases the method's key
 * early, as the README allows: a key released on purpose is not a lost key, so the
 * method's result reaches the caller.
 */
@Timeout(30)
class ReleaseAllInAutoMutexTests {

	private AnnotationConfigApplicationContext context;

	private MutexTemplate mutex;

	private Cleanup cleanup;

	@BeforeEach
	void startContext() {
		this.context = new AnnotationConfigApplicationContext(Config.class);
		this.mutex = this.context.getBean(MutexTemplate.class);
		this.cleanup = this.context.getBean(Cleanup.class);
	}

	@AfterEach
	void closeContext() {
		this.context.close();
	}

	@Test
	void methodThatCallsReleaseAllReturnsItsResultAndLeavesTheKeyFree() throws Exception {
		assertThat(this.cleanup.finish("7")).isEqualTo("done 7");
		boolean taken = CompletableFuture.supplyAsync(() -> {
			Optional<MutexLock> lock = this.mutex.tryLock("Cleanup#finish:7");
			lock.ifPresent(MutexLock::release);
			return lock.isPresent();
		}).get(10, TimeUnit.SECONDS);
		assertThat(taken).as("another thread's tryLock of the key after the call").isTrue();
	}

	@Test
	void methodThatCallsReleaseAllReleasedItsKeyBeforeReturning() {
		assertThat(this.cleanup.finishAndCheck("8")).as("key still locked after releaseAll, inside the method")
			.isFalse();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class Config {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Cleanup cleanup(MutexTemplate mutexTemplate) {
			return new Cleanup(mutexTemplate);
		}

	}

	static class Cleanup {

		private final MutexTemplate mutex;

		Cleanup(MutexTemplate mutex) {
			this.mutex = mutex;
		}

		@AutoMutex(on = "#id", block = "0s")
		public String finish(String id) {
			this.mutex.releaseAll();
			return "done " + id;
		}

		@AutoMutex(on = "#id", block = "0s")
		public boolean finishAndCheck(String id) {
			this.mutex.releaseAll();
			return this.mutex.isLocked("Cleanup#finishAndCheck:" + id);
		}

	}

}
