package dev.automutex.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.automutex.test.RedisServer;

/**
 * Counts of the commands a Redis server has run ({@code INFO commandstats}), read over a
 * plain socket so that the count does not depend on the client under test.
 */
final class RedisCommandStats {

	private static final Pattern CALLS = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)");

	private RedisCommandStats() {
	}

	/**
	 * How many times the server ran the given commands, in all.
	 * @param server the server
	 * @param commands command names, such as {@code evalsha}
	 * @return the sum of their calls
	 */
	static long calls(RedisServer server, String... commands) {
		String info = info(server);
		long total = 0;
		Matcher matcher = CALLS.matcher(info);
		while (matcher.find()) {
			for (String command : commands) {
				if (matcher.group(1).equals(command.toLowerCase(Locale.ROOT))) {
					total += Long.parseLong(matcher.group(2));
				}
			}
		}
		return total;
	}

	/**
	 * Scripts run: {@code EVAL} and {@code EVALSHA} calls.
	 * @param server the server
	 * @return the number of scripts run so far
	 */
	static long scripts(RedisServer server) {
		return calls(server, "eval", "evalsha");
	}

	private static String info(RedisServer server) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write("INFO commandstats\r\n".getBytes(StandardCharsets.UTF_8));
			out.flush();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			String header = in.readLine(); // $<length>
			int length = Integer.parseInt(header.substring(1));
			char[] body = new char[length];
			int read = 0;
			while (read < length) {
				int n = in.read(body, read, length - read);
				if (n < 0) {
					break;
				}
				read += n;
			}
			return new String(body, 0, read);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis on port " + server.port() + " did not answer INFO", ex);
		}
	}

}
