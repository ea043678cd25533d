package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.AdviceMode;
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

	@Test
	void privateMethodInProxyModeIsNotSentToASelfCall() {
		assertThat(problems("privateMethod")).singleElement()
			.asString()
			.contains("is private", "cannot intercept", "call it from another bean",
					"a call from inside the same class does not go through the proxy, so it is not locked even when "
							+ "the method is public",
					"@EnableAutoMutex(mode = AdviceMode.ASPECTJ)", "MutexTemplate.withLock");
		assertThat(problems("staticMethod")).singleElement()
			.asString()
			.contains("is static", "call it from another bean", "not locked even when the method is public");
	}

	@Test
	void privateAndFinalMethodsAreAcceptedInAspectJModeOnceWoven() {
		assertThat(problems(Woven.class, "privateMethod", AdviceMode.ASPECTJ)).isEmpty();
		assertThat(problems(Woven.class, "finalMethod", AdviceMode.ASPECTJ)).isEmpty();
	}

	@Test
	void methodAspectJDidNotWeaveIsRefusedNamingTheAgentAndAopXml() {
		assertThat(problems(Service.class, "privateMethod", AdviceMode.ASPECTJ)).singleElement()
			.asString()
			.startsWith("AspectJ did not weave AutoMutex's aspect into the method, so it would run unlocked")
			.contains("-javaagent:aspectjweaver.jar", "META-INF/aop.xml", "dev.automutex.aspectj.AutoMutexAspect",
					Service.class.getName(), "compile time");
	}

	@Test
	void staticMethodIsRefusedInAspectJModeToo() {
		assertThat(problems(Woven.class, "staticMethod", AdviceMode.ASPECTJ)).singleElement()
			.asString()
			.contains("is static", "AutoMutex's aspect does not lock");
	}

	@Test
	void annotationOnlyOnAnInterfaceIsRefusedInAspectJMode() {
		assertThat(problems(Woven.class, "inherited", AdviceMode.ASPECTJ)).singleElement()
			.asString()
			.contains("AspectJ sees only annotations on the method itself", "put @AutoMutex on this method");
	}

	private static List<String> problems(String name) {
		return problems(Service.class, name, AdviceMode.PROXY);
	}

	private static List<String> problems(Class<?> type, String name, AdviceMode mode) {
		Method method = ReflectionUtils.findMethod(type, name, (Class<?>[]) null);
		assertThat(method).isNotNull();
		List<String> problems = new ArrayList<>();
		MutexMethodCheck.check(method, type, mode, problems);
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

		@AutoMutex
		private void privateMethod() {
		}

		public static void staticMethod() {
		}

	}

	interface Annotated {

		@AutoMutex
		void inherited();

	}

	/**
	 * Looks as AspectJ leaves a class it wove: each advised method's body moved into a
	 * static {@code <name>_aroundBody<n>} method.
	 */
	static class Woven implements Annotated {

		@AutoMutex
		private void privateMethod() {
		}

		@AutoMutex
		public final void finalMethod() {
		}

		@AutoMutex
		public static void staticMethod() {
		}

		@Override
		public void inherited() {
		}

		static void privateMethod_aroundBody0() {
		}

		static void finalMethod_aroundBody2() {
		}

		static void staticMethod_aroundBody4() {
		}

		static void inherited_aroundBody6() {
		}

	}

}
