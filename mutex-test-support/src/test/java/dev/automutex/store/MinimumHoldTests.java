package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code holdAtLeast}: a key released before its minimum hold ends stays held until then,
 * for every thread and instance, the releasing thread included; then it is free. On the
 * local store and the AutoMutex Redis engine the release returns at once (the template's
 * keeper releases later); on the Spring Integration engine the releasing thread waits.
 */
class MinimumHoldTests {

	private static final Duration HOLD = Duration.ofMillis(1500);

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() throws Exception {
		this.executor.shutdownNow();
		for (int i = this.closeables.size() - 1; i >= 0; i--) {
			this.closeables.get(i).close();
		}
	}

	@Test
	void onTheLocalStoreTheKeyStaysHeldInTheJvmEvenForTheThreadThatReleasedIt() throws Exception {
		LocalMutexStore store = new LocalMutexStore();
		MutexTemplate mutex = template(store);
		long taken = System.nanoTime();
		MutexLock lock = mutex.lock(MutexRequest.of("report").holdAtLeast(HOLD));
		assertThat(lock.release()).isTrue();
		assertThat(mutex.tryLock("report")).as("the releasing thread itself").isEmpty();
		assertThat(onOtherThread(() -> mutex.tryLock("report").map(MutexLock::release))).isEmpty();
		assertThat(mutex.isLocked("report")).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> !mutex.isLocked("report"));
		assertThat(elapsedMillis(taken)).isGreaterThanOrEqualTo(HOLD.toMillis() - 50);
		try (MutexLock again = mutex.tryLock("report").orElseThrow()) {
			assertThat(again.isHeld()).isTrue();
		}
	}

	@Test
	void onTheAutoMutexRedisEngineAnotherInstanceWaitsOutTheMinimumHold() throws Exception {
		MutexTemplate first = template(new RedisLeaseMutexStore(factory(), "mutex", Duration.ofSeconds(30)));
		MutexTemplate second = template(new RedisLeaseMutexStore(factory(), "mutex", Duration.ofSeconds(30)));
		long taken = System.nanoTime();
		MutexLock lock = first.lock(MutexRequest.of("report").holdAtLeast(HOLD));
		assertThat(lock.release()).isTrue();
		assertThat(second.tryLock("report")).isEmpty();
		assertThat(first.tryLock("report")).as("the releasing thread itself").isEmpty();
		try (MutexLock next = second.lock("report", Duration.ofSeconds(10))) {
			assertThat(elapsedMillis(taken)).isGreaterThanOrEqualTo(HOLD.toMillis() - 50);
			assertThat(next.isHeld()).isTrue();
		}
	}

	@Test
	void onTheSpringIntegrationEngineTheReleasingThreadWaitsOutTheMinimumHold() throws Exception {
		MutexTemplate first = template(
				new RedisMutexStore(factory(), "si", Duration.ofSeconds(30), RedisLockType.PUB_SUB_LOCK));
		MutexTemplate second = template(
				new RedisMutexStore(factory(), "si", Duration.ofSeconds(30), RedisLockType.PUB_SUB_LOCK));
		long taken = System.nanoTime();
		MutexLock lock = first.lock(MutexRequest.of("report").holdAtLeast(HOLD));
		assertThat(lock.release()).isTrue();
		assertThat(elapsedMillis(taken)).as("release() returned after the minimum hold")
			.isGreaterThanOrEqualTo(HOLD.toMillis() - 50);
		assertThat(second.tryLock("report").map(MutexLock::release)).as("and the key is free").contains(true);
	}

	@Test
	void aLongerMethodIsNotHeldPastItsRelease() throws Exception {
		MutexTemplate first = template(new RedisLeaseMutexStore(factory(), "mutex", Duration.ofSeconds(30)));
		MutexTemplate second = template(new RedisLeaseMutexStore(factory(), "mutex", Duration.ofSeconds(30)));
		long taken = System.nanoTime();
		MutexLock lock = first.lock(MutexRequest.of("report").holdAtLeast(Duration.ofMillis(1)));
		await().atMost(Duration.ofSeconds(1)).until(() -> elapsedMillis(taken) >= 2);
		assertThat(lock.release()).isTrue();
		assertThat(second.tryLock("report").map(MutexLock::release)).contains(true);
	}

	@Test
	void destroyingTheTemplateReleasesTheKeysItKeeps() throws Exception {
		MutexTemplate first = new MutexTemplate(new RedisLeaseMutexStore(factory(), "mutex", Duration.ofSeconds(30)));
		MutexTemplate second = template(new RedisLeaseMutexStore(factory(), "mutex", Duration.ofSeconds(30)));
		first.lock(MutexRequest.of("report").holdAtLeast(Duration.ofMinutes(5))).release();
		assertThat(second.tryLock("report")).isEmpty();
		first.destroy();
		try (MutexLock next = second.lock("report", Duration.ofSeconds(5))) {
			assertThat(next.isHeld()).isTrue();
		}
	}

	private MutexTemplate template(MutexStore store) {
		MutexTemplate template = new MutexTemplate(store);
		this.closeables.add(() -> {
			template.destroy();
			if (store instanceof org.springframework.beans.factory.DisposableBean disposable) {
				disposable.destroy();
			}
		});
		return template;
	}

	private LettuceConnectionFactory factory() {
		LettuceConnectionFactory factory = RedisMutexStoreContractTests.connectionFactory(redis.server());
		this.closeables.add(factory::destroy);
		return factory;
	}

	private <T> T onOtherThread(java.util.concurrent.Callable<T> action) throws Exception {
		return this.executor.submit(action).get(10, TimeUnit.SECONDS);
	}

	private static long elapsedMillis(long since) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
	}

}
