package dev.automutex.test.store;

import java.time.Duration;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.MutexRequest;
import dev.automutex.store.RenewableMutexStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a {@link RenewableMutexStore}, on top of
 * {@link AbstractExpiringMutexStoreContractTests}: work longer than {@code expire} keeps
 * its key while renewal is on, a nested hold never shortens the outer lease, and a key
 * removed behind its holder's back is reported lost and never taken back by a nested
 * hold.
 *
 * @since 0.1.0
 */
public abstract class AbstractRenewableMutexStoreContractTests extends AbstractExpiringMutexStoreContractTests {

	@Override
	protected abstract RenewableMutexStore createStore() throws Exception;

	/**
	 * Remove a held key from the store behind its holder's back, as an operator's delete,
	 * a failover or a restart of the store would.
	 * @param key the key text
	 * @throws Exception if the store cannot be reached
	 */
	protected abstract void removeBehindTheHoldersBack(String key) throws Exception;

	@Test
	void workLongerThanTheExpireKeepsItsKeyWhileRenewed() throws Exception {
		try (MutexLock lock = this.mutex.lock(MutexRequest.of("k").expire(SHORT_EXPIRE))) {
			await().during(SHORT_EXPIRE.multipliedBy(3))
				.atMost(SHORT_EXPIRE.multipliedBy(5))
				.until(() -> !otherInstanceCanTake("k"));
			assertThat(lock.isHeld()).isTrue();
			assertThat(lock.release()).isTrue();
		}
		assertThat(this.reportedLosses).isEmpty();
	}

	@Test
	void nestedHoldWithAShorterExpireKeepsTheOuterLease() throws Exception {
		try (MutexLock outer = this.mutex.lock(MutexRequest.of("k").expire(Duration.ofSeconds(30)).renew(false))) {
			MutexLock inner = this.mutex.lock(MutexRequest.of("k").expire(Duration.ofMillis(50)).renew(false));
			await().during(Duration.ofMillis(500))
				.atMost(Duration.ofSeconds(2))
				.until(() -> !otherInstanceCanTake("k"));
			assertThat(inner.release()).isTrue();
			assertThat(outer.isHeld()).isTrue();
		}
	}

	@Test
	void keyRemovedBehindTheHoldersBackIsReportedLostAndNotTakenBack() throws Exception {
		MutexLock outer = this.mutex.lock(MutexRequest.of("k").expire(SHORT_EXPIRE));
		java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(1);
		outer.onLost(told::countDown);
		removeBehindTheHoldersBack("k");
		assertThat(told.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("onLost ran").isTrue();
		assertThat(outer.isLost()).isTrue();
		assertThatExceptionOfType(MutexLostException.class).isThrownBy(() -> this.mutex.lock("k", Duration.ZERO));
		assertThat(otherInstanceCanTake("k")).as("another instance can take the lost key").isTrue();
		assertThat(outer.release()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.reportedLosses.isEmpty());
		assertThat(this.reportedLosses).as("reported once").hasSize(1);
	}

}
