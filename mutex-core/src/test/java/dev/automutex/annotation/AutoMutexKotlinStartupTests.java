package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import kotlin.coroutines.Continuation;
import kotlinx.coroutines.flow.StateFlow;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @AutoMutex} on a Kotlin {@code suspend} function, or on a method returning a
 * Kotlin {@code Flow} or a {@link Flow.Publisher}, is refused when the bean is checked
 * (at startup), because the lock would be released when the method returns, before the
 * work runs. The beans are written in Java: to reflection a suspend function is a method
 * whose last parameter is a {@link Continuation} and whose return type is {@code Object}.
 */
class AutoMutexKotlinStartupTests {

	private final MutexOperationSource source = new MutexOperationSource();

	AutoMutexKotlinStartupTests() {
		this.source.setBeanFactory(new DefaultListableBeanFactory());
	}

	@Test
	void suspendFunctionIsRefusedByTheOperationSource() {
		assertRefused(SuspendingService.class, "perform", "suspend");
	}

	@Test
	void methodReturningKotlinFlowIsRefusedByTheOperationSource() {
		assertRefused(FlowService.class, "stream", "Flow");
	}

	@Test
	void methodReturningFlowPublisherIsRefusedByTheOperationSource() {
		assertRefused(PublisherService.class, "publish", "Publisher");
	}

	/**
	 * A subtype of Kotlin's Flow (StateFlow) or of Flow.Publisher (SubmissionPublisher)
	 * is refused as well.
	 */
	@Test
	void methodsReturningSubtypesOfFlowOrFlowPublisherAreRefused() {
		assertRefused(StateFlowService.class, "state", "Flow");
		assertRefused(SubmissionPublisherService.class, "submit", "Publisher");
	}

	@Test
	void validationOfTheClassRefusesTheSuspendFunction() {
		assertThatIllegalStateException().isThrownBy(() -> this.source.validate(SuspendingService.class))
			.withMessageContaining("perform")
			.satisfies((ex) -> assertThat(ex.getMessage()).containsIgnoringCase("suspend"));
	}

	/**
	 * The check looks at the last parameter and the return type, not at every method
	 * returning Object.
	 */
	@Test
	void ordinaryMethodReturningObjectIsStillAccepted() {
		Method method = method(OrdinaryService.class, "perform");
		MutexOperation operation = this.source.getOperation(method, OrdinaryService.class);
		assertThat(operation).isNotNull();
		assertThat(operation.name()).isEqualTo("OrdinaryService#perform");
	}

	@Test
	void suspendFunctionFailsStartup() {
		assertStartupFails(SuspendingConfig.class, SuspendingService.class, "perform", "suspend");
	}

	@Test
	void methodReturningKotlinFlowFailsStartup() {
		assertStartupFails(FlowConfig.class, FlowService.class, "stream", "Flow");
	}

	@Test
	void methodReturningFlowPublisherFailsStartup() {
		assertStartupFails(PublisherConfig.class, PublisherService.class, "publish", "Publisher");
	}

	private void assertRefused(Class<?> type, String methodName, String kind) {
		Method method = method(type, methodName);
		assertThatIllegalStateException().isThrownBy(() -> this.source.getOperation(method, type))
			.satisfies((ex) -> assertThat(ex.getMessage()).contains(type.getSimpleName())
				.contains(methodName)
				.containsIgnoringCase(kind));
	}

	private static void assertStartupFails(Class<?> config, Class<?> type, String methodName, String kind) {
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> {
			try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Base.class,
					config)) {
				context.getBean(type);
			}
		})
			.satisfies((ex) -> assertThat(rootCause(ex)).isInstanceOf(IllegalStateException.class)
				.satisfies((cause) -> assertThat(cause.getMessage()).contains(type.getSimpleName())
					.contains(methodName)
					.containsIgnoringCase(kind)));
	}

	private static Throwable rootCause(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static Method method(Class<?> type, String name) {
		for (Method method : ReflectionUtils.getAllDeclaredMethods(type)) {
			if (method.getName().equals(name)) {
				return method;
			}
		}
		throw new IllegalArgumentException(name);
	}

	/**
	 * What the Kotlin compiler makes of
	 * {@code @AutoMutex(on = "#id") suspend fun perform(id: String): String}.
	 */
	static class SuspendingService {

		@AutoMutex(on = "#id")
		public Object perform(String id, Continuation<? super String> continuation) {
			return id;
		}

	}

	static class FlowService {

		@AutoMutex(on = "#id")
		public kotlinx.coroutines.flow.Flow<String> stream(String id) {
			throw new UnsupportedOperationException("never called");
		}

	}

	static class StateFlowService {

		@AutoMutex(on = "#id")
		public StateFlow<String> state(String id) {
			throw new UnsupportedOperationException("never called");
		}

	}

	static class PublisherService {

		@AutoMutex(on = "#id")
		public Flow.Publisher<String> publish(String id) {
			throw new UnsupportedOperationException("never called");
		}

	}

	static class SubmissionPublisherService {

		@AutoMutex(on = "#id")
		public SubmissionPublisher<String> submit(String id) {
			throw new UnsupportedOperationException("never called");
		}

	}

	static class OrdinaryService {

		@AutoMutex(on = "#id")
		public Object perform(String id, Object context) {
			return id;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex
	static class Base {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SuspendingConfig {

		@Bean
		SuspendingService suspendingService() {
			return new SuspendingService();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FlowConfig {

		@Bean
		FlowService flowService() {
			return new FlowService();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PublisherConfig {

		@Bean
		PublisherService publisherService() {
			return new PublisherService();
		}

	}

}
