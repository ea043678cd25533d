package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;

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
public class MutexTemplate implements MutexOperations {

	private final MutexStore store;

	private MutexKeyConverter keyConverter = new DefaultMutexKeyConverter();

	private Duration defaultBlock = Duration.ofSeconds(1);

	private @Nullable Duration defaultExpire;

	/**
	 * Create a template over a store.
	 * @param store where keys are held
	 */
	public MutexTemplate(MutexStore store) {
		Assert.notNull(store, "MutexStore must not be null");
		this.store = store;
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
		String text = toKey(key);
		return Optional.ofNullable(acquire(text, Duration.ZERO, this.defaultExpire));
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
		if (block == null) {
			block = this.defaultBlock;
		}
		Assert.isTrue(!block.isNegative(), "block must not be negative");
		Assert.isTrue(expire == null || (!expire.isNegative() && !expire.isZero()), "expire must be positive");
		String text = toKey(key);
		long start = System.nanoTime();
		MutexLock lock = acquire(text, block, (expire != null) ? expire : this.defaultExpire);
		if (lock == null) {
			throw MutexLockException.busy(text, block, Duration.ofNanos(System.nanoTime() - start));
		}
		return lock;
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

	private @Nullable MutexLock acquire(String key, Duration block, @Nullable Duration expire) {
		long start = System.nanoTime();
		MutexStore.Held held;
		try {
			held = this.store.tryAcquire(key, block, expire);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			throw new MutexLockException(List.of(key), waited, "Interrupted while waiting for mutex '" + key
					+ "' after " + waited.toMillis() + " ms (block " + block.toMillis() + " ms)", ex);
		}
		catch (IllegalArgumentException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw new MutexException("Could not acquire mutex '" + key + "': the store failed (" + ex.getMessage()
					+ "); the key is not held", ex);
		}
		return (held != null) ? new DefaultMutexLock(List.of(key), held, Thread.currentThread()) : null;
	}

	@Override
	public String toString() {
		return "MutexTemplate[store=" + this.store + ", block=" + this.defaultBlock + ", expire="
				+ ((this.defaultExpire != null) ? this.defaultExpire : "store default") + "]";
	}

}
