package dev.automutex.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.automutex.test.RedisInlineCommands;

/**
 * Reads the suite's Redis for the bad-input battery without the client under test: which
 * keys are left, whether a key exists byte for byte, a key's time-to-live. Key names with
 * control or non-ASCII bytes are shown as {@code <hh>}.
 */
final class BadInputRedis {

	/**
	 * Every key but the expected leftovers: fence keys ({@code :f}) with a time-to-live
	 * and the spring-integration engine's fencing counter. Names are cut at 80 bytes.
	 */
	private static final String LEFTOVERS = "local out = {} for _, k in ipairs(redis.call('KEYS', '*')) do "
			+ "local fence = string.sub(k, -2) == ':f' and redis.call('PTTL', k) > 0 "
			+ "if not fence and k ~= 'mutex-fencing' then table.insert(out, (string.gsub(string.sub(k, 1, 80), "
			+ "'[^%w%p ]', function(c) return string.format('<%02x>', string.byte(c)) end))) end end return out";

	private final int port;

	private final String engine;

	BadInputRedis(int port, String engine) {
		this.port = port;
		this.engine = engine;
	}

	/**
	 * The Redis key of a mutex key on this engine.
	 * @param text the key text
	 * @return the Redis key
	 */
	String redisKey(String text) {
		if (!"automutex".equals(this.engine)) {
			return "mutex:" + text;
		}
		return "mutex:{" + text.replace("%", "%25").replace("{", "%7B").replace("}", "%7D") + "}";
	}

	/**
	 * Keys left in Redis, waiting up to a second for clean-ups that follow a release.
	 * @return the keys left, shown escaped
	 */
	List<String> leftovers() {
		Poll.until(Duration.ofSeconds(1), () -> leftoversNow().isEmpty());
		return leftoversNow();
	}

	private List<String> leftoversNow() {
		String reply = RedisInlineCommands.reply(this.port, "EVAL \"" + LEFTOVERS + "\" 0");
		if (reply.startsWith("-")) {
			throw new IllegalStateException("Redis refused the leftover script: " + reply);
		}
		return (reply.isEmpty() || reply.equals("*0")) ? List.of() : Arrays.asList(reply.split("\n"));
	}

	/**
	 * Whether Redis has exactly this key, compared byte for byte.
	 * @param redisKey the Redis key
	 * @return whether it exists
	 */
	boolean exists(String redisKey) {
		return RedisInlineCommands.firstLine(this.port, "EXISTS " + quote(redisKey)).equals(":1");
	}

	/**
	 * The time-to-live of a Redis key.
	 * @param redisKey the Redis key
	 * @return the time-to-live in ms; -2 if the key does not exist, -1 if it has none
	 */
	long pttl(String redisKey) {
		return Long.parseLong(RedisInlineCommands.firstLine(this.port, "PTTL " + quote(redisKey)).substring(1));
	}

	/**
	 * How many instances wait for a key in Redis (the AutoMutex engine's queue).
	 * @param text the key text
	 * @return the queue's size; 0 when it is gone
	 */
	long queued(String text) {
		return Long
			.parseLong(RedisInlineCommands.firstLine(this.port, "ZCARD " + quote(redisKey(text) + ":q")).substring(1));
	}

	/**
	 * Wait up to a second for a key's queue to empty.
	 * @param text the key text
	 * @return whether nobody is queued for the key
	 */
	boolean awaitUnqueued(String text) {
		return Poll.until(Duration.ofSeconds(1), () -> queued(text) == 0);
	}

	// One argument of Redis' inline protocol: double-quoted, every byte that is not
	// printable ASCII (or is a quote or backslash) written as \xhh.
	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			int c = b & 0xff;
			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
				quoted.append((char) c);
			}
			else {
				quoted.append(String.format("\\x%02x", c));
			}
		}
		return quoted.append('"').toString();
	}

}
