package dev.automutex.autoconfigure.actuate;

import dev.automutex.store.JdbcMutexStore;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import org.jspecify.annotations.Nullable;

/**
 * What backs an application's locks, for the endpoint and the health indicator: a short
 * kind ({@code local}, {@code redis}, {@code jdbc}, or the class of an application's own
 * registry or store) and, for the stores AutoMutex configures, their description (Redis's
 * address and key prefix, never a password).
 *
 * @param kind {@code local}, {@code redis}, {@code jdbc}, or a class's simple name
 * @param engine the Redis engine ({@code automutex} or {@code spring-integration}), else
 * {@code null}
 * @param details the store's own description, for AutoMutex's stores; else {@code null}
 */
record MutexStoreDescription(String kind, @Nullable String engine, @Nullable String details) {

	static MutexStoreDescription of(MutexStore store) {
		if (store instanceof LocalMutexStore) {
			return new MutexStoreDescription("local", null, store.toString());
		}
		if (store instanceof RedisLeaseMutexStore) {
			return new MutexStoreDescription("redis", "automutex", store.toString());
		}
		if (store instanceof RedisMutexStore) {
			return new MutexStoreDescription("redis", "spring-integration", store.toString());
		}
		if (store instanceof JdbcMutexStore) {
			return new MutexStoreDescription("jdbc", null, store.toString());
		}
		if (store instanceof LockRegistryMutexStore registry) {
			return new MutexStoreDescription(registry.getRegistry().getClass().getSimpleName(), null, null);
		}
		return new MutexStoreDescription(store.getClass().getSimpleName(), null, null);
	}

	boolean isRedis() {
		return "redis".equals(this.kind);
	}

}
