package dev.automutex.annotation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.expression.spel.SpelEvaluationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The keys {@link MutexKeyResolver} makes: several {@code on} values stay apart when a
 * text value contains the separator, documented forms are unchanged, and requests reused
 * for repeated values never mix values up nor bypass a converter of the application's
 * own.
 */
class MutexKeyResolverTests {

	@Test
	void textValuesContainingTheSeparatorNeverMakeTheSameKey() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Recording mutex = context.getBean(Recording.class);
			Pairs pairs = context.getBean(Pairs.class);
			pairs.pair("x:y", "z");
			pairs.pair("x", "y:z");
			pairs.pair("a\\", ":b");
			pairs.pair("a\\:", "b");
			assertThat(mutex.keys).containsExactly("Pairs#pair:x\\:y:z", "Pairs#pair:x:y\\:z", "Pairs#pair:a\\\\:\\:b",
					"Pairs#pair:a\\\\\\::b");
			assertThat(mutex.keys).doesNotHaveDuplicates();
		}
	}

	@Test
	void documentedFormsAreUnchanged() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Recording mutex = context.getBean(Recording.class);
			Pairs pairs = context.getBean(Pairs.class);
			pairs.room(new Room(123), "east");
			pairs.single("123456");
			assertThat(mutex.keys).containsExactly("Pairs#room:Room:123:east", "Pairs#single:123456");
		}
	}

	@Test
	void repeatedValuesReuseTheirRequestAndDifferentValuesNeverShareOne() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Recording mutex = context.getBean(Recording.class);
			Pairs pairs = context.getBean(Pairs.class);
			for (int i = 0; i < 3; i++) {
				pairs.single("a");
				pairs.single("b");
				pairs.number(1);
				pairs.number(1L);
			}
			assertThat(mutex.keys).containsExactly("Pairs#single:a", "Pairs#single:b", "Pairs#number:1",
					"Pairs#number:1", "Pairs#single:a", "Pairs#single:b", "Pairs#number:1", "Pairs#number:1",
					"Pairs#single:a", "Pairs#single:b", "Pairs#number:1", "Pairs#number:1");
			assertThat(mutex.requests.get(0)).as("the same request for the same value").isSameAs(mutex.requests.get(4));
		}
	}

	@Test
	void aConverterOfTheApplicationsOwnIsAskedOnEveryCall() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class,
				CountingConverterConfig.class)) {
			Pairs pairs = context.getBean(Pairs.class);
			for (int i = 0; i < 3; i++) {
				pairs.single("a");
			}
			assertThat(context.getBean(CountingConverterConfig.class).calls).hasValue(3);
		}
	}

	@Test
	void expressionThatFailsAtCallTimeNamesTheExpressionAndMethodAndHoldsNothing() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Recording mutex = context.getBean(Recording.class);
			Pairs pairs = context.getBean(Pairs.class);
			assertThatIllegalArgumentException().isThrownBy(() -> pairs.missing(new Room(7)))
				.withMessageContaining("Key expression '#room.missing.field' of @AutoMutex on ")
				.withMessageContaining("Pairs.missing(Room)")
				.withMessageContaining("could not be evaluated")
				.withMessageContaining("EL1008E")
				.withCauseInstanceOf(SpelEvaluationException.class);
			assertThatIllegalArgumentException().isThrownBy(() -> pairs.room(null, "east"))
				.withMessageContaining("Key expression '#room' of @AutoMutex on ");
			assertThat(mutex.keys).isEmpty();
			assertThat(MutexTemplate.locksOfCurrentThread()).isEmpty();
		}
	}

	@Test
	void exceptionOfCodeTheExpressionCallsReachesTheCallerUnchanged() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Pairs pairs = context.getBean(Pairs.class);
			assertThatIllegalStateException().isThrownBy(() -> pairs.explode(new Room(7)))
				.withMessage("room 7 has no key");
			assertThat(MutexTemplate.locksOfCurrentThread()).isEmpty();
		}
	}

	record Room(long id) {

		public String explode() {
			throw new IllegalStateException("room " + this.id + " has no key");
		}

	}

	static class Pairs {

		@AutoMutex(on = { "#first", "#second" })
		public void pair(String first, String second) {
		}

		@AutoMutex(on = { "#room", "#wing" })
		public void room(Room room, String wing) {
		}

		@AutoMutex(on = "#id")
		public void single(String id) {
		}

		@AutoMutex(on = "#id")
		public void number(Object id) {
		}

		@AutoMutex(on = "#room.missing.field")
		public void missing(Room room) {
		}

		@AutoMutex(on = "#room.explode()")
		public void explode(Room room) {
		}

	}

	/**
	 * Records the key of every lock taken.
	 */
	static class Recording extends MutexTemplate {

		final List<String> keys = new CopyOnWriteArrayList<>();

		final List<MutexRequest> requests = new CopyOnWriteArrayList<>();

		Recording() {
			super(new LocalMutexStore());
		}

		@Override
		public MutexLock lock(MutexRequest request) {
			this.requests.add(request);
			MutexLock lock = super.lock(request);
			this.keys.addAll(lock.keys());
			return lock;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class Config {

		@Bean
		Recording mutexTemplate() {
			return new Recording();
		}

		@Bean
		Pairs pairs() {
			return new Pairs();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CountingConverterConfig {

		final AtomicInteger calls = new AtomicInteger();

		@Bean
		MutexKeyConverter tenantKeyConverter() {
			return (key) -> {
				this.calls.incrementAndGet();
				return key.toString();
			};
		}

		@Bean
		Recording mutexTemplate(MutexKeyConverter converter) {
			Recording recording = new Recording();
			recording.setKeyConverter(converter);
			return recording;
		}

	}

}
