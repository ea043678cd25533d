package dev.automutex.test.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The part of the store contract about several keys at once (Elixir Mutex's
 * {@code await_all} and {@code goodbye}): all or none, no deadlock whatever the order,
 * duplicates refused, and releasing everything a thread holds. Every store passes it
 * through {@link AbstractMutexStoreContractTests}, which extends it.
 *
 * @since 0.1.0
 */
public abstract class AbstractMutexStoreSeveralKeysContractTests extends AbstractMutexStoreInspectionContractTests {

	@Test
	void lockAllHoldsEveryKeyAndReleasingFreesThemAll() throws Exception {
		MutexLock all = this.mutex.lockAll(List.of("c", "a", "b"));
		assertThat(all.keys()).containsExactly("c", "a", "b");
		for (String key : List.of("a", "b", "c")) {
			assertThat(onOtherThread(() -> this.mutex.tryLock(key))).as(key).isEmpty();
		}
		assertThat(all.release()).isTrue();
		assertThat(all.release()).isFalse();
		for (String key : List.of("a", "b", "c")) {
			assertThat(onOtherThread(() -> this.mutex.isLocked(key))).as(key).isFalse();
		}
	}

	@Test
	void lockAllTakesNoneWhenOneKeyIsBusy() throws Exception {
		try (HeldElsewhere holder = holdOnOtherThread("b")) {
			Duration block = Duration.ofMillis(200);
			long start = System.nanoTime();
			assertThatExceptionOfType(MutexLockException.class)
				.isThrownBy(() -> this.mutex.lockAll(List.of("a", "b", "c"), block))
				.withMessageContaining("'b' is held by someone else")
				.withMessageContaining("none of them is held")
				.satisfies((ex) -> assertThat(ex.keys()).containsExactly("a", "b", "c"));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(block);
			assertThat(onOtherThread(() -> this.mutex.isLocked("a"))).isFalse();
			assertThat(onOtherThread(() -> this.mutex.isLocked("c"))).isFalse();
		}
		assertThat(this.mutex.withLockAll(List.of("a", "b", "c"), Duration.ZERO, () -> "all free"))
			.isEqualTo("all free");
	}

	@Test
	void lockAllRejectsDuplicateAndEmptyKeys() {
		record Room(long id) {
		}
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.mutex.lockAll(List.of("a", "b", "a")))
			.withMessageContaining("'a' appears more than once");
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.mutex.lockAll(List.of(new Room(1), "Room:1")))
			.withMessageContaining("'Room:1' appears more than once");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.mutex.lockAll(List.of()));
		assertThat(this.mutex.isLocked("a")).isFalse();
	}

	@Test
	void overlappingKeySetsInAnyOrderNeverDeadlockNorOverlap() throws Exception {
		int threads = 6;
		int rounds = 60;
		List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5");
		Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
		Map<String, int[]> counters = new ConcurrentHashMap<>();
		keys.forEach((key) -> {
			inside.put(key, new AtomicInteger());
			counters.put(key, new int[1]);
		});
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger expected = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			workers.add(this.executor.submit(() -> {
				awaitLatch(start);
				ThreadLocalRandom random = ThreadLocalRandom.current();
				for (int i = 0; i < rounds; i++) {
					List<String> subset = new ArrayList<>(keys);
					Collections.shuffle(subset, random);
					List<String> chosen = subset.subList(0, 2 + random.nextInt(3));
					this.mutex.withLockAll(chosen, Duration.ofSeconds(30), () -> {
						for (String key : chosen) {
							if (inside.get(key).incrementAndGet() > 1) {
								overlaps.incrementAndGet();
							}
							int[] counter = counters.get(key);
							int read = counter[0];
							Thread.yield();
							counter[0] = read + 1;
						}
						for (String key : chosen) {
							inside.get(key).decrementAndGet();
						}
					});
					expected.addAndGet(chosen.size());
				}
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(50, TimeUnit.SECONDS); // a deadlock fails here
		}
		assertThat(overlaps).hasValue(0);
		assertThat(counters.values().stream().mapToInt((counter) -> counter[0]).sum()).isEqualTo(expected.get());
	}

	@Test
	void releaseAllReleasesEveryLockOfTheCallingThreadOnly() throws Exception {
		HeldElsewhere theirs = holdOnOtherThread("theirs");
		MutexLock single = this.mutex.lock("a");
		MutexLock pair = this.mutex.lockAll(List.of("b", "c"));
		MutexLock again = this.mutex.lock("a", Duration.ZERO); // re-entrant: a second
																// hold of "a"

		this.mutex.releaseAll();

		for (String key : List.of("a", "b", "c")) {
			assertThat(onOtherThread(() -> this.mutex.isLocked(key))).as(key).isFalse();
		}
		assertThat(this.mutex.isLocked("theirs")).isTrue();
		assertThat(single.release()).isFalse();
		assertThat(pair.release()).isFalse();
		assertThat(again.release()).isFalse();
		this.mutex.releaseAll(); // nothing held: nothing happens
		theirs.close();
	}

}
