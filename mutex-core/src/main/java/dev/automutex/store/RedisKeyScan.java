package dev.automutex.store;

import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

/**
 * {@code SCAN} of the keys matching a pattern, on one Redis or on every master of a Redis
 * Cluster (each node scans only its own keys), never {@code KEYS}, which blocks Redis
 * while it walks the whole key space. For listings: keys added or removed during the scan
 * may or may not be seen.
 */
final class RedisKeyScan {

	/** Keys asked for per {@code SCAN} call: a hint to Redis, not a limit. */
	private static final long BATCH = 200;

	private RedisKeyScan() {
	}

	/**
	 * Scan the string keys that match a pattern ({@code SCAN ... TYPE string}, Redis 6 or
	 * later).
	 * @param connectionFactory where to scan
	 * @param pattern a glob pattern ({@link #escapeGlob(String)} for literal parts)
	 * @param visitor told each key found; returns {@code false} to stop
	 */
	static void scan(RedisConnectionFactory connectionFactory, String pattern, Predicate<String> visitor) {
		ScanOptions options = ScanOptions.scanOptions().match(pattern).type(DataType.STRING).count(BATCH).build();
		try (RedisConnection connection = connectionFactory.getConnection()) {
			if (connection instanceof RedisClusterConnection cluster) {
				for (RedisClusterNode node : cluster.clusterGetNodes()) {
					if (node.isMaster() && !visit(cluster.scan(node, options), visitor)) {
						return;
					}
				}
			}
			else {
				visit(connection.keyCommands().scan(options), visitor);
			}
		}
	}

	private static boolean visit(Cursor<byte[]> cursor, Predicate<String> visitor) {
		try (cursor) {
			while (cursor.hasNext()) {
				if (!visitor.test(new String(cursor.next(), StandardCharsets.UTF_8))) {
					return false;
				}
			}
			return true;
		}
	}

	/**
	 * Escape the characters that are special in a {@code SCAN MATCH} pattern.
	 * @param literal text to match as it is
	 * @return the pattern that matches exactly that text
	 */
	static String escapeGlob(String literal) {
		StringBuilder escaped = new StringBuilder(literal.length() + 4);
		for (int i = 0; i < literal.length(); i++) {
			char c = literal.charAt(i);
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

}
