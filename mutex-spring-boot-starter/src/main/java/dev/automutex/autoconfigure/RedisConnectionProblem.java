package dev.automutex.autoconfigure;

import java.util.Locale;

import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;

/**
 * Why a {@code PING} to Redis failed, for the startup failure and the WARN that name
 * Redis's address: Redis refused the username and password, the TLS handshake failed, the
 * user may not run the command, or Redis did not answer; with what to correct. Read from
 * the exception's first and innermost messages, which are the client's and Redis's own
 * (Redis's error replies never repeat a password).
 *
 * @param kind what went wrong, as it follows "Redis at host:port"
 * @param reason the client's message and the innermost cause's
 * @param fix what to correct
 */
record RedisConnectionProblem(String kind, String reason, String fix) {

	static RedisConnectionProblem of(Throwable ex) {
		String reason = reason(ex);
		if (has(ex, "WRONGPASS") || has(ex, "NOAUTH") || has(ex, "invalid password")) {
			return new RedisConnectionProblem("refused the username and password: authentication failed", reason,
					"correct spring.data.redis.username and spring.data.redis.password");
		}
		if (has(ex, "NOPERM")) {
			return new RedisConnectionProblem("refused a command to this user: an ACL permission is missing", reason,
					"grant the user the commands, keys and channels that AutoMutex's README lists for its engine");
		}
		if (isTls(ex)) {
			return new RedisConnectionProblem("could not be reached over TLS", reason,
					"make the SSL bundle of spring.data.redis.ssl.bundle trust the certificate authority that "
							+ "signed Redis's certificate");
		}
		return new RedisConnectionProblem("did not answer", reason,
				"start Redis or correct spring.data.redis.* (spring.data.redis.ssl.* for a Redis on TLS)");
	}

	private static String reason(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String first = String.valueOf(ex.getMessage());
		String last = root.getMessage();
		return (root == ex || last == null || first.contains(last)) ? first : first + ": " + last;
	}

	private static boolean has(Throwable ex, String text) {
		for (@Nullable
		Throwable cause = ex; cause != null; cause = cause.getCause()) {
			String message = cause.getMessage();
			if (message != null && message.toUpperCase(Locale.ROOT).contains(text.toUpperCase(Locale.ROOT))) {
				return true;
			}
		}
		return false;
	}

	private static boolean isTls(Throwable ex) {
		for (@Nullable
		Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SSLException) {
				return true;
			}
		}
		return false;
	}

}
