package dev.automutex.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on a free loopback port, owned by the test that
 * started it, so tests can kill, pause or restart it without touching any Redis the
 * machine already runs. {@link #startWithTls()} starts one that speaks TLS only, with
 * certificates made for it ({@link RedisTlsCertificates}).
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

	private final @Nullable RedisTlsCertificates tls;

	private final SocketFactory sockets;

	private volatile @Nullable Process process;

	private RedisServer(String executable, int port, Path dir, @Nullable RedisTlsCertificates tls) {
		this.executable = executable;
		this.port = port;
		this.dir = dir;
		this.tls = tls;
		this.sockets = (tls != null) ? tls.socketFactory() : SocketFactory.getDefault();
	}

	/**
	 * Start a new server on a free loopback port and wait until it answers {@code PING}.
	 * @return the running server
	 * @throws IllegalStateException if {@code redis-server} is missing or does not come
	 * up
	 */
	public static RedisServer start() {
		return start(false);
	}

	/**
	 * Start a new server that speaks TLS only (its plain port is off) on a free loopback
	 * port, with a certificate authority and a server certificate made for it in its
	 * working directory, and wait until it answers {@code PING}. Clients must trust
	 * {@link RedisTlsCertificates#caCertificate()}; they need no certificate of their own
	 * ({@code tls-auth-clients no}).
	 * @return the running server
	 * @throws IllegalStateException if {@code redis-server} is missing, was built without
	 * TLS, or does not come up
	 */
	public static RedisServer startWithTls() {
		return start(true);
	}

	private static RedisServer start(boolean tls) {
		String executable = findExecutable();
		int port = LoopbackPorts.free();
		try {
			Path dir = Files.createTempDirectory("automutex-redis-");
			RedisTlsCertificates certificates = null;
			if (tls) {
				certificates = RedisTlsCertificates.create(Files.createDirectory(dir.resolve("tls")));
			}
			RedisServer server = new RedisServer(executable, port, dir, certificates);
			server.process = server.launch();
			server.awaitReady();
			return server;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start " + executable + ": " + ex.getMessage(), ex);
		}
	}

	private Process launch() throws IOException {
		List<String> command = new ArrayList<>(
				List.of(this.executable, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
						this.dir.toString(), "--logfile", this.dir.resolve("redis.log").toString()));
		RedisTlsCertificates certificates = this.tls;
		if (certificates == null) {
			command.addAll(List.of("--port", String.valueOf(this.port)));
		}
		else {
			command.addAll(List.of("--port", "0", "--tls-port", String.valueOf(this.port), "--tls-cert-file",
					certificates.serverCertificate().toString(), "--tls-key-file", certificates.serverKey().toString(),
					"--tls-ca-cert-file", certificates.caCertificate().toString(), "--tls-auth-clients", "no"));
		}
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.dir.resolve("stdout.log").toFile())
			.start();
	}

	/**
	 * Kill the server and start a new, empty one on the same port: Redis without
	 * persistence after a restart, which has forgotten every key.
	 */
	public void restart() {
		stopProcess();
		try {
			this.process = launch();
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
		return process().pid();
	}

	/**
	 * The certificates of a server started with {@link #startWithTls()}.
	 * @return its certificates, or empty for a server without TLS
	 */
	public Optional<RedisTlsCertificates> tls() {
		return Optional.ofNullable(this.tls);
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
	 * {@code TTL mutex:key}), over TLS on a server that has it.
	 * @param command the command text, such as {@code "PTTL mutex:a"}
	 * @return the reply's first line, such as {@code ":9998"} or {@code "+PONG"}
	 */
	public String command(String command) {
		return RedisInlineCommands.send(sockets(), this.port, command, false);
	}

	/**
	 * Send one command in Redis' inline protocol and return its whole reply (a bulk
	 * string's text, an array's elements one per line, else the first line), over TLS on
	 * a server that has it.
	 * @param command the command text, such as {@code "ACL LOG"}
	 * @return the reply
	 */
	public String reply(String command) {
		return RedisInlineCommands.send(sockets(), this.port, command, true);
	}

	private SocketFactory sockets() {
		return this.sockets;
	}

	private String readLog() {
		StringBuilder log = new StringBuilder();
		for (String name : List.of("stdout.log", "redis.log")) {
			try {
				log.append("\n").append(name).append(":\n").append(Files.readString(this.dir.resolve(name)));
			}
			catch (IOException ex) {
				// not written: the process did not get that far
			}
		}
		return log.toString();
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

	private Process process() {
		Process running = this.process;
		if (running == null) {
			throw new IllegalStateException("redis-server on port " + this.port + " was not started");
		}
		return running;
	}

	private void stopProcess() {
		Process running = process();
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
			Process running = process();
			if (!running.isAlive()) {
				throw new IllegalStateException("redis-server exited with " + running.exitValue()
						+ " before it answered on port " + this.port + "; see " + this.dir + readLog());
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
