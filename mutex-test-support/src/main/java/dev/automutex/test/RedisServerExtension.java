package dev.automutex.test;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that starts a {@link RedisServer} before the tests of a class and
 * stops it after them. Register it in a static field: <pre class="code">
 * &#64;RegisterExtension
 * static final RedisServerExtension redis = new RedisServerExtension();
 * </pre> or, for a server that speaks TLS only, {@link #withTls()}.
 *
 * @since 0.1.0
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {

	private final boolean tls;

	private @Nullable RedisServer server;

	/**
	 * Create an extension that starts a plain {@link RedisServer#start() server}.
	 */
	public RedisServerExtension() {
		this(false);
	}

	private RedisServerExtension(boolean tls) {
		this.tls = tls;
	}

	/**
	 * Create an extension that starts a server that speaks TLS only, with certificates
	 * made for it ({@link RedisServer#startWithTls()}).
	 * @return the extension
	 */
	public static RedisServerExtension withTls() {
		return new RedisServerExtension(true);
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.server = this.tls ? RedisServer.startWithTls() : RedisServer.start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		RedisServer running = this.server;
		this.server = null;
		if (running != null) {
			running.close();
		}
	}

	/**
	 * The running server.
	 * @return the server
	 * @throws IllegalStateException outside the tests of the class that registered the
	 * extension
	 */
	public RedisServer server() {
		RedisServer running = this.server;
		if (running == null) {
			throw new IllegalStateException("RedisServerExtension must be a static @RegisterExtension field");
		}
		return running;
	}

}
