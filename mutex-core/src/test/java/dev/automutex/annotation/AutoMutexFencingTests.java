package dev.automutex.annotation;

import java.time.Duration;

import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @AutoMutex} methods receive fencing tokens, and a key lost while the method ran
 * makes its outcome an error the caller sees.
 */
class AutoMutexFencingTests {

	@Test
	void fencingTokenParameterReceivesAGrowingTokenWhateverTheCallerPassed() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(LocalConfig.class)) {
			Ledger ledger = context.getBean(Ledger.class);
			long first = ledger.write("a", -1);
			long second = ledger.write("a", -1);
			assertThat(first).isPositive();
			assertThat(second).isGreaterThan(first);
		}
	}

	@Test
	void keyLostWhileTheMethodRanMakesItsOutcomeAnError() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(LosingConfig.class)) {
			Ledger ledger = context.getBean(Ledger.class);
			assertThatExceptionOfType(MutexLostException.class).isThrownBy(() -> ledger.post("a"))
				.withMessageContaining("Ledger.post(String) lost its key [Ledger#post:a]")
				.satisfies((ex) -> assertThat(ex.keys()).containsExactly("Ledger#post:a"));
			// The method's own exception wins over the loss.
			assertThatIllegalStateException().isThrownBy(() -> ledger.fail("a")).withMessage("declined");
		}
	}

	@Test
	void storeWithoutTokensFailsTheCallAndLeavesTheKeyFree() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(NoTokenConfig.class)) {
			Ledger ledger = context.getBean(Ledger.class);
			assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> ledger.write("a", 0));
			assertThat(context.getBean(MutexTemplate.class).isLocked("Ledger#write:a")).isFalse();
		}
	}

	@Test
	void fencingTokenOnAParameterThatIsNotALongFailsStartup() {
		MutexOperationSource source = new MutexOperationSource();
		assertThatIllegalStateException().isThrownBy(() -> source.validate(WrongToken.class))
			.withMessageContaining("@FencingToken parameter 1 is a String; it must be a long")
			.withMessageContaining("@FencingToken needs one key");
	}

	static class Ledger {

		@AutoMutex(on = "#id")
		public long write(String id, @FencingToken long token) {
			return token;
		}

		@AutoMutex(on = "#id")
		public String post(String id) {
			return "posted " + id;
		}

		@AutoMutex(on = "#id")
		public String fail(String id) {
			throw new IllegalStateException("declined");
		}

	}

	static class WrongToken {

		@AutoMutex(on = "#id")
		public void one(String id, @FencingToken String token) {
		}

		@AutoMutex(all = { "#a", "#b" })
		public void several(String a, String b, @FencingToken long token) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class LocalConfig {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

	}

	/** An application's own registry, which issues no tokens. */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class NoTokenConfig {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new dev.automutex.store.LocalLockRegistry());
		}

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class LosingConfig {

		/**
		 * A store that loses every key before it is released, as Redis does when a lease
		 * lapses.
		 */
		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new MutexStore() {

				@Override
				public @Nullable Held tryAcquire(String key, Duration wait) {
					return new Held() {

						@Override
						public String key() {
							return key;
						}

						@Override
						public boolean release() {
							return false;
						}

						@Override
						public boolean isHeld() {
							return false;
						}

					};
				}

				@Override
				public boolean isLocked(String key) {
					return false;
				}

			});
		}

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

	}

}
