package dev.automutex.leader;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RenewableMutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link MutexLeaderInitiator} on stores in memory: its events, its renewed key, its stop
 * that waits for the release, its fencing token.
 */
@Timeout(30)
class MutexLeaderInitiatorTests {

	private static final String ROLE = "leader:reports";

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private final List<MutexLeaderInitiator> started = new CopyOnWriteArrayList<>();

	@AfterEach
	void stopInitiators() {
		this.started.forEach(MutexLeaderInitiator::stop);
	}

	@Test
	void leaderIsGrantedAndRevokedWithSpringIntegrationsEvents() {
		MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
		MutexLeaderInitiator initiator = start(mutex);
		await().atMost(Duration.ofSeconds(5)).until(() -> initiator.getContext().isLeader());
		assertThat(this.events).singleElement()
			.isInstanceOfSatisfying(OnGrantedEvent.class, (granted) -> assertThat(granted.getRole()).isEqualTo(ROLE));
		assertThat(mutex.holder(ROLE))
			.hasValueSatisfying((holder) -> assertThat(holder.thread()).startsWith("mutex-leader-"));

		initiator.stop();
		assertThat(this.events).hasSize(2).last().isInstanceOf(OnRevokedEvent.class);
		assertThat(mutex.isLocked(ROLE)).isFalse();
	}

	@Test
	void keyIsTakenWithItsExpireAndRenewedWhileLeadingEvenWhenTheTemplateDoesNotRenew() {
		CountingLeaseStore store = new CountingLeaseStore();
		MutexTemplate mutex = new MutexTemplate(store);
		mutex.setRenew(false);
		MutexLeaderInitiator initiator = new MutexLeaderInitiator(mutex, ROLE);
		initiator.setExpire(Duration.ofMillis(300));
		start(initiator);
		await().atMost(Duration.ofSeconds(5)).until(() -> initiator.getContext().isLeader());
		assertThat(store.expire).isEqualTo(Duration.ofMillis(300));
		// Renewed every third of its expire, for as long as it leads.
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(store.renewals).hasValueGreaterThan(3));
		assertThat(initiator.getContext().isLeader()).isTrue();
	}

	@Test
	void leaderIsRevokedWhenItsKeyIsFoundLostNotAtItsNextHeartbeat() {
		MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
		MutexLeaderInitiator initiator = new MutexLeaderInitiator(mutex, ROLE);
		initiator.setHeartBeatMillis(Duration.ofMinutes(1).toMillis());
		initiator.setApplicationEventPublisher(this.events::add);
		this.started.add(initiator);
		initiator.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> initiator.getContext().isLeader());

		// Found lost at once (an operator's force-release); the heartbeat is a minute
		// away.
		assertThat(mutex.forceRelease(ROLE)).isTrue();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.events.stream().anyMatch(OnRevokedEvent.class::isInstance));
	}

	@Test
	void stopWaitsUntilTheLeaderHasReleasedItsKey() throws Exception {
		GatedReleaseStore store = new GatedReleaseStore();
		MutexLeaderInitiator initiator = start(new MutexTemplate(store));
		await().atMost(Duration.ofSeconds(5)).until(() -> initiator.getContext().isLeader());

		CompletableFuture<Void> stopped = CompletableFuture.runAsync(initiator::stop);
		assertThat(store.releasing.await(5, TimeUnit.SECONDS)).isTrue();
		// The election thread is releasing the key in a slow store: stop() waits for it.
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !stopped.isDone());
		store.gate.countDown();
		stopped.get(5, TimeUnit.SECONDS);
		assertThat(store.isLocked(ROLE)).isFalse();
		assertThat(this.events).last().isInstanceOf(OnRevokedEvent.class);
	}

	@Test
	void stopGivesUpWaitingAfterItsTimeout() throws Exception {
		GatedReleaseStore store = new GatedReleaseStore();
		MutexLeaderInitiator initiator = new MutexLeaderInitiator(new MutexTemplate(store), ROLE);
		initiator.setStopTimeout(Duration.ofMillis(200));
		start(initiator);
		await().atMost(Duration.ofSeconds(5)).until(() -> initiator.getContext().isLeader());
		try {
			CompletableFuture<Void> stopped = CompletableFuture.runAsync(initiator::stop);
			stopped.get(5, TimeUnit.SECONDS);
			assertThat(store.isLocked(ROLE)).as("still being released").isTrue();
		}
		finally {
			store.gate.countDown();
		}
	}

	@Test
	void stopFromTheElectionThreadDoesNotWaitForItself() throws Exception {
		MutexLeaderInitiator initiator = new MutexLeaderInitiator(new MutexTemplate(new LocalMutexStore()), ROLE);
		initiator.setStopTimeout(Duration.ofMinutes(1));
		CompletableFuture<Void> stoppedInside = new CompletableFuture<>();
		initiator.setApplicationEventPublisher((event) -> {
			this.events.add(event);
			if (event instanceof OnRevokedEvent) {
				// As a listener that closes the application when leadership ends: on the
				// election thread, already stopping.
				initiator.stop();
				stoppedInside.complete(null);
			}
		});
		initiator.start();
		await().atMost(Duration.ofSeconds(5)).until(() -> initiator.getContext().isLeader());

		CompletableFuture<Void> stopped = CompletableFuture.runAsync(initiator::stop);
		stoppedInside.get(10, TimeUnit.SECONDS);
		stopped.get(10, TimeUnit.SECONDS);
	}

	@Test
	void fencingTokenOfEachTermIsGreaterThanThePrevious() {
		MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
		MutexLeaderInitiator first = start(mutex);
		await().atMost(Duration.ofSeconds(5)).until(() -> first.getContext().isLeader());
		long firstTerm = first.fencingToken();
		MutexLeaderInitiator second = start(mutex);
		first.stop();
		await().atMost(Duration.ofSeconds(5)).until(() -> second.getContext().isLeader());

		assertThat(second.fencingToken()).isGreaterThan(firstTerm);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(first::fencingToken)
			.withMessageContaining(ROLE);
	}

	private MutexLeaderInitiator start(MutexTemplate mutex) {
		return start(new MutexLeaderInitiator(mutex, ROLE));
	}

	private MutexLeaderInitiator start(MutexLeaderInitiator initiator) {
		initiator.setHeartBeatMillis(100);
		initiator.setApplicationEventPublisher(this.events::add);
		this.started.add(initiator);
		initiator.start();
		return initiator;
	}

	/**
	 * The local store with leases that it only counts: the expire asked for, and the
	 * renewals.
	 */
	static final class CountingLeaseStore implements RenewableMutexStore {

		private final LocalMutexStore local = new LocalMutexStore();

		volatile @Nullable Duration expire;

		final AtomicInteger renewals = new AtomicInteger();

		@Override
		public @Nullable Held tryAcquire(String key, Duration wait, Duration expire) throws InterruptedException {
			this.expire = expire;
			return this.local.tryAcquire(key, wait);
		}

		@Override
		public boolean renew(Held held, Duration ttl) {
			this.renewals.incrementAndGet();
			return held.isHeld();
		}

		@Override
		public Duration defaultExpire() {
			return Duration.ofSeconds(10);
		}

		@Override
		public @Nullable Duration leaseLeft(String key) {
			return null;
		}

		@Override
		public boolean isLocked(String key) {
			return this.local.isLocked(key);
		}

	}

	/** The local store whose releases wait for a gate: a slow store. */
	static final class GatedReleaseStore implements MutexStore {

		private final LocalMutexStore local = new LocalMutexStore();

		final CountDownLatch releasing = new CountDownLatch(1);

		final CountDownLatch gate = new CountDownLatch(1);

		@Override
		public @Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException {
			Held held = this.local.tryAcquire(key, wait);
			return (held != null) ? new GatedHeld(held) : null;
		}

		@Override
		public boolean isLocked(String key) {
			return this.local.isLocked(key);
		}

		private final class GatedHeld implements Held {

			private final Held held;

			GatedHeld(Held held) {
				this.held = held;
			}

			@Override
			public String key() {
				return this.held.key();
			}

			@Override
			public boolean release() {
				GatedReleaseStore.this.releasing.countDown();
				boolean interrupted = false;
				while (true) {
					try {
						GatedReleaseStore.this.gate.await();
						break;
					}
					catch (InterruptedException ex) {
						interrupted = true;
					}
				}
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
				return this.held.release();
			}

			@Override
			public boolean isHeld() {
				return this.held.isHeld();
			}

		}

	}

}
