package dev.automutex.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on a free loopback port, owned by the test that
 * started it, so tests can kill, pause or restart it without touching any Redis the
 * machine already runs.
 * <p>
 * Fails loudly (never skips) when {@code redis-server} is not installed.
 *
 * @since 0.1.0
 */
public final class RedisServer implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private final int port;

	private final Path dir;

	private final String executable;

	private volatile Process process;

	private RedisServer(String executable, int port, Path dir, Process process) {
		this.executable = executable;
		this.port = port;
		this.dir = dir;
		this.process = process;
	}

	/**
	 * Start a new server on a free loopback port and wait until it answers {@code PING}.
	 * @return the running server
	 * @throws IllegalStateException if {@code redis-server} is missing or does not come
	 * up
	 */
	public static RedisServer start() {
		String executable = findExecutable();
		int port = LoopbackPorts.free();
		try {
			Path dir = Files.createTempDirectory("automutex-redis-");
			RedisServer server = new RedisServer(executable, port, dir, launch(executable, port, dir));
			server.awaitReady();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start " + executable + ": " + ex.getMessage(), ex);
		}
	}

	private static Process launch(String executable, int port, Path dir) throws IOException {
		return new ProcessBuilder(List.of(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save",
				"", "--appendonly", "no", "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()))
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("stdout.log").toFile())
			.start();
	}

	/**
	 * Kill the server and start a new, empty one on the same port: Redis without
	 * persistence after a restart, which has forgotten every key.
	 */
	public void restart() {
		stopProcess();
		try {
			this.process = launch(this.executable, this.port, this.dir);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not restart redis-server on port " + this.port, ex);
		}
		awaitReady();
	}

	/**
	 * Loopback port this server listens on.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Operating-system process id of the running server, for faults a test causes with
	 * signals ({@code kill -STOP} and {@code kill -CONT} pause and resume it).
	 * @return the process id; it changes with {@link #restart()}
	 */
	public long pid() {
		return this.process.pid();
	}

	/**
	 * Host to connect to.
	 * @return the loopback address, {@code 127.0.0.1}
	 */
	public String host() {
		return "127.0.0.1";
	}

	/**
	 * Send one command in Redis' inline protocol and return the first reply line, for
	 * assertions that should not depend on the client library under test (for example
	 * {@code TTL mutex:key}).
	 * @param command the command text, such as {@code "PTTL mutex:a"}
	 * @return the reply's first line, such as {@code ":9998"} or {@code "+PONG"}
	 */
	public String command(String command) {
		return RedisInlineCommands.firstLine(this.port, command);
	}

	/** Remove every key, so tests sharing one server start clean. */
	public void flushAll() {
		String reply = command("FLUSHALL");
		if (!reply.startsWith("+OK")) {
			throw new IllegalStateException("FLUSHALL answered " + reply);
		}
	}

	/** Stop the server and delete its working directory. */
	@Override
	public void close() {
		stopProcess();
		deleteQuietly(this.dir.toFile());
	}

	private void stopProcess() {
		Process running = this.process;
		running.destroy();
		try {
			if (!running.waitFor(10, TimeUnit.SECONDS)) {
				running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void awaitReady() {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		@Nullable Exception last = null;
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("redis-server exited with " + this.process.exitValue()
						+ " before it answered on port " + this.port + "; see " + this.dir);
			}
			try {
				if ("+PONG".equals(command("PING"))) {
					return;
				}
			}
			catch (IllegalStateException ex) {
				last = ex;
			}
			// Polling a process we just started; there is nothing to wait on but the
			// socket.
			parkBriefly();
		}
		close();
		throw new IllegalStateException(
				"redis-server did not answer PING on port " + this.port + " within " + START_TIMEOUT.toSeconds() + "s",
				last);
	}

	private static void parkBriefly() {
		java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
	}

	private static String findExecutable() {
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(File.pathSeparator)) {
				File candidate = new File(dir, "redis-server");
				if (candidate.canExecute()) {
					return candidate.getPath();
				}
			}
		}
		for (String fallback : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
			if (new File(fallback).canExecute()) {
				return fallback;
			}
		}
		throw new IllegalStateException("redis-server is not installed, and the Redis tests need a real one "
				+ "that they start themselves. Install it (Debian/Ubuntu: 'apt-get install -y redis-server', "
				+ "macOS: 'brew install redis') and run the tests again.");
	}

	private static void deleteQuietly(File file) {
		File[] children = file.listFiles();
		if (children != null) {
			for (File child : children) {
				deleteQuietly(child);
			}
		}
		file.delete();
	}

}
