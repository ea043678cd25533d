package dev.automutex.annotation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLockException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.aop.support.AopUtils;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code @AutoMutex} behaves like redis-mutex's {@code auto_mutex}, in a plain Spring
 * context on the local store.
 */
@Timeout(30)
class AutoMutexTests {

	private AnnotationConfigApplicationContext context;

	private MutexTemplate mutex;

	private JobController jobs;

	private ItunesVerifier verifier;

	private final AtomicReference<MutexFailure> lastFailure = new AtomicReference<>();

	@BeforeEach
	void startContext() {
		this.context = new AnnotationConfigApplicationContext();
		this.context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of("jobs.block", "0s")));
		this.context.registerBean("failures", AtomicReference.class, () -> this.lastFailure);
		this.context.register(Config.class);
		this.context.refresh();
		this.mutex = this.context.getBean(MutexTemplate.class);
		this.jobs = this.context.getBean(JobController.class);
		this.verifier = this.context.getBean(ItunesVerifier.class);
	}

	@AfterEach
	void closeContext() {
		this.context.close();
	}

	@Test
	void withoutOnSecondCallWithOtherArgumentsIsRefusedAndHandlerGetsItsArguments() throws Exception {
		Gate gate = new Gate();
		CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> this.jobs.run("first", gate));
		gate.awaitEntered();

		String second = this.jobs.run("second", Gate.open());

		assertThat(second).isEqualTo("failed to acquire lock!");
		MutexFailure failure = this.lastFailure.get();
		assertThat(failure.keys()).containsExactly("JobController#run");
		assertThat(failure.method().getName()).isEqualTo("run");
		assertThat(failure.arguments()).hasSize(2).startsWith("second");
		assertThat(failure.target()).isInstanceOf(JobController.class);
		assertThat(failure.exception()).hasMessageContaining("JobController#run");

		gate.open.countDown();
		assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("ran first");
		assertThat(this.jobs.run("third", Gate.open())).isEqualTo("ran third");
	}

	@Test
	void withOnDifferentIdsRunInParallel() throws Exception {
		Gate first = new Gate();
		Gate second = new Gate();
		CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> this.verifier.perform("111", first));
		first.awaitEntered();
		CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> this.verifier.perform("222", second));
		// Both are inside their methods at once: the second entered while the first
		// still holds its key.
		second.awaitEntered();
		first.open.countDown();
		second.open.countDown();
		assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("verified 111");
		assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("verified 222");
	}

	@Test
	void withOnSameIdIsRefusedWithKeyFromTheArgument() throws Exception {
		Gate gate = new Gate();
		CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> this.verifier.perform("123456", gate));
		gate.awaitEntered();
		assertThat(this.mutex.isLocked("ItunesVerifier#perform:123456")).isTrue();
		assertThatExceptionOfType(MutexLockException.class)
			.isThrownBy(() -> this.verifier.perform("123456", Gate.open()))
			.satisfies((ex) -> assertThat(ex.keys()).containsExactly("ItunesVerifier#perform:123456"))
			.withMessageContaining("ItunesVerifier#perform:123456");
		gate.open.countDown();
		assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("verified 123456");
		assertThat(this.mutex.isLocked("ItunesVerifier#perform:123456")).isFalse();
	}

	@Test
	void keyUsesUserClassNotProxyClass() {
		assertThat(AopUtils.isCglibProxy(this.verifier)).isTrue();
		String proxyName = this.verifier.getClass().getSimpleName();
		assertThat(proxyName).contains("$$");
		assertThat(this.verifier.heldKeys("42", proxyName)).containsExactly(true, false);
	}

	@Test
	void keyFromSeveralValuesNameAndObjectIds() {
		KeyFormats formats = this.context.getBean(KeyFormats.class);
		assertThat(formats.rooms(new Room(123), "east")).isTrue();
		assertThat(formats.named(7)).isTrue();
		assertThat(formats.nested(new Order(new Room(5)))).isTrue();
	}

	@Test
	void nullKeyValueNamesExpressionMethodAndClass() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.verifier.perform(null, Gate.open()))
			.withMessageContaining("'#transactionId'")
			.withMessageContaining(ItunesVerifier.class.getName() + ".perform(String, Gate)")
			.withMessageContaining("null");
	}

	@Test
	void exceptionFromMethodReachesCallerAndReleasesKey() {
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.verifier.fail("9"))
			.withMessage("declined 9");
		assertThat(this.mutex.isLocked("ItunesVerifier#fail:9")).isFalse();
	}

	@Test
	void nestedAnnotatedCallsOnTheSameKeyAreReentrant() {
		assertThat(this.context.getBean(Accounts.class).transfer(1)).isEqualTo("moved 1");
	}

	@Test
	void allLocksEachValueAsASeparateKeyAndOverlappingCallsAreRefused() throws Exception {
		Transfers transfers = this.context.getBean(Transfers.class);
		Gate gate = new Gate();
		CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> transfers.transfer(1, 2, gate));
		gate.awaitEntered();
		assertThat(this.mutex.isLocked("account:1")).isTrue();
		assertThat(this.mutex.isLocked("account:2")).isTrue();
		assertThatExceptionOfType(MutexLockException.class).isThrownBy(() -> transfers.transfer(2, 3, Gate.open()))
			.satisfies((ex) -> assertThat(ex.keys()).containsExactly("account:2", "account:3"));
		assertThat(this.mutex.isLocked("account:3")).as("none of a refused set stays held").isFalse();
		assertThat(transfers.transfer(3, 4, Gate.open())).isEqualTo("moved 3->4");
		gate.open.countDown();
		assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("moved 1->2");
		assertThat(this.mutex.isLocked("account:1")).isFalse();
	}

	@Test
	void allLocksEveryElementOfACollection() {
		Transfers transfers = this.context.getBean(Transfers.class);
		assertThat(transfers.reserve(List.of("apple", "pear"))).isTrue();
		assertThat(this.mutex.isLocked("item:apple")).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> transfers.reserve(List.of()))
			.withMessageContaining("gave no key");
	}

	@Test
	void failureHandlerExceptionReachesCaller() throws Exception {
		Gate gate = new Gate();
		CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> this.verifier.strict("1", gate));
		gate.awaitEntered();
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> this.verifier.strict("1", Gate.open()))
			.withMessage("busy: [ItunesVerifier#strict:1]");
		gate.open.countDown();
		a.get(10, TimeUnit.SECONDS);
	}

	static final class Gate {

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch open = new CountDownLatch(1);

		static Gate open() {
			Gate gate = new Gate();
			gate.open.countDown();
			return gate;
		}

		void pass() {
			this.entered.countDown();
			try {
				if (!this.open.await(20, TimeUnit.SECONDS)) {
					throw new IllegalStateException("gate never opened");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		void awaitEntered() throws InterruptedException {
			assertThat(this.entered.await(10, TimeUnit.SECONDS)).as("method entered").isTrue();
		}

		@Override
		public String toString() {
			return "Gate";
		}

	}

	record Room(long id) {
	}

	record Order(Room room) {
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class Config {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		JobController jobController() {
			return new JobController();
		}

		@Bean
		ItunesVerifier itunesVerifier(MutexTemplate mutexTemplate) {
			return new ItunesVerifier(mutexTemplate);
		}

		@Bean
		KeyFormats keyFormats(MutexTemplate mutexTemplate) {
			return new KeyFormats(mutexTemplate);
		}

		@Bean
		Accounts accounts(Ledger ledger) {
			return new Accounts(ledger);
		}

		@Bean
		Ledger ledger() {
			return new Ledger();
		}

		@Bean
		Transfers transfers(MutexTemplate mutexTemplate) {
			return new Transfers(mutexTemplate);
		}

		@Bean
		@SuppressWarnings("unchecked")
		MutexFailureHandler busy(AtomicReference<?> failures) {
			return (failure) -> {
				((AtomicReference<MutexFailure>) failures).set(failure);
				return "failed to acquire lock!";
			};
		}

		@Bean
		MutexFailureHandler refuse() {
			return (failure) -> {
				throw new UnsupportedOperationException("busy: " + failure.keys());
			};
		}

	}

	static class JobController {

		@AutoMutex(block = "${jobs.block}", afterFailure = "busy")
		public String run(String who, Gate gate) {
			gate.pass();
			return "ran " + who;
		}

	}

	static class ItunesVerifier {

		private final MutexTemplate mutex;

		ItunesVerifier(MutexTemplate mutex) {
			this.mutex = mutex;
		}

		@AutoMutex(on = "#transactionId", block = "0s")
		public String perform(String transactionId, Gate gate) {
			gate.pass();
			return "verified " + transactionId;
		}

		@AutoMutex(on = "#p0", block = "0s", afterFailure = "refuse")
		public String strict(String id, Gate gate) {
			gate.pass();
			return "strict " + id;
		}

		@AutoMutex(on = "#id")
		public List<Boolean> heldKeys(String id, String proxyName) {
			return List.of(this.mutex.isLocked("ItunesVerifier#heldKeys:" + id),
					this.mutex.isLocked(proxyName + "#heldKeys:" + id));
		}

		@AutoMutex(on = "#id")
		public void fail(String id) {
			throw new IllegalStateException("declined " + id);
		}

	}

	static class KeyFormats {

		private final MutexTemplate mutex;

		KeyFormats(MutexTemplate mutex) {
			this.mutex = mutex;
		}

		@AutoMutex(on = { "#room", "#wing" })
		public boolean rooms(Room room, String wing) {
			return this.mutex.isLocked("KeyFormats#rooms:Room:123:east");
		}

		@AutoMutex(name = "billing", on = "#accountId")
		public boolean named(long accountId) {
			return this.mutex.isLocked("billing:7");
		}

		@AutoMutex(on = "#order.room().id()")
		public boolean nested(Order order) {
			return this.mutex.isLocked("KeyFormats#nested:5");
		}

	}

	static class Transfers {

		private final MutexTemplate mutex;

		Transfers(MutexTemplate mutex) {
			this.mutex = mutex;
		}

		@AutoMutex(name = "account", all = { "#from", "#to" }, block = "0s")
		public String transfer(long from, long to, Gate gate) {
			gate.pass();
			return "moved " + from + "->" + to;
		}

		@AutoMutex(name = "item", all = "#items", block = "0s")
		public boolean reserve(List<String> items) {
			return items.stream().allMatch((item) -> this.mutex.isLocked("item:" + item));
		}

	}

	static class Accounts {

		private final Ledger ledger;

		Accounts(Ledger ledger) {
			this.ledger = ledger;
		}

		@AutoMutex(name = "account", on = "#id", block = "0s")
		public String transfer(long id) {
			return this.ledger.post(id);
		}

	}

	static class Ledger {

		@AutoMutex(name = "account", on = "#id", block = "0s")
		public String post(long id) {
			return "moved " + id;
		}

	}

}
