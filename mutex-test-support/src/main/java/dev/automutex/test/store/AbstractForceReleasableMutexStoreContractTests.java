package dev.automutex.test.store;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.store.ForceReleasableMutexStore;
import dev.automutex.store.MutexStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a {@link ForceReleasableMutexStore}: a forced release frees a key
 * whoever holds it, a waiter takes it, the holder is told it lost it, and the holder's
 * own release later never frees the next holder's hold. Run it beside the store's main
 * contract test.
 *
 * @since 0.1.0
 */
public abstract class AbstractForceReleasableMutexStoreContractTests extends AbstractMutexStoreTestSupport {

	@Override
	protected abstract ForceReleasableMutexStore createStore() throws Exception;

	/**
	 * A store through which another instance holds keys: for a shared store (Redis) a
	 * second store on the same server; for an in-process store, the same store (another
	 * template of the same JVM).
	 * @return the other instance's store
	 * @throws Exception if it cannot be created
	 */
	protected MutexStore createStoreOfAnotherInstance() throws Exception {
		return store();
	}

	/**
	 * Run a test with a template of another instance (see
	 * {@link #createStoreOfAnotherInstance()}).
	 * @param test the test
	 * @throws Exception if the test fails
	 */
	protected void withAnotherInstance(InstanceTest test) throws Exception {
		MutexStore otherStore = createStoreOfAnotherInstance();
		MutexTemplate other = new MutexTemplate(otherStore);
		try {
			test.run(other);
		}
		finally {
			other.destroy();
			if (otherStore != store()) {
				destroyStore(otherStore);
			}
		}
	}

	@Test
	void forceReleaseFreesAKeyHeldByAnotherThreadAndAWaiterTakesIt() throws Exception {
		withAnotherInstance(this::forceReleaseFreesAKeyHeldByAnotherThreadAndAWaiterTakesIt);
	}

	private void forceReleaseFreesAKeyHeldByAnotherThreadAndAWaiterTakesIt(MutexTemplate other) throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		Future<Boolean> holder = this.executor.submit(() -> {
			MutexLock lock = this.mutex.lock("k");
			held.countDown();
			awaitLatch(finish);
			return lock.release();
		});
		awaitLatch(held);
		Future<Boolean> waiter = this.executor.submit(() -> {
			try (MutexLock lock = other.lock("k", Duration.ofSeconds(20))) {
				return lock.isHeld();
			}
		});
		assertThat(this.mutex.forceRelease("k")).isTrue();
		assertThat(waiter.get(20, TimeUnit.SECONDS)).as("the waiter took the key while the holder still ran").isTrue();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.reportedLosses)
				.anySatisfy((lost) -> assertThat(lost.keys()).containsExactly("k")));
		finish.countDown();
		assertThat(holder.get(10, TimeUnit.SECONDS)).as("the holder's release reports the loss").isFalse();
	}

	@Test
	void theForcedHoldersReleaseDoesNotFreeTheNextHolder() throws Exception {
		withAnotherInstance(this::theForcedHoldersReleaseDoesNotFreeTheNextHolder);
	}

	private void theForcedHoldersReleaseDoesNotFreeTheNextHolder(MutexTemplate other) throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Future<Boolean> first = this.executor.submit(() -> {
			MutexLock lock = this.mutex.lock("k");
			held.countDown();
			awaitLatch(release);
			return lock.release();
		});
		awaitLatch(held);
		assertThat(this.mutex.forceRelease("k")).isTrue();
		try (MutexLock next = other.lock("k", Duration.ofSeconds(10))) {
			release.countDown();
			assertThat(first.get(10, TimeUnit.SECONDS)).isFalse();
			assertThat(next.isHeld()).as("the next holder keeps the key").isTrue();
			assertThat(onOtherThread(() -> this.mutex.tryLock("k").isPresent())).as("nobody else gets it").isFalse();
		}
		assertThat(this.mutex.isLocked("k")).isFalse();
	}

	@Test
	void theHolderIsToldAtOnceWhenThisTemplateForcesItsKey() throws Exception {
		MutexLock lock = this.mutex.lock("k");
		assertThat(this.mutex.forceRelease("k")).isTrue();
		assertThat(lock.isLost()).as("known without asking the store").isTrue();
		assertThat(this.mutex.forceRelease("k")).as("the forced holder does not count any more").isFalse();
		assertThat(lock.isHeld()).isFalse();
		assertThat(this.mutex.isLocked("k")).isFalse();
		assertThat(lock.release()).isFalse();
	}

	@Test
	void aHolderOfAnotherInstanceFindsTheLossWhenItAsks() throws Exception {
		withAnotherInstance((other) -> {
			MutexLock lock = this.mutex.lock("k");
			assertThat(other.isLocked("k")).isTrue();
			assertThat(other.forceRelease("k")).isTrue();
			assertThat(lock.isHeld()).isFalse();
			assertThat(lock.isLost()).isTrue();
			assertThat(lock.release()).isFalse();
			assertThat(this.mutex.isLocked("k")).isFalse();
		});
	}

	@Test
	void forceReleaseOfAFreeKeyReturnsFalse() {
		assertThat(this.mutex.forceRelease("free")).isFalse();
		try (MutexLock lock = this.mutex.lock("free")) {
			assertThat(lock.isHeld()).isTrue();
		}
		assertThat(this.mutex.forceRelease("free")).isFalse();
	}

	@Test
	void keysAreForcedOneByOne() throws Exception {
		try (MutexLock a = this.mutex.lock("a"); MutexLock b = this.mutex.lock("b")) {
			assertThat(this.mutex.forceRelease("a")).isTrue();
			assertThat(a.isHeld()).isFalse();
			assertThat(b.isHeld()).isTrue();
			assertThat(this.mutex.isLocked("b")).isTrue();
		}
	}

	/**
	 * A test run with another instance's template.
	 */
	@FunctionalInterface
	protected interface InstanceTest {

		/**
		 * Run the test.
		 * @param other the other instance's template
		 * @throws Exception if the test fails
		 */
		void run(MutexTemplate other) throws Exception;

	}

}
