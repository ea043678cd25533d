package dev.automutex.reliability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.automutex.reliability.worker.WorkerApplication;
import dev.automutex.test.RedisInlineCommands;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * How the scenarios configure AutoMutex on a Redis: the command-line arguments of a
 * worker process, and applications started in the suite's own JVM with the same
 * arguments.
 */
final class RedisApplications {

	/**
	 * Redis command time-out of every application in the suite. Lettuce's default is 60
	 * s: a wait that meets a paused Redis ends after its block plus this.
	 */
	static final String COMMAND_TIMEOUT = "2s";

	private RedisApplications() {
	}

	/**
	 * Arguments for an application that locks on the Redis at {@code port}.
	 * @param port the Redis port on loopback
	 * @param more further arguments
	 * @return the arguments
	 */
	static List<String> arguments(int port, String... more) {
		List<String> arguments = new ArrayList<>(List.of("--mutex.store=redis", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + port, "--spring.data.redis.timeout=" + COMMAND_TIMEOUT));
		arguments.addAll(Arrays.asList(more));
		return arguments;
	}

	/**
	 * Start the worker application in this JVM, without a job.
	 * @param port the Redis port on loopback
	 * @param more further arguments
	 * @return the running application; close it
	 */
	static ConfigurableApplicationContext start(int port, String... more) {
		List<String> arguments = arguments(port, more);
		// Expected WARNs (keys lost, renewals failing) would bury the suite's own lines.
		arguments.add("--logging.level.root=error");
		return start(arguments);
	}

	/**
	 * Start the worker application in this JVM, without a job.
	 * @param arguments its arguments
	 * @return the running application; close it
	 */
	static ConfigurableApplicationContext start(List<String> arguments) {
		List<String> all = new ArrayList<>(arguments);
		all.add("--worker.job=none");
		return new SpringApplicationBuilder(WorkerApplication.class).web(WebApplicationType.NONE)
			.run(all.toArray(String[]::new));
	}

	/**
	 * The keys of a Redis that match a pattern ({@code KEYS}: the suite's own server).
	 * @param port the Redis port on loopback
	 * @param pattern the pattern, such as {@code mutex:*}
	 * @return the keys
	 */
	static List<String> keys(int port, String pattern) {
		String reply = RedisInlineCommands.reply(port, "KEYS " + pattern).trim();
		return reply.isEmpty() ? List.of() : Arrays.stream(reply.split("\n")).map(String::trim).toList();
	}

	/**
	 * Lock keys ({@code mutex:{k}}) and queue keys ({@code mutex:{k}:q}) in a Redis: what
	 * a hold or a wait leaves; fence keys ({@code mutex:{k}:f}) keep the last token a
	 * while on purpose and are not counted.
	 * @param port the Redis port on loopback
	 * @return the keys
	 */
	static List<String> halfLocked(int port) {
		return keys(port, "mutex:*").stream()
			.filter((key) -> key.startsWith("mutex:{") && !key.endsWith(":f"))
			.toList();
	}

}
