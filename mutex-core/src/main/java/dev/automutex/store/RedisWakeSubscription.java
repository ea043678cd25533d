package dev.automutex.store;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The wake-up subscription of one {@link RedisLeaseLockRegistry}: a listener container on
 * the instance's own channel ({@link RedisWakeListener}), the wake thread that runs the
 * round trips wake-ups need, and the subscription thread a blocking client (Jedis) keeps.
 * Started when created; if Redis cannot be reached yet, the container subscribes again by
 * itself and waiters poll meanwhile.
 */
final class RedisWakeSubscription {

	private static final Logger logger = LoggerFactory.getLogger(RedisLeaseLockRegistry.class);

	private final RedisMessageListenerContainer container;

	private final ExecutorService wakeThread;

	private final ExecutorService subscriptionThread;

	RedisWakeSubscription(RedisConnectionFactory connectionFactory, RedisLeases engine, String channel,
			String address) {
		String instanceId = engine.instanceId;
		this.wakeThread = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "automutex-redis-wake-" + instanceId);
			thread.setDaemon(true);
			return thread;
		});
		this.container = new RedisMessageListenerContainer();
		this.container.setConnectionFactory(connectionFactory);
		// Messages are handled where they arrive (a grant only hands a lease to a
		// waiting thread); the round trips they need run on the wake thread.
		this.container.setTaskExecutor(Runnable::run);
		engine.wakeUps.setRedisTasks(this.wakeThread);
		// A blocking client (Jedis) keeps its subscription thread: not the wake thread.
		this.subscriptionThread = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "automutex-redis-subscription-" + instanceId);
			thread.setDaemon(true);
			return thread;
		});
		this.container.setSubscriptionExecutor(this.subscriptionThread);
		this.container.setBeanName("automutex-redis-wake-" + instanceId);
		this.container.addMessageListener(new RedisWakeListener(engine), new ChannelTopic(channel));
		this.container.afterPropertiesSet();
		try {
			this.container.start();
		}
		catch (RuntimeException ex) {
			logger.warn("AutoMutex could not subscribe to its wake-ups on Redis at {} yet ({}); waiters poll "
					+ "until it can", address, ex.toString());
		}
	}

	void start() {
		if (!this.container.isRunning()) {
			this.container.start();
		}
	}

	void stop() {
		this.container.stop();
	}

	boolean isRunning() {
		return this.container.isRunning();
	}

	/**
	 * Stop the subscription and its threads.
	 * @throws Exception if the container could not be destroyed
	 */
	void destroy() throws Exception {
		try {
			this.container.destroy();
		}
		finally {
			this.subscriptionThread.shutdownNow();
			this.wakeThread.shutdownNow();
			this.wakeThread.awaitTermination(5, TimeUnit.SECONDS);
		}
	}

}
