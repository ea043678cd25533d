package dev.automutex.store;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.SubscriptionListener;

/**
 * Receives this instance's wake-ups and grants, on the thread the Redis client delivers
 * them on (which must not wait for Redis: {@link RedisLeases#woken(byte[])} does not).
 */
final class RedisWakeListener implements MessageListener, SubscriptionListener {

	private final RedisLeases engine;

	RedisWakeListener(RedisLeases engine) {
		this.engine = engine;
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		this.engine.woken(message.getBody());
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		this.engine.subscribed();
	}

}
