package dev.automutex.store;

import org.springframework.util.Assert;

/**
 * Where the AutoMutex Redis engine keeps a key: {@code <prefix>:{<key>}} for the lock
 * itself, {@code <prefix>:{<key>}:q} for the instances waiting for it and
 * {@code <prefix>:{<key>}:f} for its last fencing token, {@code <prefix>:{<key>}:t} for
 * the time-to-live each waiting instance asks for. The braces are a Redis Cluster hash
 * tag: the keys of one mutex key share a slot, so each script touches one slot, while
 * different mutex keys spread over the cluster.
 * <p>
 * {@code %}, <code>{</code> and <code>}</code> in a key are written as {@code %25},
 * {@code %7B} and {@code %7D}, so that the hash tag is always the whole key and two
 * different keys never share a Redis key. Wake-ups go to one channel per instance,
 * {@code <prefix>:wake:<instance id>}.
 */
final class RedisKeyLayout {

	private final String prefix;

	RedisKeyLayout(String prefix) {
		Assert.hasText(prefix, "prefix must not be empty");
		Assert.isTrue(prefix.indexOf('{') < 0 && prefix.indexOf('}') < 0,
				() -> "prefix '" + prefix + "' must not contain '{' or '}' (Redis Cluster hash tags)");
		this.prefix = prefix;
	}

	String prefix() {
		return this.prefix;
	}

	String lockKey(String key) {
		return this.prefix + ":{" + escape(key) + "}";
	}

	static String queueKey(String lockKey) {
		return lockKey + ":q";
	}

	static String fenceKey(String lockKey) {
		return lockKey + ":f";
	}

	static String ttlKey(String lockKey) {
		return lockKey + ":t";
	}

	String wakeChannelPrefix() {
		return this.prefix + ":wake:";
	}

	static String escape(String key) {
		int i = 0;
		while (i < key.length() && !needsEscape(key.charAt(i))) {
			i++;
		}
		if (i == key.length()) {
			return key;
		}
		StringBuilder escaped = new StringBuilder(key.length() + 8).append(key, 0, i);
		for (; i < key.length(); i++) {
			char c = key.charAt(i);
			switch (c) {
				case '%' -> escaped.append("%25");
				case '{' -> escaped.append("%7B");
				case '}' -> escaped.append("%7D");
				default -> escaped.append(c);
			}
		}
		return escaped.toString();
	}

	/**
	 * The key text of an escaped key.
	 * @param escaped the text between the braces of a lock key
	 * @return the key
	 */
	static String unescape(String escaped) {
		if (escaped.indexOf('%') < 0) {
			return escaped;
		}
		return escaped.replace("%7B", "{").replace("%7D", "}").replace("%25", "%");
	}

	private static boolean needsEscape(char c) {
		return c == '%' || c == '{' || c == '}';
	}

}
