package dev.automutex.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.automutex.test.ClusterNodes.Node;

/**
 * A real Redis Cluster of three {@code redis-server} masters on free loopback ports
 * (slots spread by {@code redis-cli --cluster create}), with no replicas or with replicas
 * that take over when a master is {@linkplain #kill(int) killed}, owned by the test that
 * started it, so tests can check what a store does on a cluster without touching any
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

	private final Path dir;

	private final int replicasPerMaster;

	private final List<Integer> allPorts;

	private final List<Process> processes = new ArrayList<>();

	private final Map<Integer, Integer> slotOfKilled = new ConcurrentHashMap<>();

	private List<Integer> masters = List.of();

	private List<Integer> replicas = List.of();

	private RedisClusterServer(Path dir, int replicasPerMaster, List<Integer> allPorts) {
		this.dir = dir;
		this.replicasPerMaster = replicasPerMaster;
		this.allPorts = List.copyOf(allPorts);
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
		return start(0);
	}

	/**
	 * Start three masters and {@code replicasPerMaster} replicas of each on free loopback
	 * ports, join them into one cluster, and wait until every node reports
	 * {@code cluster_state:ok} and every replica is in sync with its master. With
	 * replicas, nodes give up on an unreachable master after 1.5 s
	 * ({@code cluster-node-timeout}), so a replica takes over a killed master within
	 * about 3 s.
	 * @param replicasPerMaster replicas of each master, 0 or more
	 * @return the running cluster
	 * @throws IllegalStateException if {@code redis-server} or {@code redis-cli} is
	 * missing, or the cluster does not come up
	 */
	public static RedisClusterServer start(int replicasPerMaster) {
		if (replicasPerMaster < 0) {
			throw new IllegalArgumentException("replicasPerMaster must not be negative: " + replicasPerMaster);
		}
		RedisClusterServer cluster;
		try {
			cluster = new RedisClusterServer(Files.createTempDirectory("automutex-redis-cluster-"), replicasPerMaster,
					LoopbackPorts.freeWithBusPorts(MASTERS * (1 + replicasPerMaster), BUS_PORT_OFFSET));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not create a directory for a Redis Cluster: " + ex.getMessage(), ex);
		}
		try {
			ClusterLauncher launcher = new ClusterLauncher(cluster.dir);
			launcher.launch(cluster.allPorts, (replicasPerMaster > 0) ? 1500 : 2000, cluster.processes);
			launcher.create(cluster.nodes(), replicasPerMaster);
			ClusterNodes view = launcher.awaitReady(cluster.allPorts, MASTERS * replicasPerMaster);
			cluster.masters = cluster.allPorts.stream().filter((port) -> isMaster(view, port)).toList();
			cluster.replicas = cluster.allPorts.stream().filter((port) -> !isMaster(view, port)).toList();
			return cluster;
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	private static boolean isMaster(ClusterNodes view, int port) {
		Node node = view.byPort(port);
		return node != null && node.isMaster();
	}

	/**
	 * Host every node listens on.
	 * @return the loopback address, {@code 127.0.0.1}
	 */
	public String host() {
		return "127.0.0.1";
	}

	/**
	 * Loopback ports of the nodes that were masters when the cluster started, in the
	 * order they were started; see {@link #masterPorts()} for the masters now.
	 * @return an unmodifiable list of three ports
	 */
	public List<Integer> ports() {
		return this.masters;
	}

	/**
	 * Loopback ports of the nodes that were replicas when the cluster started.
	 * @return an unmodifiable list, empty without replicas
	 */
	public List<Integer> replicaPorts() {
		return this.replicas;
	}

	/**
	 * Every node started, masters and replicas, as {@code host:port}, for a client's
	 * cluster configuration (a client that knows the replicas too still finds the cluster
	 * when a master is gone).
	 * @return an unmodifiable list of addresses, such as {@code 127.0.0.1:40123}
	 */
	public List<String> nodes() {
		return this.allPorts.stream().map((port) -> host() + ":" + port).toList();
	}

	/**
	 * Send one command in Redis' inline protocol to one node and return the first reply
	 * line, like {@link RedisServer#command(String)}. A node answers only for the keys of
	 * its own slots (others get {@code -MOVED}); see {@link #portOf(String)}.
	 * @param port the node's port
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
	 * @param port the node's port
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
		String reply = command(livePort(), "CLUSTER KEYSLOT " + redisKey);
		if (!reply.startsWith(":")) {
			throw new IllegalStateException("CLUSTER KEYSLOT " + redisKey + " answered " + reply);
		}
		return Integer.parseInt(reply.substring(1));
	}

	/**
	 * The port of the master that serves a Redis key now, from its slot and
	 * {@code CLUSTER NODES} as a live node sees it.
	 * @param redisKey the key as stored in Redis, such as {@code mutex:{a}}
	 * @return the master's port
	 */
	public int portOf(String redisKey) {
		int slot = slotOf(redisKey);
		Node master = view(livePort()).masterOf(slot);
		if (master == null) {
			throw new IllegalStateException("No master serves slot " + slot + " of '" + redisKey + "'");
		}
		return master.port();
	}

	/**
	 * The masters that serve slots now and are not failing, as a live node sees them.
	 * @return their ports
	 */
	public List<Integer> masterPorts() {
		return view(livePort()).nodes()
			.stream()
			.filter((node) -> node.isMaster() && !node.isFailed() && !node.slots().isEmpty())
			.map(Node::port)
			.toList();
	}

	/**
	 * The replicas of a master now, as a live node sees them.
	 * @param masterPort the master's port
	 * @return the replicas' ports, empty if it has none
	 */
	public List<Integer> replicasOf(int masterPort) {
		ClusterNodes view = view(livePort());
		Node master = view.byPort(masterPort);
		return (master != null) ? view.replicasOf(master.id()).stream().map(Node::port).toList() : List.of();
	}

	/**
	 * Kill a node with {@code SIGKILL} ({@code kill -9}), as a crash would, and wait
	 * until its process is gone. A killed master's replica takes over after the node
	 * time-out; see {@link #awaitFailover(int, Duration)}.
	 * @param port the node's port
	 */
	public void kill(int port) {
		Process process = this.processes.get(this.allPorts.indexOf(port));
		Node node = view(port).byPort(port);
		if (node != null && !node.slots().isEmpty()) {
			String range = node.slots().get(0);
			this.slotOfKilled.put(port, Integer.parseInt(range.split("-")[0]));
		}
		process.destroyForcibly();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("redis-server on port " + port + " survived SIGKILL for 10 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while killing redis-server on port " + port, ex);
		}
	}

	/**
	 * Wait until the slots of a {@linkplain #kill(int) killed} master are served by
	 * another master (its promoted replica) and every live node reports
	 * {@code cluster_state:ok} and agrees on who serves them.
	 * @param killedPort the killed master's port
	 * @param timeout how long to wait
	 * @return the port of the master that serves the killed master's slots now
	 * @throws IllegalStateException if that does not happen in time
	 */
	public int awaitFailover(int killedPort, Duration timeout) {
		Integer slot = this.slotOfKilled.get(killedPort);
		if (slot == null) {
			throw new IllegalStateException("Port " + killedPort + " was not a master killed with kill(port)");
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		String last = "";
		while (System.nanoTime() - deadline < 0) {
			Map<Integer, Integer> masterByNode = new HashMap<>();
			for (int port : livePorts()) {
				Node master = view(port).masterOf(slot);
				if (!reply(port, "CLUSTER INFO").contains("cluster_state:ok")) {
					last = "node " + port + " reports a cluster that is not ok";
				}
				else if (master != null && master.port() != killedPort && !master.isFailed()) {
					masterByNode.put(port, master.port());
				}
			}
			Set<Integer> newMasters = Set.copyOf(masterByNode.values());
			if (masterByNode.size() == livePorts().size() && newMasters.size() == 1) {
				return newMasters.iterator().next();
			}
			last = last.isEmpty() ? "masters of slot " + slot + " by node: " + masterByNode : last;
			// Polling the nodes' own view of the cluster: there is nothing to wait on.
			ClusterLauncher.parkBriefly();
		}
		throw new IllegalStateException("No replica took over the slots of the master on port " + killedPort
				+ " within " + timeout.toMillis() + " ms; " + last);
	}

	/** Remove every key on every master, so tests sharing one cluster start clean. */
	public void flushAll() {
		for (int port : masterPorts()) {
			String reply = command(port, "FLUSHALL");
			if (!reply.startsWith("+OK")) {
				throw new IllegalStateException("FLUSHALL on port " + port + " answered " + reply);
			}
		}
	}

	private ClusterNodes view(int port) {
		return ClusterNodes.parse(reply(port, "CLUSTER NODES"));
	}

	private List<Integer> livePorts() {
		List<Integer> live = new ArrayList<>();
		for (int i = 0; i < this.allPorts.size(); i++) {
			if (i < this.processes.size() && this.processes.get(i).isAlive()) {
				live.add(this.allPorts.get(i));
			}
		}
		return live;
	}

	private int livePort() {
		List<Integer> live = livePorts();
		if (live.isEmpty()) {
			throw new IllegalStateException("No node of Redis Cluster " + nodes() + " is running");
		}
		return live.get(0);
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
		ClusterLauncher.deleteQuietly(this.dir.toFile());
	}

}
