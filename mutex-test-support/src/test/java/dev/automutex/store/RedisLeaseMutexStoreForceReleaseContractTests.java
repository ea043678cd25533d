package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLock;
import dev.automutex.test.RedisServerExtension;
import dev.automutex.test.store.AbstractForceReleasableMutexStoreContractTests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RedisLeaseMutexStoreForceReleaseContractTests extends AbstractForceReleasableMutexStoreContractTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private LettuceConnectionFactory connectionFactory;

	private LettuceConnectionFactory otherFactory;

	@Override
	protected ForceReleasableMutexStore createStore() {
		redisServer.server().flushAll();
		this.connectionFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		return new RedisLeaseMutexStore(this.connectionFactory, "mutex", Duration.ofSeconds(30));
	}

	@Override
	protected MutexStore createStoreOfAnotherInstance() {
		this.otherFactory = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		return new RedisLeaseMutexStore(this.otherFactory, "mutex", Duration.ofSeconds(30));
	}

	@Test
	void aWaiterOfTheHoldersOwnInstanceGetsTheForcedKeyAndTheHoldersReleaseLeavesItAlone() throws Exception {
		withAnotherInstance((other) -> {
			CountDownLatch held = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			Future<Boolean> holder = this.executor.submit(() -> {
				MutexLock lock = this.mutex.lock("k");
				held.countDown();
				awaitLatch(release);
				return lock.release();
			});
			awaitLatch(held);
			AtomicReference<Thread> waiterThread = new AtomicReference<>();
			CountDownLatch taken = new CountDownLatch(1);
			CountDownLatch done = new CountDownLatch(1);
			Future<Boolean> waiter = this.executor.submit(() -> {
				waiterThread.set(Thread.currentThread());
				try (MutexLock lock = this.mutex.lock("k", Duration.ofSeconds(20))) {
					taken.countDown();
					awaitLatch(done);
					return lock.isHeld();
				}
			});
			await().atMost(Duration.ofSeconds(10)).until(() -> isWaitingForKey(waiterThread.get()));
			assertThat(other.forceRelease("k")).isTrue();
			awaitLatch(taken);
			release.countDown();
			assertThat(holder.get(10, TimeUnit.SECONDS)).as("the forced holder's release").isFalse();
			assertThat(onOtherThread(() -> other.tryLock("k").isPresent())).as("nobody else gets it").isFalse();
			done.countDown();
			assertThat(waiter.get(10, TimeUnit.SECONDS)).as("the waiter held it to the end").isTrue();
		});
	}

	@Override
	protected void destroyStore(MutexStore store) throws Exception {
		super.destroyStore(store);
		((store == store()) ? this.connectionFactory : this.otherFactory).destroy();
	}

}
