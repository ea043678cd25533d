package dev.automutex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Renewal of leases ({@link LeaseRenewal}) on a store whose leases really lapse: memory
 * follows the keys held now, one slow or hung renewal call delays no other key, a lease
 * that a hung call cannot save is reported lost, and loss notifications never run on a
 * renewal thread.
 */
@Timeout(60)
class LeaseRenewalTests {

	private final FakeLeaseStore store = new FakeLeaseStore();

	private final MutexTemplate mutex = new MutexTemplate(this.store);

	private final List<MutexLostException> reported = new CopyOnWriteArrayList<>();

	LeaseRenewalTests() {
		this.mutex.setLossListener(this.reported::add);
	}

	@AfterEach
	void destroy() {
		this.store.unhang();
		this.mutex.destroy();
	}

	/**
	 * Issue 7, defect 9: a cancelled task used to stay in the scheduler's queue until its
	 * delay passed (200,000 released keys with a one-hour lease kept 200,000 tasks, about
	 * 15 MB).
	 */
	@Test
	void releasedKeysLeaveNoRenewalTaskBehind() {
		this.mutex.setDefaultExpire(Duration.ofHours(1));
		List<MutexLock> held = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			held.add(this.mutex.lock("held:" + i));
		}
		for (int i = 0; i < 20_000; i++) {
			this.mutex.lock("order:" + i).release();
		}
		assertThat(this.mutex.queuedRenewalTasks()).as("tasks queued for the 100 keys held now").isEqualTo(100);
		held.forEach(MutexLock::release);
		assertThat(this.mutex.queuedRenewalTasks()).isZero();
	}

	/**
	 * {@code renewalCount()} used to read the scheduler's queue, which lacks a key's task
	 * while the dispatcher hands that key's renewal over: a thousand held keys read 999
	 * now and then. It counts the held keys being renewed.
	 */
	@Test
	void renewalCountStaysAtTheKeysHeldWhileRenewalsAreDispatched() {
		this.mutex.setDefaultExpire(Duration.ofMillis(300));
		List<MutexLock> held = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			held.add(this.mutex.lock("held:" + i));
		}
		List<Integer> wrong = new ArrayList<>();
		long until = this.store.renewals() + 5_000;
		while (this.store.renewals() < until) {
			int count = this.mutex.renewalCount();
			if (count != 500 && wrong.size() < 10) {
				wrong.add(count);
			}
		}
		assertThat(this.reported).as("no lease lapsed, so all 500 keys stay renewed").isEmpty();
		assertThat(wrong).as("renewalCount() read while 5,000 renewals were dispatched").isEmpty();
		held.forEach(MutexLock::release);
		assertThat(this.mutex.renewalCount()).isZero();
	}

	/**
	 * Issue 7, defect 4: a thousand keys on a store that takes 2 ms per renewal, and one
	 * key whose renewal hangs. One thread renewing in turn needs 2 s per round, longer
	 * than the 1.5 s lease; the renewal threads keep every other key alive, and only the
	 * hung key is reported lost, when its lease has ended.
	 */
	@Test
	void aThousandKeysOnASlowStoreStayAliveAndAHungRenewalDelaysNoOtherKey() {
		this.mutex.setDefaultExpire(Duration.ofMillis(1500));
		this.store.renewDelay(Duration.ofMillis(2));
		this.store.hang("hung");
		MutexLock hung = this.mutex.lock("hung");
		List<MutexLock> held = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			held.add(this.mutex.lock("k:" + i));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.reported.isEmpty());
		assertThat(this.reported).singleElement().satisfies((lost) -> assertThat(lost.keys()).containsExactly("hung"));
		assertThat(hung.isLost()).isTrue();
		// Two more leases' worth of time: every other key stays alive throughout.
		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
			for (int i = 0; i < 1000; i += 50) {
				if (!this.store.isLive("k:" + i)) {
					return false;
				}
			}
			return true;
		});
		assertThat(this.reported).hasSize(1);
		for (MutexLock lock : held) {
			assertThat(lock.release()).isTrue();
		}
		this.store.unhang();
		assertThat(hung.release()).isFalse();
		assertThat(this.reported).as("a loss is reported once").hasSize(1);
	}

	@Test
	void lossFoundByRenewalIsToldOnTheNotificationThreadOnce() throws Exception {
		this.mutex.setDefaultExpire(Duration.ofMillis(300));
		List<String> callbackThreads = new CopyOnWriteArrayList<>();
		CountDownLatch told = new CountDownLatch(1);
		MutexLock lock = this.mutex.lock("k");
		lock.onLost(() -> {
			callbackThreads.add(Thread.currentThread().getName());
			told.countDown();
		});
		this.store.drop("k");
		assertThat(told.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(callbackThreads).singleElement().asString().startsWith("mutex-loss-notifier-");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.reported.size() == 1);
		assertThat(lock.isLost()).isTrue();
		assertThat(lock.release()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.reported.isEmpty());
		assertThat(this.reported).as("not told again at release").hasSize(1);
		assertThat(this.mutex.renewalCount()).isZero();
	}

	@Test
	void renewalOfAHolderThreadThatEndedStopsWithoutReportingALoss() throws Exception {
		this.mutex.setDefaultExpire(Duration.ofMillis(300));
		Thread holder = new Thread(() -> this.mutex.lock("k"));
		holder.start();
		holder.join();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.mutex.renewalCount() == 0);
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.store.isLive("k"));
		assertThat(this.reported).isEmpty();
		assertThat(this.mutex.holder("k")).isEmpty();
	}

	/**
	 * Review finding: renewals that fail at once (a store refusing connections) never
	 * reached the in-flight lease check, so the lease lapsed, another instance took the
	 * key, and nobody was told.
	 */
	@Test
	void renewalThatKeepsFailingReportsTheLossWhenTheLeaseEnds() {
		FakeLeaseStore refusing = new FakeLeaseStore() {

			@Override
			public boolean renew(Held held, Duration ttl) {
				throw new IllegalStateException("Connection refused (simulated)");
			}

		};
		MutexTemplate mutex = new MutexTemplate(refusing);
		List<MutexLostException> lost = new CopyOnWriteArrayList<>();
		mutex.setLossListener(lost::add);
		try {
			MutexLock held = mutex.lock("k", Duration.ZERO, Duration.ofMillis(300));
			await().atMost(Duration.ofSeconds(5)).until(held::isLost);
			// The listener runs on the notification thread, a moment after the loss is
			// marked.
			await().atMost(Duration.ofSeconds(5)).until(() -> !lost.isEmpty());
			assertThat(lost).singleElement().satisfies((ex) -> assertThat(ex).hasMessageContaining("lease"));
			assertThat(refusing.isLive("k")).as("the store dropped it").isFalse();
			assertThat(held.release()).isFalse();
		}
		finally {
			mutex.destroy();
		}
	}

	/**
	 * A store may hand a renewing holder a lease that started before the acquisition
	 * returned (the Redis engine passes a released lease to a waiting thread of the same
	 * instance without a round trip): the template must count the lease from when the
	 * store says it started, or it would believe the key held after the store let it go.
	 * Here the store says the 6 s lease started 4 s before, and refuses every renewal:
	 * the loss must be reported when the lease really ends, about 2 s in, not 6 s in.
	 */
	@Test
	void leaseThatStartedBeforeTheAcquisitionIsCountedFromItsStart() {
		AtomicInteger renewedAcquisitions = new AtomicInteger();
		FakeLeaseStore passedOn = new FakeLeaseStore() {

			@Override
			public @Nullable Held tryAcquireRenewed(String key, Duration wait, Duration expire) {
				renewedAcquisitions.incrementAndGet();
				return tryAcquire(key, wait, expire);
			}

			@Override
			public long leaseStart(Held held, long returnedAt) {
				return returnedAt - TimeUnit.SECONDS.toNanos(4);
			}

			@Override
			public boolean renew(Held held, Duration ttl) {
				throw new IllegalStateException("Connection refused (simulated)");
			}

		};
		MutexTemplate mutex = new MutexTemplate(passedOn);
		try {
			MutexLock notRenewed = mutex.lock(MutexRequest.of("other").expire(Duration.ofSeconds(6)).renew(false));
			assertThat(renewedAcquisitions).as("a holder that does not renew gets a lease of its own").hasValue(0);
			notRenewed.release();
			MutexLock held = mutex.lock("k", Duration.ZERO, Duration.ofSeconds(6));
			assertThat(renewedAcquisitions).hasValue(1);
			await().atMost(Duration.ofMillis(4500)).until(held::isLost);
		}
		finally {
			mutex.destroy();
		}
	}

	/**
	 * Issue 9, found by the reliability suite's Redis Cluster failover: a failed renewal
	 * was tried again only at the next third of the lease, so a key that survived on the
	 * promoted replica was given up when the client found the new master just too late
	 * (all six surviving keys of a 10 s lease were reported lost). A store that fails two
	 * renewals in a row (at a third and two thirds of a 3 s lease) now keeps the key: the
	 * retry comes sooner.
	 */
	@Test
	void renewalThatFailsAndThenSucceedsWithinTheLeaseKeepsTheKey() {
		AtomicInteger calls = new AtomicInteger();
		FakeLeaseStore flaky = new FakeLeaseStore() {

			@Override
			public boolean renew(Held held, Duration ttl) {
				if (calls.incrementAndGet() <= 2) {
					throw new IllegalStateException("Redis command timed out (simulated)");
				}
				return super.renew(held, ttl);
			}

		};
		MutexTemplate mutex = new MutexTemplate(flaky);
		List<MutexLostException> lost = new CopyOnWriteArrayList<>();
		mutex.setLossListener(lost::add);
		try {
			MutexLock held = mutex.lock("k", Duration.ZERO, Duration.ofSeconds(3));
			// Two renewals after the failures: the lease went on past its first end.
			await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 5 || held.isLost());
			assertThat(held.isLost()).as("lost after two failed renewals").isFalse();
			assertThat(lost).isEmpty();
			assertThat(flaky.isLive("k")).isTrue();
			assertThat(held.release()).isTrue();
		}
		finally {
			mutex.destroy();
		}
	}

	/**
	 * Review finding: a registry that renews a lock only on the thread holding it (Spring
	 * Integration's JdbcLockRegistry) refused every renewal from the renewal threads; the
	 * lease lapsed unreported.
	 */
	@Test
	void aRegistryThatRenewsOnlyOnTheHoldingThreadHasItsLossReportedWhenTheLeaseEnds() {
		Map<String, ThreadBoundRegistry.Lease> table = new ConcurrentHashMap<>();
		MutexTemplate mutex = new MutexTemplate(new ThreadBoundRegistry(table));
		MutexTemplate other = new MutexTemplate(new ThreadBoundRegistry(table));
		List<MutexLostException> lost = new CopyOnWriteArrayList<>();
		mutex.setLossListener(lost::add);
		try {
			MutexLock held = mutex.lock("k", Duration.ZERO, Duration.ofMillis(300));
			await().atMost(Duration.ofSeconds(5)).until(held::isLost);
			await().atMost(Duration.ofSeconds(5)).until(() -> lost.size() == 1);
			assertThat(other.tryLock("k")).as("another instance gets the lapsed key").isPresent();
		}
		finally {
			mutex.destroy();
			other.destroy();
		}
	}

	/**
	 * Review finding: a fencing-token call that hung held the record's monitor, which the
	 * dispatcher needs to report a loss; the dispatcher blocked, and every other key's
	 * lease lapsed.
	 */
	@Test
	void aHungFencingTokenCallDelaysNoRenewalOfAnotherKey() throws Exception {
		CountDownLatch fencingHangs = new CountDownLatch(1);
		FakeLeaseStore slow = new FakeLeaseStore() {

			@Override
			public long fencingToken(Held held) {
				try {
					fencingHangs.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return super.fencingToken(held);
			}

		};
		slow.hang("f"); // the same slow store: its renewals hang too, so its lease ends
		MutexTemplate mutex = new MutexTemplate(slow);
		CountDownLatch locked = new CountDownLatch(1);
		Thread holder = new Thread(() -> {
			MutexLock f = mutex.lock("f", Duration.ZERO, Duration.ofMillis(600));
			mutex.lock("o", Duration.ZERO, Duration.ofMillis(600));
			locked.countDown();
			f.fencingToken(); // hangs until the end of the test
		});
		holder.setDaemon(true);
		holder.start();
		try {
			assertThat(locked.await(5, TimeUnit.SECONDS)).isTrue();
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> slow.isLive("o"));
		}
		finally {
			fencingHangs.countDown();
			slow.unhang();
			mutex.destroy();
		}
	}

	@Test
	void nestedHoldsShareOneRenewalAndTheOuterLease() {
		this.mutex.setDefaultExpire(Duration.ofSeconds(30));
		MutexLock outer = this.mutex.lock("k");
		MutexLock inner = this.mutex.lock("k", Duration.ZERO, Duration.ofMillis(100));
		assertThat(this.mutex.renewalCount()).isOne();
		assertThat(this.store.leaseLeft("k")).isGreaterThan(Duration.ofSeconds(20));
		assertThat(inner.release()).isTrue();
		assertThat(this.mutex.renewalCount()).isOne();
		assertThat(this.store.isLive("k")).isTrue();
		assertThat(outer.release()).isTrue();
		assertThat(this.mutex.renewalCount()).isZero();
		assertThat(this.store.isLive("k")).isFalse();
	}

}
