package dev.automutex.test;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that starts a {@link RedisClusterServer} before the tests of a class
 * and stops it after them. Register it in a static field: <pre class="code">
 * &#64;RegisterExtension
 * static final RedisClusterExtension redisCluster = new RedisClusterExtension();
 * </pre>
 *
 * @since 0.1.0
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback {

	private @Nullable RedisClusterServer cluster;

	@Override
	public void beforeAll(ExtensionContext context) {
		this.cluster = RedisClusterServer.start();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		RedisClusterServer running = this.cluster;
		this.cluster = null;
		if (running != null) {
			running.close();
		}
	}

	/**
	 * The running cluster.
	 * @return the cluster
	 * @throws IllegalStateException outside the tests of the class that registered the
	 * extension
	 */
	public RedisClusterServer cluster() {
		RedisClusterServer running = this.cluster;
		if (running == null) {
			throw new IllegalStateException("RedisClusterExtension must be a static @RegisterExtension field");
		}
		return running;
	}

}
