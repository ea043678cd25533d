package dev.automutex.sample;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import dev.automutex.MutexLockException;
import dev.automutex.MutexOperations;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The sample's services do what the README says they do.
 */
@SpringBootTest
class LocalSampleApplicationTests {

	@Autowired
	ItunesVerifier verifier;

	@Autowired
	ReportJob reports;

	@Autowired
	Rooms rooms;

	@Autowired
	Accounts accounts;

	@Autowired
	Videos videos;

	@Autowired
	MutexOperations mutex;

	@Autowired
	MutexStore store;

	@Test
	void runsOnTheEmbeddedStore() {
		assertThat(this.store).isInstanceOf(LocalMutexStore.class);
	}

	@Test
	void sameTransactionIsRefusedWhileItIsBeingVerified() throws Exception {
		whileAnotherThreadHolds("ItunesVerifier#perform:123456", () -> {
			assertThatExceptionOfType(MutexLockException.class).isThrownBy(() -> this.verifier.perform("123456"));
			assertThat(this.verifier.perform("777")).isEqualTo("verified 777");
		});
		assertThat(this.verifier.perform("123456")).isEqualTo("verified 123456");
	}

	@Test
	void busyReportJobAnswersThroughFailureHandler() throws Exception {
		whileAnotherThreadHolds("ReportJob#run", () -> assertThat(this.reports.run("2026-11"))
			.isEqualTo("report for 2026-11 skipped: ReportJob#run is running"));
		assertThat(this.reports.run("2026-11")).isEqualTo("report for 2026-11 done");
	}

	@Test
	void roomIsLockedByItsId() throws Exception {
		assertThat(this.rooms.enter(new Rooms.Room(123), "ada")).isEqualTo("ada entered room 123");
		whileAnotherThreadHolds("Room:123",
				() -> assertThatExceptionOfType(MutexLockException.class)
					.isThrownBy(() -> this.rooms.enter(new Rooms.Room(123), "bob"))
					.satisfies((ex) -> assertThat(ex.keys()).containsExactly("Room:123")));
	}

	@Test
	void cleaningWaitsForTheRoomUpToItsBlockAndNamesTheRoom() throws Exception {
		assertThat(this.rooms.clean(new Rooms.Room(7))).isEqualTo("cleaned room 7");
		whileAnotherThreadHolds("Room:7", () -> assertThatExceptionOfType(MutexLockException.class)
			.isThrownBy(() -> this.rooms.clean(new Rooms.Room(7)))
			.satisfies((ex) -> assertThat(ex.waited()).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(2))));
	}

	@Test
	void transferHoldsBothAccountsOrNeither() throws Exception {
		assertThat(this.accounts.transfer(1, 2, 50)).isEqualTo("moved 50 from 1 to 2");
		whileAnotherThreadHolds("account:2",
				() -> assertThatExceptionOfType(MutexLockException.class)
					.isThrownBy(() -> this.accounts.transfer(1, 2, 50))
					.satisfies((ex) -> assertThat(ex.keys()).containsExactly("account:1", "account:2")));
		assertThat(this.mutex.isLocked("account:1")).isFalse();
		whileAnotherThreadHolds("Account:2", () -> assertThatExceptionOfType(MutexLockException.class)
			.isThrownBy(() -> this.accounts.audit(new Accounts.Account(1), new Accounts.Account(2))));
		assertThat(this.accounts.audit(new Accounts.Account(1), new Accounts.Account(2))).isEqualTo("audited 1 and 2");
	}

	@Test
	void encodingIsHandedToAWorkerThatHoldsTheKey() throws Exception {
		CompletableFuture<String> encoding = this.videos.startEncoding("7");
		assertThat(encoding.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("encoded video 7");
		assertThat(this.videos.awaitEncoded("7", java.time.Duration.ZERO)).isTrue();
		whileAnotherThreadHolds("video:7", () -> {
			assertThatExceptionOfType(MutexLockException.class).isThrownBy(() -> this.videos.startEncoding("7"));
			assertThat(this.videos.encoder("7"))
				.hasValueSatisfying((holder) -> assertThat(holder.thisInstance()).isTrue());
			assertThat(this.videos.awaitEncoded("7", java.time.Duration.ofMillis(100))).isFalse();
		});
	}

	@Test
	void asyncEncodingIsRefusedThroughItsFutureWhileTheVideoIsBusy() throws Exception {
		assertThat(this.videos.encodeAsync("8").get(10, java.util.concurrent.TimeUnit.SECONDS))
			.isEqualTo("encoded video 8");
		whileAnotherThreadHolds("Videos#encodeAsync:8",
				() -> assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
					.isThrownBy(() -> this.videos.encodeAsync("8").get(10, java.util.concurrent.TimeUnit.SECONDS))
					.havingCause()
					.isInstanceOf(MutexLockException.class));
	}

	/**
	 * Run checks while a key is held by another thread (another caller of the service),
	 * then let it go.
	 */
	private void whileAnotherThreadHolds(String key, Runnable checks) throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> this.mutex.withLock(key, () -> {
			held.countDown();
			try {
				done.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}));
		held.await();
		try {
			checks.run();
		}
		finally {
			done.countDown();
			holder.join();
		}
	}

}
