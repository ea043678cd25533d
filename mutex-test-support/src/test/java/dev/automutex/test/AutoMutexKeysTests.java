package dev.automutex.test;

import java.util.List;

import dev.automutex.MutexLockException;
import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.EnableAutoMutex;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link AutoMutexKeys} and {@link HeldByAnotherThread}: a test of the busy path of an
 * {@code @AutoMutex} method without typing its key.
 */
class AutoMutexKeysTests {

	@Test
	void busyPathOfAnAnnotatedMethodIsTestedWithItsComputedKey() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Verifier verifier = context.getBean(Verifier.class);
			MutexTemplate mutex = context.getBean(MutexTemplate.class);
			String key = AutoMutexKeys.keyOf(context, verifier, "perform", "123456");
			assertThat(key).isEqualTo("Verifier#perform:123456");
			try (HeldByAnotherThread held = HeldByAnotherThread.hold(mutex, key)) {
				assertThat(mutex.holder(key))
					.hasValueSatisfying((holder) -> assertThat(holder.thread()).isEqualTo(held.threadName()));
				assertThatExceptionOfType(MutexLockException.class).isThrownBy(() -> verifier.perform("123456"))
					.withMessageContaining("'Verifier#perform:123456'");
				assertThat(verifier.perform("654321")).as("another id is free").isEqualTo("verified 654321");
			}
			assertThat(verifier.perform("123456")).isEqualTo("verified 123456");
		}
	}

	@Test
	void keysOfAllAndOfSeveralArgumentsAreComputedAsTheInterceptorDoes() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Verifier verifier = context.getBean(Verifier.class);
			assertThat(AutoMutexKeys.keysOf(context, verifier, "transfer", List.of("a", "b"), 5L))
				.containsExactly("Verifier#transfer:a", "Verifier#transfer:b");
			assertThat(AutoMutexKeys.keyOf(context, verifier, "room", 7, "blue")).isEqualTo("room:7:blue");
			assertThatIllegalArgumentException().isThrownBy(() -> AutoMutexKeys.keyOf(context, verifier, "perform"))
				.withMessageContaining("No @AutoMutex method perform");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> AutoMutexKeys.keyOf(context, verifier, "transfer", List.of("a", "b"), 5L))
				.withMessageContaining("use keysOf");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex
	static class Config {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Verifier verifier() {
			return new Verifier();
		}

	}

	public static class Verifier {

		@AutoMutex(on = "#transactionId", block = "0s")
		public String perform(String transactionId) {
			return "verified " + transactionId;
		}

		@AutoMutex(all = "#accounts", block = "0s")
		public long transfer(List<String> accounts, long cents) {
			return cents;
		}

		@AutoMutex(name = "room", on = { "#number", "#colour" })
		public String room(int number, String colour) {
			return colour;
		}

	}

}
