package dev.automutex.leader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link LeaderLockRegistry} on the local store, with Spring Integration's
 * {@link LockRegistryLeaderInitiator}: each initiator runs on its own thread, and the
 * local store excludes threads from each other, so two initiators on one template stand
 * for two instances. The same on Redis, with two applications and a killed process:
 * {@code LeaderElectionTests} in the starter.
 */
@Timeout(30)
class LeaderLockRegistryTests {

	private static final String ROLE = "leader:reports";

	private final LocalMutexStore store = new LocalMutexStore();

	private final MutexTemplate mutex = new MutexTemplate(this.store);

	private final List<MutexTemplate> templates = new ArrayList<>(List.of(this.mutex));

	private final List<LockRegistryLeaderInitiator> initiators = new ArrayList<>();

	/** How many candidates lead now, by their own account; never more than one. */
	private final AtomicInteger leaders = new AtomicInteger();

	private final AtomicInteger mostLeadersAtOnce = new AtomicInteger();

	@AfterEach
	void stopInitiators() {
		this.initiators.forEach(LockRegistryLeaderInitiator::stop);
		this.templates.forEach(MutexTemplate::destroy);
	}

	@Test
	void oneOfTwoCandidatesLeadsAndTheOtherTakesOverWhenItStops() {
		Member first = start(new LeaderLockRegistry(this.mutex), "first");
		Member second = start(new LeaderLockRegistry(this.mutex), "second");
		await().atMost(Duration.ofSeconds(5)).until(() -> first.isLeader() || second.isLeader());
		Member leader = first.isLeader() ? first : second;
		Member other = (leader == first) ? second : first;
		// Over many heartbeats (100 ms) of both: the leader keeps leading, alone.
		await().during(Duration.ofMillis(600))
			.atMost(Duration.ofSeconds(2))
			.until(() -> leader.isLeader() && !other.isLeader());
		assertThat(leader.granted).hasValue(1);
		assertThat(leader.revoked).hasValue(0);
		assertThat(other.granted).hasValue(0);

		leader.initiator.stop();
		await().atMost(Duration.ofSeconds(5)).until(other::isLeader);
		assertThat(leader.revoked).hasValue(1);
		assertThat(this.mostLeadersAtOnce).hasValue(1);
	}

	@Test
	void leaderWhoseKeyIsLostIsRevokedAtItsNextHeartbeatAndTheOtherLeads() {
		Member first = start(new LeaderLockRegistry(this.mutex), "first");
		await().atMost(Duration.ofSeconds(5)).until(first::isLeader);
		// Another template on the store: another instance, whose grant the first
		// template does not see.
		MutexTemplate otherInstance = new MutexTemplate(this.store);
		this.templates.add(otherInstance);
		Member second = start(new LeaderLockRegistry(otherInstance), "second");

		// The key is freed in the store behind the template's back (as a Redis key
		// deleted by hand): nothing reports the loss, and the local store does not renew.
		// Only the leader's heartbeat, asking the store, can find it.
		assertThat(this.store.forceRelease(ROLE)).isTrue();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(first.revoked).hasValue(1));
		await().atMost(Duration.ofSeconds(5)).until(() -> first.isLeader() != second.isLeader());
	}

	@Test
	void nestedTryLockOfAHeldKeyCountsAndOnlyTheLastUnlockReleases() throws Exception {
		Lock lock = new LeaderLockRegistry(this.mutex).obtain(ROLE);
		assertThat(lock.tryLock(0, TimeUnit.MILLISECONDS)).isTrue();
		assertThat(lock.tryLock(0, TimeUnit.MILLISECONDS)).isTrue();
		lock.unlock();
		assertThat(this.mutex.isLocked(ROLE)).isTrue();
		assertThat(otherThreadTakes(ROLE)).isFalse();
		lock.unlock();
		assertThat(this.mutex.isLocked(ROLE)).isFalse();
	}

	@Test
	void nestedTryLockOfALostKeyThrowsAndTheKeyCanBeTakenAfresh() throws Exception {
		Lock lock = new LeaderLockRegistry(this.mutex).obtain(ROLE);
		assertThat(lock.tryLock(0, TimeUnit.MILLISECONDS)).isTrue();
		this.mutex.forceRelease(ROLE);

		assertThatExceptionOfType(MutexLostException.class).isThrownBy(() -> lock.tryLock(0, TimeUnit.MILLISECONDS))
			.withMessageContaining(ROLE)
			.satisfies((ex) -> assertThat(ex.keys()).containsExactly(ROLE));
		lock.unlock(); // as the initiator does
		assertThat(lock.tryLock(0, TimeUnit.MILLISECONDS)).isTrue();
		assertThat(this.mutex.isLocked(ROLE)).isTrue();
		lock.unlock();
	}

	@Test
	void keyHeldElsewhereIsNotTaken() throws Exception {
		try (MutexLock held = this.mutex.lock(ROLE)) {
			Lock lock = new LeaderLockRegistry(this.mutex).obtain(ROLE);
			CompletableFuture<Boolean> taken = CompletableFuture
				.supplyAsync(() -> tryLockQuietly(lock, Duration.ofMillis(100)));
			assertThat(taken.get(5, TimeUnit.SECONDS)).isFalse();
		}
	}

	@Test
	void unlockByAnotherThreadThrowsAndTheKeyStaysHeld() throws Exception {
		Lock lock = new LeaderLockRegistry(this.mutex).obtain(ROLE);
		assertThat(lock.tryLock(0, TimeUnit.MILLISECONDS)).isTrue();
		CompletableFuture<Void> unlocked = CompletableFuture.runAsync(lock::unlock);
		assertThat(unlocked).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(IllegalMonitorStateException.class);
		assertThat(this.mutex.isLocked(ROLE)).isTrue();
		lock.unlock();
	}

	@Test
	void fencingTokenOfEachLeaderIsGreaterThanItsPredecessors() throws Exception {
		LeaderLockRegistry firstRegistry = new LeaderLockRegistry(this.mutex);
		LeaderLockRegistry secondRegistry = new LeaderLockRegistry(this.mutex);
		Member first = start(firstRegistry, "first");
		await().atMost(Duration.ofSeconds(5)).until(first::isLeader);
		long firstTerm = firstRegistry.fencingToken(ROLE);
		Member second = start(secondRegistry, "second");
		first.initiator.stop();
		await().atMost(Duration.ofSeconds(5)).until(second::isLeader);

		assertThat(secondRegistry.fencingToken(ROLE)).isGreaterThan(firstTerm);
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> firstRegistry.fencingToken(ROLE));
	}

	@Test
	void interruptedTryLockThrowsInterruptedExceptionAndHoldsNothing() {
		Lock lock = new LeaderLockRegistry(this.mutex).obtain(ROLE);
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(InterruptedException.class).isThrownBy(() -> lock.tryLock(1, TimeUnit.SECONDS));
		assertThat(Thread.interrupted()).isFalse();
		assertThat(this.mutex.isLocked(ROLE)).isFalse();
	}

	private boolean otherThreadTakes(String key) throws Exception {
		return CompletableFuture.supplyAsync(() -> this.mutex.tryLock(key).map((lock) -> {
			lock.release();
			return true;
		}).orElse(false)).get(5, TimeUnit.SECONDS);
	}

	private static boolean tryLockQuietly(Lock lock, Duration wait) {
		try {
			boolean taken = lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
			if (taken) {
				lock.unlock();
			}
			return taken;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private Member start(LeaderLockRegistry registry, String id) {
		Member member = new Member(id);
		LockRegistryLeaderInitiator initiator = new LockRegistryLeaderInitiator(registry, member);
		initiator.setHeartBeatMillis(100);
		initiator.setApplicationEventPublisher((event) -> {
		});
		member.initiator = initiator;
		this.initiators.add(initiator);
		initiator.start();
		return member;
	}

	/** A candidate that counts its grants and revocations. */
	private final class Member implements Candidate {

		private final String id;

		private final AtomicInteger granted = new AtomicInteger();

		private final AtomicInteger revoked = new AtomicInteger();

		private LockRegistryLeaderInitiator initiator;

		Member(String id) {
			this.id = id;
		}

		boolean isLeader() {
			return this.initiator.getContext().isLeader();
		}

		@Override
		public String getRole() {
			return ROLE;
		}

		@Override
		public String getId() {
			return this.id;
		}

		@Override
		public void onGranted(Context context) {
			this.granted.incrementAndGet();
			LeaderLockRegistryTests.this.mostLeadersAtOnce
				.accumulateAndGet(LeaderLockRegistryTests.this.leaders.incrementAndGet(), Math::max);
		}

		@Override
		public void onRevoked(Context context) {
			this.revoked.incrementAndGet();
			LeaderLockRegistryTests.this.leaders.decrementAndGet();
		}

	}

}
