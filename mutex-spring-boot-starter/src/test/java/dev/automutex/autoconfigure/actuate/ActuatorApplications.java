package dev.automutex.autoconfigure.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.automutex.test.RedisServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Applications with Actuator on a random port for one test, and real HTTP calls to them;
 * closes them all after the test.
 */
class ActuatorApplications implements AutoCloseable {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<ConfigurableApplicationContext> applications = new ArrayList<>();

	static String[] redisArguments(RedisServer server) {
		return new String[] { "--mutex.store=redis", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + server.port(), "--spring.data.redis.timeout=1s" };
	}

	/**
	 * Start an application with the mutex and health endpoints exposed.
	 * @param arguments more arguments
	 * @return the application
	 */
	ConfigurableApplicationContext start(String... arguments) {
		List<String> all = new ArrayList<>(List.of("--management.endpoints.web.exposure.include=mutex,health"));
		all.addAll(List.of(arguments));
		return startUnexposed(all.toArray(String[]::new));
	}

	/**
	 * Start an application with Actuator's defaults: only health is exposed.
	 * @param arguments more arguments
	 * @return the application
	 */
	ConfigurableApplicationContext startUnexposed(String... arguments) {
		List<String> all = new ArrayList<>(List.of("--server.port=0",
				"--management.endpoint.health.show-details=always", "--spring.main.banner-mode=off"));
		all.addAll(List.of(arguments));
		ConfigurableApplicationContext application = new SpringApplicationBuilder(ActuatorApplication.class)
			.web(WebApplicationType.SERVLET)
			.run(all.toArray(String[]::new));
		this.applications.add(application);
		return application;
	}

	JsonNode get(ConfigurableApplicationContext application, String path, int status) throws Exception {
		return call(application, "GET", path, status);
	}

	JsonNode call(ConfigurableApplicationContext application, String method, String path, int status) throws Exception {
		HttpResponse<String> response = send(application, method, path);
		assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(status);
		return json.readTree(response.body().isEmpty() ? "null" : response.body());
	}

	void status(ConfigurableApplicationContext application, String path, int status) throws Exception {
		call(application, "GET", path, status);
	}

	String body(ConfigurableApplicationContext application, String path) throws Exception {
		return send(application, "GET", path).body();
	}

	HttpResponse<String> send(ConfigurableApplicationContext application, String method, String path)
			throws IOException, InterruptedException {
		String port = application.getEnvironment().getProperty("local.server.port");
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofSeconds(20))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	@Override
	public void close() {
		this.applications.forEach(ConfigurableApplicationContext::close);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ActuatorApplication {

	}

}
