package dev.automutex.store;

import java.time.Duration;
import java.util.List;

import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A separate JVM that waits for a key on AutoMutex's Redis engine until it is killed: the
 * crashed waiter of {@link RedisLeaseDeadWaiterTests}. Arguments: {@code cluster
 * host:port,host:port,...} or {@code standalone port}, then the key.
 */
public final class WaitForKeyProcess {

	private WaitForKeyProcess() {
	}

	public static void main(String[] args) throws Exception {
		LettuceConnectionFactory connection = args[0].equals("cluster")
				? new LettuceConnectionFactory(new RedisClusterConfiguration(List.of(args[1].split(","))))
				: new LettuceConnectionFactory(
						new RedisStandaloneConfiguration("127.0.0.1", Integer.parseInt(args[1])));
		connection.afterPropertiesSet();
		connection.start();
		MutexTemplate mutex = new MutexTemplate(new RedisLeaseMutexStore(connection, "mutex", Duration.ofSeconds(30)));
		System.out.println("WAITING");
		System.out.flush();
		// Queues this instance for the key in Redis, then waits: the parent kills it.
		mutex.tryLock(MutexRequest.of(args[2]).block(Duration.ofMinutes(5)));
	}

}
