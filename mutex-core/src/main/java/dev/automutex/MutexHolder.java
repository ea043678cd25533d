package dev.automutex;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Who holds a key, as far as the asking instance can tell: returned by
 * {@link MutexOperations#holder(Object)} (Elixir Mutex's {@code whereis}, redis-mutex's
 * {@code locked?}). A snapshot: it may be stale as soon as it is returned.
 *
 * @param key the key text
 * @param thisInstance whether this instance (this {@code MutexTemplate}) holds it;
 * {@code false} means another instance sharing the store, or another template in this JVM
 * @param thread the name of the holding thread, when this instance holds it
 * @param since when the current holder acquired it, when this instance holds it
 * @param leaseLeft how long the store keeps the key if it is never released, for stores
 * with expiry (Redis); {@code null} for stores that keep a key until it is released
 * @since 0.1.0
 */
public record MutexHolder(String key, boolean thisInstance, @Nullable String thread, @Nullable Instant since,
		@Nullable Duration leaseLeft) {

}
