package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.scheduling.annotation.Async;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MutexMethodCheck} accepts only methods whose work a proxy can hold the key
 * around: a future is fine with {@code @Async}, a lazy stream or a suspend function
 * never.
 */
class MutexMethodCheckTests {

	@Test
	void blockingMethodAndAsyncFutureAreAccepted() {
		assertThat(problems("blocking")).isEmpty();
		assertThat(problems("asyncFuture")).isEmpty();
	}

	@Test
	void futureWithoutAsyncIsRefused() {
		assertThat(problems("future")).singleElement().asString().contains("returns a CompletableFuture", "@Async");
	}

	@Test
	void lazyStreamsAreRefusedEvenWithAsync() {
		assertThat(problems("asyncMono")).singleElement()
			.asString()
			.startsWith("the method returns a reactive Publisher (Mono), whose work Spring AOP runs after the advice")
			.contains("@Async or not", "MutexTemplate.withLock");
		assertThat(problems("asyncPublisher")).singleElement()
			.asString()
			.startsWith("the method returns a Flow.Publisher, whose work");
	}

	@Test
	void methodsAProxyCannotInterceptAreRefused() {
		assertThat(problems("finalMethod")).singleElement().asString().contains("is final", "cannot intercept");
	}

	private static List<String> problems(String name) {
		Method method = ReflectionUtils.findMethod(Service.class, name, (Class<?>[]) null);
		assertThat(method).isNotNull();
		List<String> problems = new ArrayList<>();
		MutexMethodCheck.check(method, Service.class, problems);
		return problems;
	}

	static class Service {

		public String blocking() {
			return "";
		}

		@Async
		public CompletableFuture<String> asyncFuture() {
			return CompletableFuture.completedFuture("");
		}

		public CompletableFuture<String> future() {
			return CompletableFuture.completedFuture("");
		}

		@Async
		public Mono<String> asyncMono() {
			return Mono.empty();
		}

		@Async
		public Flow.Publisher<String> asyncPublisher() {
			return (subscriber) -> {
			};
		}

		public final void finalMethod() {
		}

	}

}
