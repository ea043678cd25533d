package dev.automutex.leader;

import java.util.concurrent.CountDownLatch;

/**
 * A separate JVM running one instance of {@link LeaderApplication} on the AutoMutex Redis
 * engine until it is killed: the leader that crashes in {@code LeaderElectionTests}. It
 * says {@code LEADER} when it is granted leadership. Its locks are not renewed
 * ({@code mutex.renew=false}): the leader's key is, all the same. Arguments: the Redis
 * port and {@code mutex.expire}.
 */
public final class LeaderProcess {

	private LeaderProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		LeaderApplication.start("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + args[0],
				"mutex.expire=" + args[1], "mutex.renew=false", "logging.level.root=warn");
		// An instance that never ends by itself: the parent kills it.
		new CountDownLatch(1).await();
	}

}
