package dev.automutex.test.store;

import java.time.Duration;
import java.util.Optional;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.store.ExpiringMutexStore;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of an {@link ExpiringMutexStore}, on top of
 * {@link AbstractMutexStoreContractTests}: a key whose holder stops renewing frees itself
 * after its {@code expire}, the holder can tell it lost the key, and the loss is reported
 * once.
 *
 * @since 0.1.0
 */
public abstract class AbstractExpiringMutexStoreContractTests extends AbstractMutexStoreContractTests {

	/**
	 * A short lease, for the tests that wait for one to end.
	 */
	protected static final Duration SHORT_EXPIRE = Duration.ofMillis(400);

	private @Nullable MutexTemplate otherInstance;

	private @Nullable MutexStore otherStore;

	@Override
	protected abstract ExpiringMutexStore createStore() throws Exception;

	/**
	 * A second store over the same keys, as another application instance has (its own
	 * connection and client). Leases matter between instances: within one instance a
	 * store may keep a lost key from its other threads until its holder releases it.
	 * @return the store of another instance
	 * @throws Exception if it cannot be created
	 */
	protected abstract ExpiringMutexStore createOtherInstance() throws Exception;

	/**
	 * A template over {@link #createOtherInstance()}, created on first use and destroyed
	 * after the test.
	 * @return the other instance's template
	 * @throws Exception if its store cannot be created
	 */
	protected MutexTemplate otherInstance() throws Exception {
		if (this.otherInstance == null) {
			this.otherStore = createOtherInstance();
			this.otherInstance = new MutexTemplate(this.otherStore);
		}
		return this.otherInstance;
	}

	@AfterEach
	void destroyOtherInstance() throws Exception {
		if (this.otherInstance != null) {
			this.otherInstance.destroy();
			destroyStore(this.otherStore);
		}
	}

	/**
	 * Whether the other instance can take the key now (releasing it at once if it could).
	 * @param key the key
	 * @return whether it got the key
	 * @throws Exception if the other instance fails
	 */
	protected boolean otherInstanceCanTake(String key) throws Exception {
		MutexTemplate other = otherInstance();
		return onOtherThread(() -> {
			Optional<MutexLock> taken = other.tryLock(key);
			taken.ifPresent(MutexLock::release);
			return taken.isPresent();
		});
	}

	@Test
	void keyOfAHolderThatDoesNotRenewFreesItselfAfterItsExpire() throws Exception {
		MutexLock lapsing = this.mutex.lock(MutexRequest.of("k").expire(SHORT_EXPIRE).renew(false));
		assertThat(otherInstanceCanTake("k")).as("held before the lease ends").isFalse();
		await().atMost(Duration.ofSeconds(10)).until(() -> otherInstanceCanTake("k"));
		assertThat(lapsing.isHeld()).as("the holder can tell").isFalse();
		assertThat(lapsing.isLost()).isTrue();
		assertThat(lapsing.release()).isFalse();
		// The loss listener runs on AutoMutex's notification thread, a moment after the
		// loss is found.
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.reportedLosses.isEmpty());
		assertThat(this.reportedLosses).as("reported once")
			.hasSize(1)
			.allSatisfy((lost) -> assertThat(lost.keys()).containsExactly("k"));
	}

	@Test
	void leaseLeftIsAtMostTheExpireAskedFor() {
		try (MutexLock lock = this.mutex.lock(MutexRequest.of("k").expire(Duration.ofSeconds(5)))) {
			Duration left = ((ExpiringMutexStore) store()).leaseLeft("k");
			if (left != null) {
				assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5));
			}
			assertThat(lock.isHeld()).isTrue();
		}
	}

	@Test
	void cleanReleaseBeforeTheLeaseEndsReportsNoLoss() {
		for (int i = 0; i < 20; i++) {
			MutexLock lock = this.mutex.lock(MutexRequest.of("k").expire(SHORT_EXPIRE).renew(false));
			assertThat(lock.release()).isTrue();
			assertThat(lock.isLost()).isFalse();
		}
		assertThat(this.reportedLosses).isEmpty();
	}

}
