package dev.automutex;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * What to lock and how: the keys, how long to wait for them ({@code block}), how long a
 * shared store keeps them if their holder dies ({@code expire}), and whether they are
 * renewed while held. Immutable; every setting not given takes the {@link MutexOperations
 * template's} default. <pre class="code">
 * mutex.lock(MutexRequest.of(order).block(Duration.ofSeconds(5)).expire(Duration.ofMinutes(1)));
 * mutex.lock(MutexRequest.ofAll(List.of(buyer, seller)).block(Duration.ZERO));
 * </pre>
 * <p>
 * Arguments are checked when they are given, so a wrong value fails where it is written.
 *
 * @since 0.1.0
 */
public final class MutexRequest {

	private final @Nullable Object key;

	private final @Nullable List<?> keys;

	private final @Nullable Duration block;

	private final @Nullable Duration expire;

	private final @Nullable Boolean renew;

	private final @Nullable Duration holdAtLeast;

	private MutexRequest(@Nullable Object key, @Nullable List<?> keys, @Nullable Duration block,
			@Nullable Duration expire, @Nullable Boolean renew, @Nullable Duration holdAtLeast) {
		this.key = key;
		this.keys = keys;
		this.block = block;
		this.expire = expire;
		this.renew = renew;
		this.holdAtLeast = holdAtLeast;
	}

	/**
	 * A request for one key.
	 * @param key the key object (see {@link MutexKeyConverter})
	 * @return the request, with the template's defaults
	 * @throws IllegalArgumentException if the key is {@code null}
	 */
	public static MutexRequest of(Object key) {
		Assert.notNull(key, "Mutex key must not be null");
		return new MutexRequest(key, null, null, null, null, null);
	}

	/**
	 * A request for several keys, held all or none (Elixir Mutex's {@code await_all});
	 * they are taken in a fixed order whatever the order given, so callers asking for
	 * overlapping sets never deadlock.
	 * @param keys the keys, each once
	 * @return the request, with the template's defaults
	 * @throws IllegalArgumentException if {@code keys} is {@code null}, empty or has a
	 * {@code null} element
	 */
	public static MutexRequest ofAll(Collection<?> keys) {
		Assert.notNull(keys, "keys must not be null");
		Assert.isTrue(!keys.isEmpty(), "keys must not be empty");
		Assert.noNullElements(keys, "Mutex keys must not contain null");
		return new MutexRequest(null, List.copyOf(keys), null, null, null, null);
	}

	/**
	 * The same request with a wait.
	 * @param block how long to wait for busy keys; {@link Duration#ZERO} means do not
	 * wait
	 * @return a new request
	 * @throws IllegalArgumentException if {@code block} is negative
	 */
	public MutexRequest block(Duration block) {
		Assert.isTrue(block != null && !block.isNegative(), () -> "block must be zero or positive, not " + block);
		return new MutexRequest(this.key, this.keys, block, this.expire, this.renew, this.holdAtLeast);
	}

	/**
	 * The same request with a time-to-live, for stores with leases (ignored by the local
	 * store).
	 * @param expire how long the store keeps the keys if they are never released; at
	 * least 1 ms; longer than about 146 years counts as 146 years
	 * @return a new request
	 * @throws IllegalArgumentException if {@code expire} is shorter than 1 ms
	 */
	public MutexRequest expire(Duration expire) {
		checkExpire(expire, "expire");
		return new MutexRequest(this.key, this.keys, this.block, expire, this.renew, this.holdAtLeast);
	}

	/**
	 * The same request, choosing whether its keys are renewed while held (in stores with
	 * leases).
	 * @param renew whether to renew
	 * @return a new request
	 */
	public MutexRequest renew(boolean renew) {
		return new MutexRequest(this.key, this.keys, this.block, this.expire, renew, this.holdAtLeast);
	}

	/**
	 * The same request, keeping its keys held at least this long after they were taken,
	 * even when they are released sooner (ShedLock's {@code lockAtLeastFor}): a job that
	 * must run once per period across instances whose clocks or schedules differ
	 * slightly. The release returns at once on the local store and the AutoMutex Redis
	 * engine (the key is released later, on a thread of the template); on stores whose
	 * locks are bound to their thread (Spring Integration's registries, JDBC) the
	 * releasing thread waits until then.
	 * @param holdAtLeast the minimum hold, zero or positive
	 * @return a new request
	 */
	public MutexRequest holdAtLeast(Duration holdAtLeast) {
		Assert.isTrue(holdAtLeast != null && !holdAtLeast.isNegative(),
				() -> "holdAtLeast must be zero or positive, not " + holdAtLeast);
		return new MutexRequest(this.key, this.keys, this.block, this.expire, this.renew, holdAtLeast);
	}

	/**
	 * The key objects, as given.
	 * @return one key, or the keys of {@link #ofAll(Collection)}
	 */
	public List<?> getKeys() {
		return (this.keys != null) ? this.keys : List.of(this.key);
	}

	/**
	 * Whether this request holds several keys all or none ({@link #ofAll(Collection)}),
	 * even if it has one.
	 * @return {@code true} for {@link #ofAll(Collection)}
	 */
	public boolean isAll() {
		return this.keys != null;
	}

	/**
	 * The wait, if given.
	 * @return the wait, or {@code null} for the template's default
	 */
	public @Nullable Duration getBlock() {
		return this.block;
	}

	/**
	 * The time-to-live, if given.
	 * @return the time-to-live, or {@code null} for the template's default
	 */
	public @Nullable Duration getExpire() {
		return this.expire;
	}

	/**
	 * Whether the keys are renewed, if given.
	 * @return the setting, or empty for the template's default
	 */
	public Optional<Boolean> getRenew() {
		return Optional.ofNullable(this.renew);
	}

	/**
	 * The minimum hold, if given.
	 * @return the minimum hold, or {@code null} for none
	 */
	public @Nullable Duration getHoldAtLeast() {
		return this.holdAtLeast;
	}

	@Nullable Boolean renewOrNull() {
		return this.renew;
	}

	@Nullable Object singleKey() {
		return this.key;
	}

	static void checkExpire(@Nullable Duration expire, String name) {
		Assert.isTrue(expire != null && expire.compareTo(Duration.ofMillis(1)) >= 0,
				() -> name + " must be at least 1ms (stores count time-to-live in milliseconds), not " + expire);
	}

	@Override
	public String toString() {
		return "MutexRequest[keys=" + getKeys() + ", block=" + this.block + ", expire=" + this.expire + ", renew="
				+ this.renew + ((this.holdAtLeast != null) ? ", holdAtLeast=" + this.holdAtLeast : "") + "]";
	}

}
