package dev.automutex.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * One node's view of a Redis Cluster, parsed from its answer to {@code CLUSTER NODES}:
 * who is master or replica of whom, who is failed, and who serves which slots.
 *
 * @param nodes the nodes, in the order of the answer
 */
record ClusterNodes(List<Node> nodes) {

	static ClusterNodes parse(String answer) {
		List<Node> nodes = new ArrayList<>();
		for (String line : answer.split("\n")) {
			String[] fields = line.trim().split(" ");
			if (fields.length < 8) {
				continue;
			}
			String address = fields[1];
			int at = address.indexOf('@');
			String hostPort = (at >= 0) ? address.substring(0, at) : address;
			int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
			List<String> slots = new ArrayList<>();
			for (int i = 8; i < fields.length; i++) {
				// "[slot->-id]" ranges are slots being imported or migrated.
				if (!fields[i].startsWith("[")) {
					slots.add(fields[i]);
				}
			}
			nodes.add(new Node(fields[0], port, Set.of(fields[2].split(",")), fields[3], slots));
		}
		return new ClusterNodes(List.copyOf(nodes));
	}

	@Nullable Node byPort(int port) {
		return this.nodes.stream().filter((node) -> node.port() == port).findFirst().orElse(null);
	}

	@Nullable Node byId(String id) {
		return this.nodes.stream().filter((node) -> node.id().equals(id)).findFirst().orElse(null);
	}

	/**
	 * The master that serves a slot, failed or not.
	 * @param slot the slot
	 * @return the master, or {@code null} if no master claims it
	 */
	@Nullable Node masterOf(int slot) {
		return this.nodes.stream().filter((node) -> node.isMaster() && node.serves(slot)).findFirst().orElse(null);
	}

	List<Node> replicasOf(String masterId) {
		return this.nodes.stream().filter((node) -> node.masterId().equals(masterId)).toList();
	}

	/**
	 * A node in {@code CLUSTER NODES}.
	 *
	 * @param id the node id
	 * @param port its client port
	 * @param flags {@code master}, {@code slave}, {@code myself}, {@code fail},
	 * {@code fail?} and so on
	 * @param masterId the id of its master, {@code -} for a master
	 * @param slots the slot ranges it serves, such as {@code 0-5460}
	 */
	record Node(String id, int port, Set<String> flags, String masterId, List<String> slots) {

		boolean isMaster() {
			return this.flags.contains("master");
		}

		boolean isFailed() {
			return this.flags.contains("fail") || this.flags.contains("fail?");
		}

		boolean serves(int slot) {
			for (String range : this.slots) {
				int dash = range.indexOf('-');
				int from = Integer.parseInt((dash >= 0) ? range.substring(0, dash) : range);
				int to = (dash >= 0) ? Integer.parseInt(range.substring(dash + 1)) : from;
				if (from <= slot && slot <= to) {
					return true;
				}
			}
			return false;
		}

	}

}
