package dev.automutex.reliability;

import java.time.Duration;

import dev.automutex.test.RedisClusterServer;

/**
 * A replica made to lag behind its master, as one does when its link is slow or cut: it
 * may no longer authenticate to its master ({@code masterauth} set to a password the
 * master does not have) and its replication link is closed, so it misses whatever the
 * master writes from then on, while it stays the master's replica in the cluster and
 * takes over if the master dies.
 */
final class ReplicaLag {

	private final RedisClusterServer cluster;

	private final int master;

	private final int replica;

	ReplicaLag(RedisClusterServer cluster, int master, int replica) {
		this.cluster = cluster;
		this.master = master;
		this.replica = replica;
	}

	/**
	 * Wait until the replica has everything the master wrote so far.
	 * @return whether it caught up within 5 s
	 */
	boolean awaitInSync() {
		long target = Long.parseLong(info(this.master, "master_repl_offset"));
		return Poll.until(Duration.ofSeconds(5), () -> {
			String offset = info(this.replica, "slave_repl_offset");
			return !offset.isEmpty() && Long.parseLong(offset) >= target;
		});
	}

	/**
	 * Cut the replica off its master.
	 * @return the replica's {@code master_link_status} then, {@code down} once cut
	 */
	String cut() {
		this.cluster.command(this.replica, "CONFIG SET masterauth automutex-lagging-replica");
		this.cluster.command(this.replica, "CLIENT KILL TYPE master");
		return info(this.replica, "master_link_status");
	}

	/**
	 * Give the replica back the master's (empty) password, once it is master itself.
	 */
	void restore() {
		this.cluster.command(this.replica, "CONFIG SET masterauth \"\"");
	}

	private String info(int port, String name) {
		for (String line : this.cluster.reply(port, "INFO replication").split("\r?\n")) {
			if (line.startsWith(name + ":")) {
				return line.substring(name.length() + 1).trim();
			}
		}
		return "";
	}

}
