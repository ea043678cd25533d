package dev.automutex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.automutex.store.MutexStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Renewal tasks belong to the holder that started them: when one holder's last release and the next holder's
 * first hold of the same key interleave, the release must not stop the next holder's renewal.
 */
class MutexRenewalsTests {

	private final List<String> renewed = new CopyOnWriteArrayList<>();

	private final List<String> lost = new ArrayList<>();

	private final MutexRenewals renewals = new MutexRenewals(new RenewingStore(), (key, holder) -> this.lost.add(key));

	@AfterEach
	void shutdown() {
		this.renewals.shutdown();
	}

	@Test
	void releaseOfThePreviousHolderDoesNotStopTheNextHoldersRenewal() throws Exception {
		Thread previous = new Thread(() -> {
		}); // stands for the holder that is releasing; its task is replaced before it ever runs
		Thread next = Thread.currentThread();

		this.renewals.start("k", previous, Duration.ofMillis(300));
		this.renewals.start("k", next, Duration.ofMillis(300)); // the next holder's first hold comes first
		this.renewals.stop("k", previous); // then the previous holder's last release
		assertThat(this.renewals.size()).isOne();
		int before = this.renewed.size();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.renewed.size() > before + 1);
		this.renewals.stop("k", next);
		assertThat(this.renewals.size()).isZero();
	}

	@Test
	void renewalOfAHolderThreadThatEndedStopsWithoutSignallingALoss() throws Exception {
		Thread dead = new Thread(() -> {
		});
		dead.start();
		dead.join();
		this.renewals.start("k", dead, Duration.ofMillis(90));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.renewals.size() == 0);
		assertThat(this.renewed).isEmpty();
		assertThat(this.lost).isEmpty();
	}

	@Test
	void startingTwiceForOneHolderKeepsOneTask() {
		Thread holder = Thread.currentThread();
		this.renewals.start("k", holder, Duration.ofSeconds(3));
		this.renewals.start("k", holder, Duration.ofSeconds(3));
		assertThat(this.renewals.size()).isOne();
		this.renewals.stop("k", holder);
		assertThat(this.renewals.size()).isZero();
	}

	private final class RenewingStore implements MutexStore {

		@Override
		public @Nullable Held tryAcquire(String key, Duration wait, @Nullable Duration expire) {
			return null;
		}

		@Override
		public boolean isLocked(String key) {
			return false;
		}

		@Override
		public boolean renew(String key, Duration ttl) {
			MutexRenewalsTests.this.renewed.add(key);
			return true;
		}

	}

}
