package dev.automutex.test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

/**
 * A real Redis Cluster of three {@code redis-server} masters on free loopback ports
 * (slots spread by {@code redis-cli --cluster create}, no replicas), owned by the test
 * that started it, so tests can check what a store does on a cluster without touching any
 * Redis the machine already runs.
 * <p>
 * Fails loudly (never skips) when {@code redis-server} or {@code redis-cli} is not
 * installed.
 *
 * @since 0.1.0
 */
public final class RedisClusterServer implements AutoCloseable {

	private static final int MASTERS = 3;

	/** A cluster node listens for the cluster bus on its port plus this. */
	private static final int BUS_PORT_OFFSET = 10000;

	private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(20);

	private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration CLUSTER_OK_TIMEOUT = Duration.ofSeconds(30);

	private final Path dir;

	private final List<Integer> ports;

	private final List<Process> processes = new ArrayList<>();

	private RedisClusterServer(Path dir, List<Integer> ports) {
		this.dir = dir;
		this.ports = List.copyOf(ports);
	}

	/**
	 * Start three cluster-enabled masters on free loopback ports, join them into one
	 * cluster with {@code redis-cli --cluster create}, and wait until every node reports
	 * {@code cluster_state:ok}.
	 * @return the running cluster
	 * @throws IllegalStateException if {@code redis-server} or {@code redis-cli} is
	 * missing, or the cluster does not come up
	 */
	public static RedisClusterServer start() {
		String server = findExecutable("redis-server");
		String cli = findExecutable("redis-cli");
		RedisClusterServer cluster;
		try {
			cluster = new RedisClusterServer(Files.createTempDirectory("automutex-redis-cluster-"),
					LoopbackPorts.freeWithBusPorts(MASTERS, BUS_PORT_OFFSET));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not create a directory for a Redis Cluster: " + ex.getMessage(), ex);
		}
		try {
			cluster.launch(server);
			cluster.create(cli);
			cluster.awaitClusterOk();
			return cluster;
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	private void launch(String executable) {
		for (int port : this.ports) {
			Path nodeDir = this.dir.resolve(String.valueOf(port));
			try {
				Files.createDirectories(nodeDir);
				this.processes
					.add(new ProcessBuilder(List.of(executable, "--cluster-enabled", "yes", "--cluster-config-file",
							"nodes.conf", "--cluster-node-timeout", "2000", "--port", String.valueOf(port), "--bind",
							"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", nodeDir.toString(), "--logfile",
							nodeDir.resolve("redis.log").toString()))
						.redirectErrorStream(true)
						.redirectOutput(nodeDir.resolve("stdout.log").toFile())
						.start());
			}
			catch (IOException ex) {
				throw new IllegalStateException(
						"Could not start " + executable + " on port " + port + ": " + ex.getMessage(), ex);
			}
		}
		for (int i = 0; i < this.ports.size(); i++) {
			awaitPong(this.ports.get(i), this.processes.get(i));
		}
	}

	private void awaitPong(int port, Process process) {
		long deadline = System.nanoTime() + NODE_START_TIMEOUT.toNanos();
		@Nullable Exception last = null;
		while (System.nanoTime() - deadline < 0) {
			if (!process.isAlive()) {
				throw new IllegalStateException("redis-server exited with " + process.exitValue()
						+ " before it answered on port " + port + "; see " + this.dir.resolve(String.valueOf(port)));
			}
			try {
				if ("+PONG".equals(command(port, "PING"))) {
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
		throw new IllegalStateException(
				"redis-server did not answer PING on port " + port + " within " + NODE_START_TIMEOUT.toSeconds() + "s",
				last);
	}

	private void create(String cli) {
		List<String> command = new ArrayList<>(List.of(cli, "--cluster", "create"));
		command.addAll(nodes());
		command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
		Path output = this.dir.resolve("cluster-create.log");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			process.getOutputStream().close();
			if (!process.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("'" + String.join(" ", command) + "' did not end within "
						+ CREATE_TIMEOUT.toSeconds() + "s:\n" + Files.readString(output));
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException("'" + String.join(" ", command) + "' failed with exit code "
						+ process.exitValue() + ":\n" + Files.readString(output));
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + cli + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while creating the Redis Cluster", ex);
		}
	}

	private void awaitClusterOk() {
		long deadline = System.nanoTime() + CLUSTER_OK_TIMEOUT.toNanos();
		String last = "";
		while (System.nanoTime() - deadline < 0) {
			boolean ok = true;
			for (int port : this.ports) {
				String info = reply(port, "CLUSTER INFO");
				if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + MASTERS)
						|| !info.contains("cluster_slots_assigned:16384")) {
					ok = false;
					last = "node " + port + ":\n" + info;
					break;
				}
			}
			if (ok) {
				return;
			}
			// Polling the nodes' own view of the cluster: there is nothing to wait on.
			parkBriefly();
		}
		throw new IllegalStateException("Redis Cluster " + nodes() + " was not ok within "
				+ CLUSTER_OK_TIMEOUT.toSeconds() + "s; last answer of CLUSTER INFO from " + last);
	}

	/**
	 * Host every node listens on.
	 * @return the loopback address, {@code 127.0.0.1}
	 */
	public String host() {
		return "127.0.0.1";
	}

	/**
	 * Loopback ports of the masters, in the order they were started.
	 * @return an unmodifiable list of three ports
	 */
	public List<Integer> ports() {
		return this.ports;
	}

	/**
	 * The masters as {@code host:port}, for a client's cluster configuration.
	 * @return an unmodifiable list of three addresses, such as {@code 127.0.0.1:40123}
	 */
	public List<String> nodes() {
		return this.ports.stream().map((port) -> host() + ":" + port).toList();
	}

	/**
	 * Send one command in Redis' inline protocol to one node and return the first reply
	 * line, like {@link RedisServer#command(String)}. A node answers only for the keys of
	 * its own slots (others get {@code -MOVED}); see {@link #portOf(String)}.
	 * @param port the node's port, one of {@link #ports()}
	 * @param command the command text, such as {@code "EXISTS mutex:{a}"}
	 * @return the reply's first line, such as {@code ":1"} or {@code "+OK"}
	 */
	public String command(int port, String command) {
		return RedisInlineCommands.firstLine(port, command);
	}

	/**
	 * Send one command in Redis' inline protocol to one node and return its whole reply
	 * as text, for commands that answer with more than a line: a bulk string's text
	 * ({@code CLUSTER INFO}, {@code CLUSTER NODES}); an array's elements one per line,
	 * each as this method gives it ({@code PUBSUB NUMSUB ch} gives {@code "ch\n:1"}); any
	 * other reply's line as {@link #command(int, String)} gives it.
	 * @param port the node's port, one of {@link #ports()}
	 * @param command the command text, such as {@code "CLUSTER NODES"}
	 * @return the reply's text
	 */
	public String reply(int port, String command) {
		return RedisInlineCommands.reply(port, command);
	}

	/**
	 * The hash slot of a Redis key ({@code CLUSTER KEYSLOT}).
	 * @param redisKey the key as stored in Redis, such as {@code mutex:{a}}
	 * @return the slot, 0 to 16383
	 */
	public int slotOf(String redisKey) {
		String reply = command(this.ports.get(0), "CLUSTER KEYSLOT " + redisKey);
		if (!reply.startsWith(":")) {
			throw new IllegalStateException("CLUSTER KEYSLOT " + redisKey + " answered " + reply);
		}
		return Integer.parseInt(reply.substring(1));
	}

	/**
	 * The port of the master that serves a Redis key, from its slot and
	 * {@code CLUSTER NODES}.
	 * @param redisKey the key as stored in Redis, such as {@code mutex:{a}}
	 * @return one of {@link #ports()}
	 */
	public int portOf(String redisKey) {
		int slot = slotOf(redisKey);
		String nodes = reply(this.ports.get(0), "CLUSTER NODES");
		for (String line : nodes.split("\n")) {
			String[] fields = line.trim().split(" ");
			if (fields.length < 9 || !fields[2].contains("master")) {
				continue;
			}
			for (int i = 8; i < fields.length; i++) {
				if (servesSlot(fields[i], slot)) {
					String address = fields[1];
					int at = address.indexOf('@');
					String hostPort = (at >= 0) ? address.substring(0, at) : address;
					return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
				}
			}
		}
		throw new IllegalStateException("No master serves slot " + slot + " of '" + redisKey + "':\n" + nodes);
	}

	private static boolean servesSlot(String range, int slot) {
		if (range.startsWith("[")) {
			return false; // a slot being imported or migrated
		}
		int dash = range.indexOf('-');
		int from = Integer.parseInt((dash >= 0) ? range.substring(0, dash) : range);
		int to = (dash >= 0) ? Integer.parseInt(range.substring(dash + 1)) : from;
		return from <= slot && slot <= to;
	}

	/** Remove every key on every master, so tests sharing one cluster start clean. */
	public void flushAll() {
		for (int port : this.ports) {
			String reply = command(port, "FLUSHALL");
			if (!reply.startsWith("+OK")) {
				throw new IllegalStateException("FLUSHALL on port " + port + " answered " + reply);
			}
		}
	}

	/** Stop every node and delete the cluster's working directories. */
	@Override
	public void close() {
		for (Process process : this.processes) {
			process.destroy();
		}
		for (Process process : this.processes) {
			try {
				if (!process.waitFor(10, TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		deleteQuietly(this.dir.toFile());
	}

	private static void parkBriefly() {
		LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
	}

	private static String findExecutable(String name) {
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(File.pathSeparator)) {
				File candidate = new File(dir, name);
				if (candidate.canExecute()) {
					return candidate.getPath();
				}
			}
		}
		for (String fallback : List.of("/usr/bin/" + name, "/usr/local/bin/" + name)) {
			if (new File(fallback).canExecute()) {
				return fallback;
			}
		}
		throw new IllegalStateException(name + " is not installed, and the Redis Cluster tests need a real one "
				+ "that they start themselves (redis-server for the nodes, redis-cli to join them). Install it "
				+ "(Debian/Ubuntu: 'apt-get install -y redis-server', which brings redis-cli with it; macOS: "
				+ "'brew install redis') and run the tests again.");
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
