package dev.automutex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.Assert;

/**
 * The engine of AutoMutex: implementation of {@link MutexOperations} over a {@link MutexStore}. Usable on its
 * own, without Spring AOP; {@code @AutoMutex} calls it.
 * <pre class="code">
 * MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
 * mutex.withLock("report:2026-11", () -&gt; render());
 * </pre>
 * Keys are converted to text by a {@link MutexKeyConverter} ({@link DefaultMutexKeyConverter} unless set).
 * Defaults: {@code block} 1 second and {@code expire} the store's own, until set.
 * <p>
 * Thread-safe once configured.
 *
 * @since 0.1.0
 */
public class MutexTemplate implements MutexOperations, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(MutexTemplate.class);

	private static final Duration MAX_BLOCK = Duration.ofDays(3650);


	private static final int PENDING = 0;

	private static final int STARTED = 1;

	private static final int ABANDONED = 2;

	private final MutexStore store;

	private final MutexRenewals renewals;

	private final HeldLocks heldLocks;

	private boolean renew = true;

	private final Map<String, LossCallbacks> lossCallbacks = new ConcurrentHashMap<>();

	private Consumer<MutexLostException> lossListener = (ex) -> {
	};

	private MutexKeyConverter keyConverter = new DefaultMutexKeyConverter();

	private Duration defaultBlock = Duration.ofSeconds(1);

	private @Nullable Duration defaultExpire;

	private Duration handoverTimeout = Duration.ofSeconds(5);

	/**
	 * Create a template over a store.
	 * @param store where keys are held
	 */
	public MutexTemplate(MutexStore store) {
		Assert.notNull(store, "MutexStore must not be null");
		this.store = store;
		this.renewals = new MutexRenewals(store, this::lost);
		this.heldLocks = new HeldLocks(this::startRenewal, this::lastRelease);
	}

	/**
	 * Create a template over any Spring Integration lock registry.
	 * @param registry the registry
	 */
	public MutexTemplate(LockRegistry<?> registry) {
		this(new LockRegistryMutexStore(registry));
	}

	/**
	 * Set how key objects become key text.
	 * @param keyConverter the converter
	 */
	public void setKeyConverter(MutexKeyConverter keyConverter) {
		Assert.notNull(keyConverter, "MutexKeyConverter must not be null");
		this.keyConverter = keyConverter;
	}

	/**
	 * Set how long the methods without a {@code block} argument wait for a busy key.
	 * @param defaultBlock the wait; {@link Duration#ZERO} means do not wait
	 */
	public void setDefaultBlock(Duration defaultBlock) {
		Assert.isTrue(defaultBlock != null && !defaultBlock.isNegative(), "defaultBlock must not be negative");
		this.defaultBlock = defaultBlock;
	}

	/**
	 * Set the time-to-live of held keys when no {@code expire} is given, or {@code null} for the store's own.
	 * @param defaultExpire the time-to-live; must be positive
	 */
	public void setDefaultExpire(@Nullable Duration defaultExpire) {
		Assert.isTrue(defaultExpire == null || (!defaultExpire.isNegative() && !defaultExpire.isZero()),
				"defaultExpire must be positive");
		this.defaultExpire = defaultExpire;
	}

	/**
	 * Set how long {@link #withLockAsync} waits for its executor to start the work before giving up on it (the
	 * work then never runs). Default 5 seconds.
	 * @param handoverTimeout the wait; must be positive
	 */
	public void setHandoverTimeout(Duration handoverTimeout) {
		Assert.isTrue(handoverTimeout != null && !handoverTimeout.isNegative() && !handoverTimeout.isZero(),
				"handoverTimeout must be positive");
		this.handoverTimeout = handoverTimeout;
	}

	/**
	 * Set whether keys held in a store with expiry (Redis) are renewed while held, so that work longer than
	 * {@code expire} keeps its key. Default {@code true}: {@code expire} then only bounds how long the key of a
	 * crashed holder stays taken. With {@code false}, a key expires after {@code expire} even while its holder
	 * still works, and another caller can take it.
	 * @param renew whether to renew
	 */
	public void setRenew(boolean renew) {
		this.renew = renew;
	}

	/**
	 * Whether held keys are renewed.
	 * @return the setting
	 */
	public boolean isRenew() {
		return this.renew;
	}

	/**
	 * How many held keys are being renewed now (one per key, whatever its re-entrant holds).
	 * @return the number of renewal tasks
	 */
	public int renewalCount() {
		return this.renewals.size();
	}

	/**
	 * Stop renewing and release the renewal thread. Held keys then expire after their time-to-live.
	 */
	@Override
	public void destroy() {
		this.renewals.shutdown();
	}

	/**
	 * Set who is told when renewal finds that the store no longer holds a key for its holder (besides the
	 * callbacks registered with {@link MutexLock#onLost(Runnable)}). Called on the renewal thread. The Spring
	 * Boot starter publishes a {@link MutexLostEvent}.
	 * @param lossListener the listener
	 */
	public void setLossListener(Consumer<MutexLostException> lossListener) {
		Assert.notNull(lossListener, "lossListener must not be null");
		this.lossListener = lossListener;
	}

	void onLost(String key, Thread holder, Runnable callback) {
		this.lossCallbacks
			.compute(key, (k, registered) -> (registered != null && registered.holder() == holder) ? registered
					: new LossCallbacks(holder, new CopyOnWriteArrayList<>()))
			.callbacks()
			.add(callback);
	}

	/** The loss callbacks of the current holder of one key. */
	private record LossCallbacks(Thread holder, List<Runnable> callbacks) {
	}

	private void released(DefaultMutexLock lock, boolean stillHeld) {
		this.heldLocks.untrack(lock);
		if (!stillHeld) {
			this.lossListener.accept(new MutexLostException(lock.keys(), "Mutex " + lock.keys()
					+ " was lost before it was released: the store no longer held it for this instance"));
		}
	}

	private void lastRelease(String key, Thread holder) {
		this.renewals.stop(key, holder);
		this.lossCallbacks.computeIfPresent(key, (k, registered) -> (registered.holder() == holder) ? null : registered);
	}

	private void lost(String key, Thread holder) {
		LossCallbacks registered = this.lossCallbacks.get(key);
		if (registered != null && registered.holder() == holder && this.lossCallbacks.remove(key, registered)) {
			for (Runnable callback : registered.callbacks()) {
				try {
					callback.run();
				}
				catch (RuntimeException ex) {
					logger.warn("A callback for the loss of mutex '{}' failed", key, ex);
				}
			}
		}
		this.lossListener.accept(new MutexLostException(List.of(key), "Mutex '" + key
				+ "' was lost while held: the store no longer holds it for this instance"));
	}

	private void startRenewal(String key, DefaultMutexLock lock) {
		if (!lock.renew() || !this.store.expires()) {
			return;
		}
		Duration ttl = (lock.expire() != null) ? lock.expire() : this.store.defaultExpire();
		if (ttl != null) {
			this.renewals.start(key, lock.owner(), ttl);
		}
	}

	/**
	 * The store this template locks in.
	 * @return the store
	 */
	public MutexStore getStore() {
		return this.store;
	}

	/**
	 * The key converter.
	 * @return the converter
	 */
	public MutexKeyConverter getKeyConverter() {
		return this.keyConverter;
	}

	/**
	 * The wait used when none is given.
	 * @return the default block
	 */
	public Duration getDefaultBlock() {
		return this.defaultBlock;
	}

	/**
	 * The time-to-live used when none is given.
	 * @return the default expire, or {@code null} for the store's own
	 */
	public @Nullable Duration getDefaultExpire() {
		return this.defaultExpire;
	}

	@Override
	public <T extends @Nullable Object> T withLock(Object key, Supplier<T> action) {
		return withLock(key, this.defaultBlock, action);
	}

	@Override
	public <T extends @Nullable Object> T withLock(Object key, Duration block, Supplier<T> action) {
		Assert.notNull(action, "action must not be null");
		try (MutexLock lock = lock(key, block)) {
			return action.get();
		}
	}

	@Override
	public void withLock(Object key, Runnable action) {
		withLock(key, this.defaultBlock, action);
	}

	@Override
	public void withLock(Object key, Duration block, Runnable action) {
		Assert.notNull(action, "action must not be null");
		try (MutexLock lock = lock(key, block)) {
			action.run();
		}
	}

	@Override
	public Optional<MutexLock> tryLock(Object key) {
		return Optional.ofNullable(acquire(List.of(toKey(key)), Duration.ZERO, this.defaultExpire, false, this.renew));
	}

	@Override
	public MutexLock lock(Object key) {
		return lock(key, this.defaultBlock);
	}

	@Override
	public MutexLock lock(Object key, Duration block) {
		return lock(key, block, this.defaultExpire);
	}

	@Override
	public MutexLock lock(Object key, @Nullable Duration block, @Nullable Duration expire) {
		return lock(key, block, expire, null);
	}

	@Override
	public MutexLock lock(Object key, @Nullable Duration block, @Nullable Duration expire, @Nullable Boolean renew) {
		return lockKeys(List.of(toKey(key)), block, expire, renew);
	}

	private MutexLock lockKeys(List<String> keys, @Nullable Duration block, @Nullable Duration expire,
			@Nullable Boolean renew) {
		if (block == null) {
			block = this.defaultBlock;
		}
		Assert.isTrue(!block.isNegative(), "block must not be negative");
		Assert.isTrue(expire == null || (!expire.isNegative() && !expire.isZero()), "expire must be positive");
		MutexLock lock = acquire(keys, block, (expire != null) ? expire : this.defaultExpire, true,
				(renew != null) ? renew : this.renew);
		Assert.state(lock != null, "acquire returns a lock or throws");
		return lock;
	}

	@Override
	public MutexLock lockAll(Collection<?> keys) {
		return lockAll(keys, this.defaultBlock, null);
	}

	@Override
	public MutexLock lockAll(Collection<?> keys, Duration block) {
		return lockAll(keys, block, null);
	}

	@Override
	public MutexLock lockAll(Collection<?> keys, @Nullable Duration block, @Nullable Duration expire) {
		return lockAll(keys, block, expire, null);
	}

	@Override
	public MutexLock lockAll(Collection<?> keys, @Nullable Duration block, @Nullable Duration expire,
			@Nullable Boolean renew) {
		return lockKeys(toKeys(keys), block, expire, renew);
	}

	@Override
	public <T extends @Nullable Object> T withLockAll(Collection<?> keys, Supplier<T> action) {
		return withLockAll(keys, this.defaultBlock, action);
	}

	@Override
	public <T extends @Nullable Object> T withLockAll(Collection<?> keys, Duration block, Supplier<T> action) {
		Assert.notNull(action, "action must not be null");
		try (MutexLock lock = lockAll(keys, block)) {
			return action.get();
		}
	}

	@Override
	public void withLockAll(Collection<?> keys, Runnable action) {
		withLockAll(keys, this.defaultBlock, action);
	}

	@Override
	public void withLockAll(Collection<?> keys, Duration block, Runnable action) {
		Assert.notNull(action, "action must not be null");
		try (MutexLock lock = lockAll(keys, block)) {
			action.run();
		}
	}

	@Override
	public <T extends @Nullable Object> CompletableFuture<T> withLockAsync(Object key, Executor executor,
			Supplier<T> action) {
		return withLockAsync(key, Duration.ZERO, executor, action);
	}

	@Override
	public <T extends @Nullable Object> CompletableFuture<T> withLockAsync(Object key, Duration block,
			Executor executor, Supplier<T> action) {
		Assert.notNull(executor, "executor must not be null");
		Assert.notNull(action, "action must not be null");
		MutexKey text = new MutexKey(toKey(key));
		CompletableFuture<Void> acquired = new CompletableFuture<>();
		CompletableFuture<T> result = new CompletableFuture<>();
		// Whoever moves it first decides: the worker (STARTED) runs the work; the caller (ABANDONED), once it
		// stops waiting, makes a late worker skip it.
		AtomicInteger state = new AtomicInteger(PENDING);
		executor.execute(() -> {
			if (!state.compareAndSet(PENDING, STARTED)) {
				result.cancel(false);
				return;
			}
			MutexLock lock;
			try {
				lock = lock(text, block, null);
			}
			catch (Throwable ex) {
				acquired.completeExceptionally(ex);
				return;
			}
			acquired.complete(null);
			T value = null;
			Throwable failure = null;
			try {
				value = action.get();
			}
			catch (Throwable ex) {
				failure = ex;
			}
			finally {
				lock.release();
			}
			// Completed after the release, so that whoever continues from the result finds the key free.
			if (failure != null) {
				result.completeExceptionally(failure);
			}
			else {
				result.complete(value);
			}
		});
		awaitStart(acquired, state, text.text(), this.handoverTimeout);
		return result;
	}

	private static void awaitStart(CompletableFuture<Void> acquired, AtomicInteger state, String key,
			Duration startTimeout) {
		long start = System.nanoTime();
		try {
			try {
				acquired.get(startTimeout.toNanos(), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				if (state.compareAndSet(PENDING, ABANDONED)) {
					Duration waited = Duration.ofNanos(System.nanoTime() - start);
					throw new MutexLockException(List.of(key), waited, "Could not hand mutex '" + key
							+ "' to another thread: the executor did not start the work within "
							+ startTimeout.toMillis() + " ms; the work will not run", ex);
				}
				// The worker started just now: its answer comes within the block time.
				acquired.get();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			boolean stopped = state.compareAndSet(PENDING, ABANDONED);
			throw new MutexException("Interrupted while handing mutex '" + key + "' to another thread; the work "
					+ (stopped ? "will not run" : "may still run there"), ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new MutexException("Could not hand mutex '" + key + "' to another thread", cause);
		}
	}

	@Override
	public void releaseAll() {
		this.heldLocks.releaseAll();
	}

	@Override
	public boolean awaitRelease(Object key, Duration timeout) {
		Assert.isTrue(timeout != null && !timeout.isNegative(), "timeout must not be negative");
		String text = toKey(key);
		try {
			return this.store.awaitRelease(text, timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new MutexException("Interrupted while waiting for mutex '" + text + "' to be released", ex);
		}
	}

	@Override
	public Optional<MutexHolder> holder(Object key) {
		String text = toKey(key);
		if (!this.store.isLocked(text)) {
			return Optional.empty();
		}
		HeldLocks.Hold mine = this.heldLocks.hold(text);
		if (mine != null) {
			return Optional.of(new MutexHolder(text, true, mine.thread().getName(), mine.since(),
					this.store.leaseLeft(text)));
		}
		return Optional.of(new MutexHolder(text, false, null, null, this.store.leaseLeft(text)));
	}

	@Override
	public int sweep() {
		this.heldLocks.forgetDeadThreads();
		return this.store.sweep();
	}

	@Override
	public boolean isLocked(Object key) {
		return this.store.isLocked(toKey(key));
	}

	/**
	 * Convert a key object to the text the store locks on: a {@link MutexKey} as it is, anything else through
	 * the {@link MutexKeyConverter}.
	 * @param key the key object
	 * @return the key text
	 * @throws IllegalArgumentException if the key is {@code null} or cannot serve as a key
	 */
	public String toKey(Object key) {
		if (key == null) {
			throw new IllegalArgumentException("Mutex key must not be null");
		}
		if (key instanceof MutexKey text) {
			return text.text();
		}
		return this.keyConverter.toKey(key);
	}

	/**
	 * Take every key or none. Several keys are taken in sorted order, so that callers asking for overlapping
	 * sets in any order cannot deadlock; the block time covers them all.
	 * @param keys the key texts, in the caller's order, without duplicates
	 * @param failIfBusy whether a busy key throws {@link MutexLockException} (else: return {@code null})
	 */
	private @Nullable MutexLock acquire(List<String> keys, Duration block, @Nullable Duration expire,
			boolean failIfBusy, boolean renew) {
		List<String> order = keys;
		if (keys.size() > 1) {
			order = new ArrayList<>(keys);
			Collections.sort(order);
		}
		long start = System.nanoTime();
		// Waits beyond ten years are as good as forever, and keep the nanosecond arithmetic from overflowing.
		long deadline = start + ((block.compareTo(MAX_BLOCK) > 0) ? MAX_BLOCK : block).toNanos();
		List<MutexStore.Held> held = new ArrayList<>(order.size());
		String busy = null;
		try {
			for (String key : order) {
				MutexStore.Held acquired = this.store.tryAcquire(key, remaining(block, deadline), expire);
				if (acquired == null) {
					busy = key;
					break;
				}
				held.add(acquired);
			}
		}
		catch (InterruptedException ex) {
			releaseQuietly(held);
			Thread.currentThread().interrupt();
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			throw new MutexLockException(keys, waited, "Interrupted while waiting for " + describe(keys) + " after "
					+ waited.toMillis() + " ms (block " + block.toMillis() + " ms)", ex);
		}
		catch (IllegalArgumentException ex) {
			releaseQuietly(held);
			throw ex;
		}
		catch (RuntimeException ex) {
			releaseQuietly(held);
			throw new MutexException("Could not acquire " + describe(keys) + ": the store failed (" + ex.getMessage()
					+ "); no key is held", ex);
		}
		if (busy != null) {
			releaseQuietly(held);
			if (!failIfBusy) {
				return null;
			}
			throw MutexLockException.busy(keys, busy, block, Duration.ofNanos(System.nanoTime() - start));
		}
		DefaultMutexLock lock = new DefaultMutexLock(keys, order, held, Thread.currentThread(), this::released,
				expire, renew, this::onLost);
		this.heldLocks.track(lock);
		return lock;
	}

	/**
	 * What is left of the wait, rounded up to whole milliseconds: registries that count in milliseconds
	 * (RedisLockRegistry) would otherwise truncate it and give up before the caller's block time has passed.
	 */
	private static Duration remaining(Duration block, long deadline) {
		if (block.isZero()) {
			return Duration.ZERO;
		}
		long nanos = Math.max(0, deadline - System.nanoTime());
		return Duration.ofMillis((nanos + 999_999) / 1_000_000);
	}

	private static void releaseQuietly(List<MutexStore.Held> held) {
		for (int i = held.size() - 1; i >= 0; i--) {
			held.get(i).release();
		}
	}

	private static String describe(List<String> keys) {
		return (keys.size() == 1) ? "mutex '" + keys.get(0) + "'" : "mutexes " + keys;
	}

	private List<String> toKeys(Collection<?> keys) {
		Assert.notNull(keys, "keys must not be null");
		Assert.isTrue(!keys.isEmpty(), "keys must not be empty");
		List<String> texts = new ArrayList<>(keys.size());
		Set<String> seen = new HashSet<>();
		for (Object key : keys) {
			String text = toKey(key);
			if (!seen.add(text)) {
				throw new IllegalArgumentException("Mutex key '" + text + "' appears more than once in " + keys
						+ "; a thread cannot wait for a key it is taking itself. Pass each key once.");
			}
			texts.add(text);
		}
		return texts;
	}

	@Override
	public String toString() {
		return "MutexTemplate[store=" + this.store + ", block=" + this.defaultBlock + ", expire="
				+ ((this.defaultExpire != null) ? this.defaultExpire : "store default") + "]";
	}

}
