package dev.automutex.store;

import java.lang.reflect.Method;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.util.ReflectionUtils;

/**
 * Where a {@link RedisConnectionFactory} connects, for error messages: host and port, the
 * Sentinel master and sentinels, or the cluster's nodes; never a password. Read through
 * the methods that Lettuce's and Jedis' factories share, so that neither client has to be
 * on the classpath.
 *
 * @since 0.1.0
 */
public final class RedisAddress {

	private RedisAddress() {
	}

	/**
	 * Describe where a connection factory connects.
	 * @param factory the connection factory
	 * @return such as {@code 127.0.0.1:6379}, {@code master 'm' of sentinels [h:26379]}
	 * or {@code cluster [h:7000, h:7001]}; the factory's class name when it is of an
	 * unknown kind
	 */
	public static String of(RedisConnectionFactory factory) {
		try {
			if (isCluster(factory)) {
				Object configuration = invoke(factory, "getClusterConfiguration");
				if (configuration instanceof RedisClusterConfiguration cluster) {
					return "cluster " + nodes(cluster.getClusterNodes());
				}
				return "a cluster";
			}
			if (Boolean.TRUE.equals(invoke(factory, "isRedisSentinelAware"))
					&& invoke(factory, "getSentinelConfiguration") instanceof RedisSentinelConfiguration sentinel) {
				String master = (sentinel.getMaster() != null) ? sentinel.getMaster().getName() : "?";
				return "master '" + master + "' of sentinels " + nodes(sentinel.getSentinels());
			}
			Object host = invoke(factory, "getHostName");
			Object port = invoke(factory, "getPort");
			if (host != null && port != null) {
				String address = (host.toString().indexOf(':') >= 0) ? "[" + host + "]" : host.toString();
				return address + ":" + port;
			}
		}
		catch (RuntimeException ex) {
			// fall through: a factory of some other kind
		}
		return factory.getClass().getSimpleName();
	}

	static boolean isCluster(RedisConnectionFactory factory) {
		return Boolean.TRUE.equals(invoke(factory, "isClusterAware"))
				|| Boolean.TRUE.equals(invoke(factory, "isRedisClusterAware"));
	}

	private static String nodes(Iterable<RedisNode> nodes) {
		return StreamSupport.stream(nodes.spliterator(), false)
			.map(RedisNode::asString)
			.collect(Collectors.joining(", ", "[", "]"));
	}

	private static @Nullable Object invoke(Object target, String name) {
		Method method = ReflectionUtils.findMethod(target.getClass(), name);
		if (method == null || method.getParameterCount() != 0) {
			return null;
		}
		return ReflectionUtils.invokeMethod(method, target);
	}

}
