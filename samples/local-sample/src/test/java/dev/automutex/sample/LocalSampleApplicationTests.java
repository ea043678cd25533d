package dev.automutex.sample;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import dev.automutex.MutexLockException;
import dev.automutex.MutexOperations;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;

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
	MutexOperations mutex;

	@Autowired
	MutexStore store;

	@Test
	void runsOnTheEmbeddedStore() {
		assertThat(this.store).isInstanceOf(LocalMutexStore.class);
	}

	@Test
	void sameTransactionIsRefusedWhileItIsBeingVerified() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> this.mutex.withLock(
				"ItunesVerifier#perform:123456", () -> {
					held.countDown();
					await(done);
				}));
		held.await();
		assertThatExceptionOfType(MutexLockException.class).isThrownBy(() -> this.verifier.perform("123456"));
		assertThat(this.verifier.perform("777")).isEqualTo("verified 777");
		done.countDown();
		holder.join();
		assertThat(this.verifier.perform("123456")).isEqualTo("verified 123456");
	}

	@Test
	void busyReportJobAnswersThroughFailureHandler() throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> this.mutex.withLock("ReportJob#run", () -> {
			held.countDown();
			await(done);
		}));
		held.await();
		assertThat(this.reports.run("2026-11")).isEqualTo("report for 2026-11 skipped: ReportJob#run is running");
		done.countDown();
		holder.join();
		assertThat(this.reports.run("2026-11")).isEqualTo("report for 2026-11 done");
	}

	@Test
	void roomIsLockedByItsId() throws Exception {
		assertThat(this.rooms.enter(new Rooms.Room(123), "ada")).isEqualTo("ada entered room 123");
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(1);
		CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> this.mutex.withLock("Room:123", () -> {
			held.countDown();
			await(done);
		}));
		held.await();
		assertThatExceptionOfType(MutexLockException.class)
			.isThrownBy(() -> this.rooms.enter(new Rooms.Room(123), "bob"))
			.satisfies((ex) -> assertThat(ex.keys()).containsExactly("Room:123"));
		done.countDown();
		holder.join();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
