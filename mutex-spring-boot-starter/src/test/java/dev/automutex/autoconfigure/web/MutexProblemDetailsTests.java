package dev.automutex.autoconfigure.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLockException;
import dev.automutex.annotation.AutoMutex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A busy key in a Spring MVC application, through real HTTP calls: 409 Conflict with a
 * ProblemDetail naming the key, not a 500.
 */
class MutexProblemDetailsTests {

	static volatile CountDownLatch inside = new CountDownLatch(1);

	static volatile CountDownLatch leave = new CountDownLatch(1);

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	@AfterEach
	void close() {
		leave.countDown();
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void busyKeyIsAConflictWithAProblemDetailNamingTheKey() throws Exception {
		ConfigurableApplicationContext application = start();
		HttpResponse<String> busy = whileRoomIsOccupied(application);
		assertThat(busy.statusCode()).isEqualTo(409);
		assertThat(busy.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = JsonMapper.builder().build().readTree(busy.body());
		assertThat(problem.get("status").asInt()).isEqualTo(409);
		assertThat(problem.get("type").asString()).isEqualTo("urn:automutex:problem:mutex-busy");
		assertThat(problem.get("title").asString()).isEqualTo("Mutex busy");
		assertThat(problem.get("detail").asString()).contains("'Room#enter:42'").contains("held by someone else");
		assertThat(problem.get("keys").get(0).asString()).isEqualTo("Room#enter:42");
		assertThat(problem.get("instance").asString()).isEqualTo("/rooms/42");
	}

	@Test
	void offByPropertyLeavesTheApplicationsOwnErrorHandling() throws Exception {
		ConfigurableApplicationContext application = start("--mutex.web.busy-as-conflict=false");
		assertThat(whileRoomIsOccupied(application).statusCode()).isEqualTo(500);
	}

	@Test
	void anApplicationExceptionThatWrapsABusyKeyIsLeftToTheApplication() throws Exception {
		ConfigurableApplicationContext application = start();
		HttpResponse<String> response = this.http.send(request(application, "/wrapped"),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.body()).doesNotContain("Mutex busy");
	}

	// The first request enters room 42 and stays; a second one asks while it is inside.
	private HttpResponse<String> whileRoomIsOccupied(ConfigurableApplicationContext application) throws Exception {
		inside = new CountDownLatch(1);
		leave = new CountDownLatch(1);
		CompletableFuture<HttpResponse<String>> first = this.http.sendAsync(request(application, "/rooms/42"),
				HttpResponse.BodyHandlers.ofString());
		assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
		HttpResponse<String> second = this.http.send(request(application, "/rooms/42"),
				HttpResponse.BodyHandlers.ofString());
		leave.countDown();
		assertThat(first.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		return second;
	}

	private static HttpRequest request(ConfigurableApplicationContext application, String path) {
		String port = application.getEnvironment().getProperty("local.server.port");
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(20))
			.build();
	}

	private ConfigurableApplicationContext start(String... arguments) {
		List<String> all = new ArrayList<>(
				List.of("--server.port=0", "--mutex.store=local", "--spring.main.banner-mode=off"));
		all.addAll(List.of(arguments));
		ConfigurableApplicationContext application = new SpringApplicationBuilder(WebApplication.class)
			.web(WebApplicationType.SERVLET)
			.run(all.toArray(String[]::new));
		this.applications.add(application);
		return application;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import({ RoomController.class, Room.class })
	static class WebApplication {

	}

	@RestController
	static class RoomController {

		private final Room room;

		RoomController(Room room) {
			this.room = room;
		}

		@GetMapping("/rooms/{id}")
		String enter(@PathVariable String id) {
			return this.room.enter(id);
		}

		@GetMapping("/wrapped")
		String wrapped() {
			throw new IllegalStateException("the application's own failure", new MutexLockException(List.of("k"),
					Duration.ZERO, "Could not acquire mutex 'k': held by someone else", null));
		}

	}

	/** redis-mutex's RoomController: one request in a room at a time. */
	public static class Room {

		@AutoMutex(on = "#id", block = "0s")
		public String enter(String id) {
			inside.countDown();
			try {
				leave.await(20, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return "left " + id;
		}

	}

}
