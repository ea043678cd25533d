package dev.automutex;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MutexTemplate#heldKeys()}: what this instance holds now, for the Actuator
 * endpoint.
 */
class HeldKeysListingTests {

	@Test
	void listsEachHeldKeyWithItsThreadSortedByKey() throws Exception {
		MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
		Instant before = Instant.now().minusMillis(1);
		CountDownLatch taken = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		CompletableFuture<Void> other = CompletableFuture.runAsync(() -> mutex.withLock("a", () -> {
			taken.countDown();
			await(done);
			return null;
		}));
		assertThat(taken.await(10, TimeUnit.SECONDS)).isTrue();
		try (MutexLock lock = mutex.lock("b"); MutexLock nested = mutex.lock("b")) {
			assertThat(mutex.heldKeys()).extracting(MutexHold::key).containsExactly("a", "b");
			MutexHold mine = mutex.heldKeys().get(1);
			assertThat(mine.thread()).isEqualTo(Thread.currentThread().getName());
			assertThat(mine.since()).isAfter(before).isBefore(Instant.now().plusMillis(1));
			assertThat(mine.leaseLeft()).as("the local store keeps keys until released").isNull();
			assertThat(mine.lost()).isFalse();
			assertThat(mutex.heldKeys().get(0).thread()).isNotEqualTo(mine.thread());
		}
		done.countDown();
		other.get(10, TimeUnit.SECONDS);
		assertThat(mutex.heldKeys()).isEmpty();
	}

	@Test
	void showsTheLeaseLeftAndTheFencingTokenOnAStoreWithLeases() {
		FakeLeaseStore store = new FakeLeaseStore();
		MutexTemplate mutex = new MutexTemplate(store);
		try (MutexLock lock = mutex.lock(MutexRequest.of("k").expire(Duration.ofSeconds(30)))) {
			MutexHold hold = mutex.heldKeys().get(0);
			assertThat(hold.leaseLeft()).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(30));
			assertThat(hold.fencingToken()).isEqualTo(lock.fencingToken());
		}
		finally {
			mutex.destroy();
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
