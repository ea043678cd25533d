package dev.automutex;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.automutex.store.LocalMutexStore;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The template's observations, as timers through Micrometer's default handler:
 * {@code mutex.acquire} and {@code mutex.held} with a bounded {@code name} tag and their
 * outcome.
 */
class MutexObservationTests {

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final ObservationRegistry observations = ObservationRegistry.create();

	MutexObservationTests() {
		this.observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.meters));
	}

	@Test
	void acquisitionAndHoldAreTimedUnderTheKeysNameNotItsValue() throws Exception {
		MutexTemplate mutex = observed(new MutexTemplate(new LocalMutexStore()));
		mutex.withLock("Room:1", () -> null);
		mutex.withLock("Room:2", () -> {
			assertThat(mutex.heldCount()).isEqualTo(1);
			mutex.withLock("Room:2", () -> null); // nested: not another acquisition
			return null;
		});
		assertThat(timer("mutex.acquire", "Room", "acquired").count()).isEqualTo(2);
		assertThat(timer("mutex.held", "Room", "released").count()).isEqualTo(2);
		assertThat(this.meters.find("mutex.acquire").tag("name", "Room:1").timer()).isNull();
		assertThat(mutex.heldCount()).isZero();
	}

	@Test
	void busyKeyIsTimedAsBusy() throws Exception {
		MutexTemplate mutex = observed(new MutexTemplate(new LocalMutexStore()));
		try (MutexLock lock = mutex.lock("ItunesVerifier#perform:123")) {
			boolean got = CompletableFuture.supplyAsync(() -> mutex.tryLock("ItunesVerifier#perform:123").isPresent())
				.get(10, TimeUnit.SECONDS);
			assertThat(got).isFalse();
		}
		assertThat(timer("mutex.acquire", "ItunesVerifier#perform", "busy").count()).isEqualTo(1);
		assertThat(timer("mutex.acquire", "ItunesVerifier#perform", "acquired").count()).isEqualTo(1);
	}

	@Test
	void lostKeyEndsItsHoldAsLost() {
		FakeLeaseStore store = new FakeLeaseStore();
		MutexTemplate mutex = observed(new MutexTemplate(store));
		mutex.setDefaultExpire(Duration.ofMillis(300));
		try (MutexLock lock = mutex.lock("Job:nightly")) {
			store.drop("Job:nightly");
			await().atMost(Duration.ofSeconds(5)).until(lock::isLost);
		}
		finally {
			mutex.destroy();
		}
		assertThat(timer("mutex.held", "Job", "lost").count()).isEqualTo(1);
		assertThat(this.meters.find("mutex.held").tag("outcome", "released").timer()).isNull();
	}

	@Test
	void withoutARegistryNothingIsObserved() {
		MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
		mutex.withLock("Room:1", () -> null);
		assertThat(this.meters.getMeters()).isEmpty();
	}

	private MutexTemplate observed(MutexTemplate mutex) {
		mutex.setObservationRegistry(this.observations);
		return mutex;
	}

	private Timer timer(String name, String keyName, String outcome) {
		Timer timer = this.meters.find(name).tag("name", keyName).tag("outcome", outcome).timer();
		assertThat(timer).as("%s{name=%s, outcome=%s} in %s", name, keyName, outcome, this.meters.getMetersAsString())
			.isNotNull();
		return timer;
	}

}
