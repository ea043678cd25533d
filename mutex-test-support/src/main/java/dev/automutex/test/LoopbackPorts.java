package dev.automutex.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Free ports on the loopback interface, for the Redis servers the tests start.
 */
final class LoopbackPorts {

	private LoopbackPorts() {
	}

	/**
	 * Free loopback ports whose cluster bus port (port + 10000) is free as well.
	 * @param count how many
	 * @param busPortOffset the cluster bus port's distance from the port
	 * @return distinct ports
	 */
	static List<Integer> freeWithBusPorts(int count, int busPortOffset) {
		Set<Integer> chosen = new HashSet<>();
		List<Integer> ports = new ArrayList<>();
		for (int attempt = 0; ports.size() < count && attempt < 1000; attempt++) {
			int port = free();
			int busPort = port + busPortOffset;
			if (busPort <= 65535 && !chosen.contains(port) && !chosen.contains(busPort) && isFree(busPort)) {
				chosen.add(port);
				chosen.add(busPort);
				ports.add(port);
			}
		}
		if (ports.size() < count) {
			throw new IllegalStateException("Found no " + count + " free loopback ports with a free cluster bus port "
					+ "(port + " + busPortOffset + ")");
		}
		return ports;
	}

	static int free() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free loopback port", ex);
		}
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
