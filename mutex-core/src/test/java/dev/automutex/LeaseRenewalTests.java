package dev.automutex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Renewal of leases ({@link LeaseRenewal}) on a store whose leases really lapse: memory follows the keys held
 * now, one slow or hung renewal call delays no other key, a lease that a hung call cannot save is reported lost,
 * and loss notifications never run on a renewal thread.
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
	 * Issue 7, defect 9: a cancelled task used to stay in the scheduler's queue until its delay passed (200,000
	 * released keys with a one-hour lease kept 200,000 tasks, about 15 MB).
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
		assertThat(this.mutex.renewalCount()).as("tasks queued for the 100 keys held now").isEqualTo(100);
		held.forEach(MutexLock::release);
		assertThat(this.mutex.renewalCount()).isZero();
	}

	/**
	 * Issue 7, defect 4: a thousand keys on a store that takes 2 ms per renewal, and one key whose renewal hangs.
	 * One thread renewing in turn needs 2 s per round, longer than the 1.5 s lease; the renewal threads keep
	 * every other key alive, and only the hung key is reported lost, when its lease has ended.
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
