package dev.automutex.annotation;

import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Scope;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every {@code @AutoMutex} mistake stops the context from starting, whatever kind of bean
 * carries it.
 */
class AutoMutexStartupTests {

	@Test
	void invalidMethodAfterAValidOneOfAnInterfaceProxiedBeanFailsStartup() {
		assertStartupFails(InterfaceProxiedConfig.class, Verifier.class.getName() + ".audit(String)");
	}

	@Test
	void invalidMethodOfALazyBeanFailsStartup() {
		assertStartupFails(LazyConfig.class, Broken.class.getName() + ".run(String)");
	}

	@Test
	void invalidMethodOfAPrototypeBeanFailsStartup() {
		assertStartupFails(PrototypeConfig.class, Broken.class.getName() + ".run(String)");
	}

	private static void assertStartupFails(Class<?> config, String method) {
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> {
			try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Base.class,
					config)) {
				context.getBeanDefinitionNames();
			}
		})
			.satisfies((ex) -> org.assertj.core.api.Assertions.assertThat(rootCause(ex))
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("Invalid @AutoMutex on " + method)
				.hasMessageContaining("on[0] '#nope'"));
	}

	private static Throwable rootCause(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	interface Verification {

		String perform(String id);

		String audit(String id);

	}

	static class Verifier implements Verification {

		@Override
		@AutoMutex(on = "#id")
		public String perform(String id) {
			return id;
		}

		@Override
		@AutoMutex(on = "#nope")
		public String audit(String id) {
			return id;
		}

	}

	static class Broken {

		@AutoMutex(on = "#nope")
		public void run(String id) {
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
	static class InterfaceProxiedConfig {

		@Bean
		Verification verifier() {
			return new Verifier();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LazyConfig {

		@Bean
		@Lazy
		Broken broken() {
			return new Broken();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrototypeConfig {

		@Bean
		@Scope("prototype")
		Broken broken() {
			return new Broken();
		}

	}

}
