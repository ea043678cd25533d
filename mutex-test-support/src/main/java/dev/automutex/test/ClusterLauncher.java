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
 * Starts the {@code redis-server} processes of a {@link RedisClusterServer}, each in a
 * directory of its own, and joins them with {@code redis-cli --cluster create}.
 */
final class ClusterLauncher {

	private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(20);

	private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration CLUSTER_OK_TIMEOUT = Duration.ofSeconds(30);

	private final String server = findExecutable("redis-server");

	private final String cli = findExecutable("redis-cli");

	private final Path dir;

	ClusterLauncher(Path dir) {
		this.dir = dir;
	}

	/**
	 * Start a cluster-enabled node on each port and wait until each answers PING.
	 * @param ports the nodes' ports
	 * @param nodeTimeoutMillis {@code cluster-node-timeout}: how long a node may be
	 * unreachable before it counts as failing
	 * @param processes where the started processes are added, in the order of the ports,
	 * even when a later one fails to start
	 */
	void launch(List<Integer> ports, long nodeTimeoutMillis, List<Process> processes) {
		for (int port : ports) {
			Path nodeDir = this.dir.resolve(String.valueOf(port));
			try {
				Files.createDirectories(nodeDir);
				// No diskless-sync delay (5 s by default), so that replicas are in sync
				// at once; and a replica fails over however long ago it last heard from
				// its master, as the tests kill masters on purpose.
				processes
					.add(new ProcessBuilder(List.of(this.server, "--cluster-enabled", "yes", "--cluster-config-file",
							"nodes.conf", "--cluster-node-timeout", String.valueOf(nodeTimeoutMillis),
							"--cluster-replica-validity-factor", "0", "--repl-diskless-sync-delay", "0", "--port",
							String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
							nodeDir.toString(), "--logfile", nodeDir.resolve("redis.log").toString()))
						.redirectErrorStream(true)
						.redirectOutput(nodeDir.resolve("stdout.log").toFile())
						.start());
			}
			catch (IOException ex) {
				throw new IllegalStateException(
						"Could not start " + this.server + " on port " + port + ": " + ex.getMessage(), ex);
			}
		}
		for (int i = 0; i < ports.size(); i++) {
			awaitPong(ports.get(i), processes.get(i));
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
				if ("+PONG".equals(RedisInlineCommands.firstLine(port, "PING"))) {
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

	/**
	 * Join the nodes into one cluster: {@code redis-cli --cluster create}, which makes
	 * the first nodes masters and gives each master {@code replicas} of the others.
	 * @param nodes every node as {@code host:port}
	 * @param replicas replicas per master
	 */
	void create(List<String> nodes, int replicas) {
		List<String> command = new ArrayList<>(List.of(this.cli, "--cluster", "create"));
		command.addAll(nodes);
		command.addAll(List.of("--cluster-replicas", String.valueOf(replicas), "--cluster-yes"));
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
			throw new IllegalStateException("Could not run " + this.cli + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while creating the Redis Cluster", ex);
		}
	}

	/**
	 * Wait until every node reports {@code cluster_state:ok}, knows every node and the
	 * expected number of replicas, and every replica is in sync with its master.
	 * @param ports every node's port
	 * @param replicas how many replicas the cluster has in all
	 * @return the first node's view of the cluster then
	 */
	ClusterNodes awaitReady(List<Integer> ports, int replicas) {
		long deadline = System.nanoTime() + CLUSTER_OK_TIMEOUT.toNanos();
		String last = "";
		while (System.nanoTime() - deadline < 0) {
			last = notReadyBecause(ports, replicas);
			if (last.isEmpty()) {
				return ClusterNodes.parse(RedisInlineCommands.reply(ports.get(0), "CLUSTER NODES"));
			}
			// Polling the nodes' own view of the cluster: there is nothing to wait on.
			parkBriefly();
		}
		throw new IllegalStateException("Redis Cluster on ports " + ports + " was not ok within "
				+ CLUSTER_OK_TIMEOUT.toSeconds() + "s; " + last);
	}

	private static String notReadyBecause(List<Integer> ports, int replicas) {
		for (int port : ports) {
			String info = RedisInlineCommands.reply(port, "CLUSTER INFO");
			if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + ports.size())
					|| !info.contains("cluster_slots_assigned:16384")) {
				return "last answer of CLUSTER INFO from node " + port + ":\n" + info;
			}
			ClusterNodes view = ClusterNodes.parse(RedisInlineCommands.reply(port, "CLUSTER NODES"));
			long known = view.nodes().stream().filter((node) -> !node.isMaster()).count();
			if (known != replicas) {
				return "node " + port + " knows " + known + " replicas of " + replicas;
			}
			ClusterNodes.Node self = view.byPort(port);
			if (self != null && !self.isMaster()
					&& !RedisInlineCommands.reply(port, "INFO replication").contains("master_link_status:up")) {
				return "replica " + port + " is not in sync with its master";
			}
		}
		return "";
	}

	static void parkBriefly() {
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

	static void deleteQuietly(File file) {
		File[] children = file.listFiles();
		if (children != null) {
			for (File child : children) {
				deleteQuietly(child);
			}
		}
		file.delete();
	}

}
