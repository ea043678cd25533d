package dev.automutex.autoconfigure.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostEvent;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code DELETE /actuator/mutex/{key}} (force-release) and the store-wide list of
 * {@code GET /actuator/mutex}, through real HTTP calls, on the local store and on Redis.
 */
class MutexEndpointForceReleaseTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final ActuatorApplications applications = new ActuatorApplications();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.executor.shutdownNow();
		this.applications.close();
	}

	@Test
	void deleteIsRefusedUntilTurnedOn() throws Exception {
		ConfigurableApplicationContext application = this.applications.start("--mutex.store=local");
		try (MutexLock lock = application.getBean(MutexTemplate.class).lock("job:1")) {
			JsonNode refused = this.applications.call(application, "DELETE", "/actuator/mutex/job:1", 403);
			assertThat(refused.get("error").asString()).contains("mutex.actuator.force-release=true");
			assertThat(lock.isHeld()).isTrue();
		}
	}

	@Test
	void deleteFreesAStuckKeyOnTheLocalStoreAndItsHolderIsToldAtOnce() throws Exception {
		ConfigurableApplicationContext application = this.applications.start("--mutex.store=local",
				"--mutex.actuator.force-release=true");
		List<MutexLostEvent> losses = lossesOf(application);
		MutexTemplate mutex = application.getBean(MutexTemplate.class);
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch unstuck = new CountDownLatch(1);
		Future<Boolean> stuck = this.executor.submit(() -> {
			MutexLock lock = mutex.lock("job:1");
			held.countDown();
			unstuck.await(30, TimeUnit.SECONDS);
			return lock.release();
		});
		assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.applications.get(application, "/actuator/mutex", 200).get("inStore").isNull())
			.as("the local store's keys are all in 'held'")
			.isTrue();
		JsonNode forced = this.applications.call(application, "DELETE", "/actuator/mutex/job:1", 200);
		assertThat(forced.get("key").asString()).isEqualTo("job:1");
		assertThat(forced.get("holder").get("thisInstance").asBoolean()).isTrue();
		assertThat(forced.get("holder").get("thread").asString()).startsWith("pool-");
		this.applications.call(application, "DELETE", "/actuator/mutex/job:1", 404);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(losses).anySatisfy((lost) -> assertThat(lost.keys()).contains("job:1")));
		try (MutexLock next = mutex.tryLock("job:1").orElseThrow()) {
			assertThat(next.isHeld()).isTrue();
			unstuck.countDown();
			assertThat(stuck.get(10, TimeUnit.SECONDS)).as("the stuck holder's release finds it lost").isFalse();
			assertThat(next.isHeld()).as("and does not free the next holder").isTrue();
		}
		this.applications.call(application, "DELETE", "/actuator/mutex/job:1", 404);
	}

	@Test
	void deleteOnOneInstanceFreesAKeyHeldByAnotherWhoseHolderFindsOut() throws Exception {
		deleteFreesAKeyOfAnotherInstance("automutex");
	}

	@Test
	void deleteWorksOnTheSpringIntegrationEngineToo() throws Exception {
		deleteFreesAKeyOfAnotherInstance("spring-integration");
	}

	private void deleteFreesAKeyOfAnotherInstance(String engine) throws Exception {
		List<String> arguments = new ArrayList<>(List.of(ActuatorApplications.redisArguments(redis.server())));
		arguments.add("--mutex.redis.engine=" + engine);
		arguments.add("--mutex.actuator.force-release=true");
		ConfigurableApplicationContext first = this.applications.start(arguments.toArray(String[]::new));
		ConfigurableApplicationContext second = this.applications.start(arguments.toArray(String[]::new));
		List<MutexLostEvent> losses = lossesOf(first);
		MutexLock lock = first.getBean(MutexTemplate.class).lock("video:7", Duration.ZERO, Duration.ofSeconds(30));
		JsonNode forced = this.applications.call(second, "DELETE", "/actuator/mutex/video:7", 200);
		assertThat(forced.get("holder").get("thisInstance").asBoolean()).isFalse();
		try (MutexLock taken = second.getBean(MutexTemplate.class).tryLock("video:7").orElseThrow()) {
			assertThat(lock.isHeld()).as("the first instance's holder finds the key lost").isFalse();
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> assertThat(losses).anySatisfy((lost) -> assertThat(lost.keys()).contains("video:7")));
			assertThat(lock.release()).isFalse();
			assertThat(taken.isHeld()).isTrue();
		}
		redis.server().flushAll();
	}

	@Test
	void readOnlyAccessRemovesDelete() throws Exception {
		ConfigurableApplicationContext application = this.applications.start("--mutex.store=local",
				"--mutex.actuator.force-release=true", "--management.endpoint.mutex.access=read-only");
		try (MutexLock lock = application.getBean(MutexTemplate.class).lock("job:1")) {
			this.applications.call(application, "DELETE", "/actuator/mutex/job:1", 405);
			assertThat(lock.isHeld()).isTrue();
			this.applications.get(application, "/actuator/mutex/job:1", 200);
		}
	}

	@Test
	void redisListsTheKeysEveryInstanceHoldsUpToTheLimit() throws Exception {
		ConfigurableApplicationContext first = this.applications
			.start(ActuatorApplications.redisArguments(redis.server()));
		ConfigurableApplicationContext second = this.applications
			.start(ActuatorApplications.redisArguments(redis.server()));
		MutexTemplate mutex = first.getBean(MutexTemplate.class);
		try (MutexLock a = mutex.lock("room:1");
				MutexLock b = mutex.lock("room:2");
				MutexLock c = mutex.lock("{odd}%")) {
			JsonNode all = this.applications.get(second, "/actuator/mutex", 200);
			assertThat(all.get("held")).as("this instance holds none").isEmpty();
			JsonNode inStore = all.get("inStore");
			assertThat(inStore.get("held")).extracting((held) -> held.get("key").asString())
				.containsExactly("room:1", "room:2", "{odd}%");
			assertThat(inStore.get("held").get(0).get("thisInstance").asBoolean()).isFalse();
			assertThat(Duration.parse(inStore.get("held").get(0).get("leaseLeft").asString())).isPositive();
			assertThat(inStore.get("limit").asInt()).isEqualTo(100);
			assertThat(inStore.get("more").asBoolean()).isFalse();
			JsonNode two = this.applications.get(second, "/actuator/mutex?limit=2", 200).get("inStore");
			assertThat(two.get("held")).hasSize(2);
			assertThat(two.get("more").asBoolean()).isTrue();
			JsonNode mine = this.applications.get(first, "/actuator/mutex", 200).get("inStore").get("held").get(0);
			assertThat(mine.get("thisInstance").asBoolean()).isTrue();
			assertThat(mine.get("thread").asString()).isEqualTo(Thread.currentThread().getName());
		}
		assertThat(this.applications.get(second, "/actuator/mutex", 200).get("inStore").get("held")).isEmpty();
	}

	private static List<MutexLostEvent> lossesOf(ConfigurableApplicationContext application) {
		List<MutexLostEvent> losses = new CopyOnWriteArrayList<>();
		application.addApplicationListener((ApplicationListener<MutexLostEvent>) losses::add);
		return losses;
	}

}
