package dev.automutex.sample.web;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web sample over real HTTP, as README's curl commands use it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.work=1s")
class WebSampleApplicationTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Test
	void aSecondRequestForAnOccupiedRoomIsAConflict() throws Exception {
		CompletableFuture<HttpResponse<String>> first = sendAsync("POST", "/rooms/42/enter");
		await().atMost(Duration.ofSeconds(10)).until(() -> mutexHeld("Room:42"));
		HttpResponse<String> second = send("POST", "/rooms/42/enter");
		assertThat(second.statusCode()).isEqualTo(409);
		assertThat(json.readTree(second.body()).get("detail").asString()).contains("'Room:42'");
		assertThat(send("POST", "/rooms/7/enter").statusCode()).as("another room is free").isEqualTo(200);
		HttpResponse<String> firstResponse = first.get(10, TimeUnit.SECONDS);
		assertThat(firstResponse.statusCode()).isEqualTo(200);
		assertThat(firstResponse.body()).isEqualTo("left room 42\n");
	}

	@Test
	void aVerificationAlreadyRunningIsAnsweredByItsFailureHandler() throws Exception {
		CompletableFuture<HttpResponse<String>> first = sendAsync("POST", "/receipts/123456/verify");
		await().atMost(Duration.ofSeconds(10)).until(() -> mutexHeld("ItunesVerifier#perform:123456"));
		HttpResponse<String> second = send("POST", "/receipts/123456/verify");
		assertThat(second.statusCode()).isEqualTo(409);
		JsonNode problem = json.readTree(second.body());
		assertThat(problem.get("title").asString()).isEqualTo("Verification in progress");
		assertThat(problem.get("transactionId").asString()).isEqualTo("123456");
		assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("verified 123456\n");
	}

	@Test
	void anEncodingIsAcceptedAndHandedToAWorkerThatHoldsTheKey() throws Exception {
		HttpResponse<String> accepted = send("POST", "/videos/9/encode");
		assertThat(accepted.statusCode()).isEqualTo(202);
		assertThat(accepted.headers().firstValue("Location")).hasValue("/videos/9");
		JsonNode status = json.readTree(send("GET", "/videos/9").body());
		assertThat(status.get("state").asString()).isEqualTo("encoding");
		assertThat(status.get("encoder").asString()).isNotEmpty();
		assertThat(send("POST", "/videos/9/encode").statusCode()).as("encoding already").isEqualTo(409);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> json.readTree(send("GET", "/videos/9").body()).get("state").asString().equals("encoded"));
		assertThat(mutexHeld("video:9")).isFalse();
	}

	@Test
	void actuatorShowsTheStoreAndItsHealth() throws Exception {
		JsonNode mutex = json.readTree(send("GET", "/actuator/mutex").body());
		assertThat(mutex.get("store").asString()).isEqualTo("local");
		JsonNode health = json.readTree(send("GET", "/actuator/health").body());
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.get("components").get("mutex").get("details").get("store").asString()).isEqualTo("local");
	}

	private boolean mutexHeld(String key) throws Exception {
		return send("GET", "/actuator/mutex/" + key.replace("#", "%23")).statusCode() == 200;
	}

	private HttpResponse<String> send(String method, String path) throws Exception {
		return this.http.send(request(method, path), HttpResponse.BodyHandlers.ofString());
	}

	private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path) {
		return this.http.sendAsync(request(method, path), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest request(String method, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofSeconds(20))
			.build();
	}

}
