package dev.automutex.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.SocketFactory;

/**
 * Sends one command to a Redis on a loopback port in Redis' inline protocol, over a
 * socket of its own, for assertions that should not depend on the client under test
 * ({@code PTTL mutex:{k}}, {@code CLUSTER INFO}, {@code SENTINEL ...}).
 *
 * @since 0.1.0
 */
public final class RedisInlineCommands {

	private RedisInlineCommands() {
	}

	/**
	 * Send a command and return the first line of its reply.
	 * @param port the loopback port
	 * @param command the command text, such as {@code "PTTL mutex:{a}"}
	 * @return the reply's first line, such as {@code ":9998"} or {@code "+PONG"}
	 * @throws IllegalStateException if Redis did not answer
	 */
	public static String firstLine(int port, String command) {
		return send(SocketFactory.getDefault(), port, command, false);
	}

	/**
	 * Send a command and return its whole reply: a bulk string's text, an array's
	 * elements one per line, else the first line.
	 * @param port the loopback port
	 * @param command the command text
	 * @return the reply
	 * @throws IllegalStateException if Redis did not answer
	 */
	public static String reply(int port, String command) {
		return send(SocketFactory.getDefault(), port, command, true);
	}

	/**
	 * Send a command over sockets of a factory (a TLS one for a server on TLS).
	 * @param sockets the socket factory
	 * @param port the loopback port
	 * @param command the command text
	 * @param whole whether to read the whole reply rather than its first line
	 * @return the reply
	 * @throws IllegalStateException if Redis did not answer
	 */
	static String send(SocketFactory sockets, int port, String command, boolean whole) {
		try (Socket socket = sockets.createSocket(InetAddress.getLoopbackAddress(), port)) {
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			return whole ? readReply(in) : readLine(in);
		}
		catch (IOException | NumberFormatException ex) {
			throw new IllegalStateException("Redis on port " + port + " did not answer '" + command + "'", ex);
		}
	}

	private static String readReply(InputStream in) throws IOException {
		String first = readLine(in);
		if (first.startsWith("$") && !first.equals("$-1")) {
			int length = Integer.parseInt(first.substring(1));
			byte[] body = in.readNBytes(length);
			if (body.length < length) {
				throw new IOException("Reply ended after " + body.length + " of " + length + " bytes");
			}
			readLine(in);
			return new String(body, StandardCharsets.UTF_8);
		}
		if (first.startsWith("*") && !first.equals("*-1")) {
			int count = Integer.parseInt(first.substring(1));
			List<String> elements = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				elements.add(readReply(in));
			}
			return String.join("\n", elements);
		}
		return first;
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int c;
		while ((c = in.read()) != -1 && c != '\n') {
			if (c != '\r') {
				line.write(c);
			}
		}
		return line.toString(StandardCharsets.UTF_8);
	}

}
