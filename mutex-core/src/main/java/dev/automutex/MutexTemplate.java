package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.Assert;

/**
 * The engine of AutoMutex: implementation of {@link MutexOperations} over a
 * {@link MutexStore}. Usable on its own, without Spring AOP; {@code @AutoMutex} calls it.
 * <pre class="code">
 * MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
 * mutex.withLock("report:2026-11", () -&gt; render());
 * </pre>
 * <p>
 * A facade over a few parts, each with one job: an {@code Acquirer} takes keys (several
 * in sorted order, all or none, within one deadline) and counts nested holds in the one
 * record each held key has; a {@code LeaseRenewal} renews leases in stores with leases; a
 * {@code LossReporter} tells holders and the loss listener of lost keys, off the renewal
 * path; a {@code Handover} runs {@link #withLockAsync}; a {@code MutexInspector} answers
 * who holds a key and sweeps.
 * <p>
 * Keys are converted to text by a {@link MutexKeyConverter}
 * ({@link DefaultMutexKeyConverter} unless set). Defaults: {@code block} 1 second,
 * {@code expire} the store's own, renewal on, until set. Thread-safe once configured.
 *
 * @since 0.1.0
 */
public class MutexTemplate implements MutexOperations, DisposableBean {

	private final MutexStore store;

	private final HeldKeys holds = new HeldKeys();

	private final LossReporter losses = new LossReporter();

	private final Acquirer acquirer;

	private final MutexInspector inspector;

	private MutexKeyConverter keyConverter = new DefaultMutexKeyConverter();

	private Duration defaultBlock = Duration.ofSeconds(1);

	private @Nullable Duration defaultExpire;

	private boolean renew = true;

	private Duration handoverTimeout = Duration.ofSeconds(5);

	private volatile boolean destroyed;

	/**
	 * Create a template over a store.
	 * @param store where keys are held
	 */
	public MutexTemplate(MutexStore store) {
		Assert.notNull(store, "MutexStore must not be null");
		this.store = store;
		this.acquirer = new Acquirer(store, this.holds, this.losses, this::toKey);
		this.inspector = new MutexInspector(store, this.holds, this.acquirer, this.losses);
	}

	/**
	 * Create a template over any Spring Integration lock registry (see
	 * {@link LockRegistryMutexStore#of}).
	 * @param registry the registry
	 */
	public MutexTemplate(LockRegistry<?> registry) {
		this(LockRegistryMutexStore.of(registry));
	}

	/**
	 * The locks the calling thread holds now through any {@code MutexTemplate}, oldest
	 * first (acquired and not yet released, lost or not): what {@link #releaseAll()}
	 * releases and what the transaction guard checks.
	 * @return a snapshot; empty if the thread holds none
	 */
	public static List<MutexLock> locksOfCurrentThread() {
		return ThreadLocks.ofCurrentThread();
	}

	@Override
	public MutexLock lock(MutexRequest request) {
		DefaultMutexLock lock = acquire(request, true);
		Assert.state(lock != null, "acquire returns a lock or throws");
		return lock;
	}

	@Override
	public Optional<MutexLock> tryLock(MutexRequest request) {
		return Optional.ofNullable(acquire(request, false));
	}

	private @Nullable DefaultMutexLock acquire(MutexRequest request, boolean failIfBusy) {
		Assert.notNull(request, "request must not be null");
		Assert.state(!this.destroyed,
				"This MutexTemplate has been destroyed (its application is shutting down); " + "it takes no new locks");
		Object single = request.singleKey();
		List<String> keys = (single != null) ? List.of(toKey(single))
				: KeyTexts.ofAll(request.getKeys(), this.keyConverter);
		Duration block = (request.getBlock() != null) ? request.getBlock()
				: (failIfBusy ? this.defaultBlock : Duration.ZERO);
		Duration expire = (request.getExpire() != null) ? request.getExpire() : this.defaultExpire;
		Boolean askedRenew = request.renewOrNull();
		boolean renew = (askedRenew != null) ? askedRenew : this.renew;
		DefaultMutexLock lock = this.acquirer.acquire(keys, block, expire, renew, failIfBusy);
		Duration holdAtLeast = request.getHoldAtLeast();
		if (lock != null && holdAtLeast != null && !holdAtLeast.isZero()) {
			lock.holdAtLeast(holdAtLeast);
		}
		return lock;
	}

	@Override
	public <T extends @Nullable Object> CompletableFuture<T> withLockAsync(MutexRequest request, Executor executor,
			Supplier<T> action) {
		Assert.notNull(request, "request must not be null");
		Assert.notNull(executor, "executor must not be null");
		Assert.notNull(action, "action must not be null");
		// Converted here, once: the worker locks on the text.
		List<String> keys = (request.singleKey() != null) ? List.of(toKey(request.singleKey()))
				: KeyTexts.ofAll(request.getKeys(), this.keyConverter);
		MutexRequest workerRequest = Handover.workerRequest(request, keys);
		return Handover.run(() -> lock(workerRequest), keys, executor, this.handoverTimeout, action);
	}

	@Override
	public void releaseAll() {
		ThreadLocks.releaseAll(this.acquirer);
	}

	/**
	 * Observe acquisitions ({@code mutex.acquire}) and holds ({@code mutex.held}) through
	 * Micrometer's Observation API, for metrics and traces; tags and outcomes are those
	 * of {@code MutexObservations}. The Spring Boot starter sets the application's
	 * registry; by default ({@link ObservationRegistry#NOOP}) nothing is observed.
	 * @param registry the registry
	 */
	public void setObservationRegistry(ObservationRegistry registry) {
		Assert.notNull(registry, "ObservationRegistry must not be null");
		this.acquirer.observations().setRegistry(registry);
	}

	/**
	 * How many keys this template holds now (the {@code mutex.active} gauge).
	 * @return the number of keys held through this template
	 */
	public int heldCount() {
		return this.holds.count((record) -> !record.isEnded());
	}

	/**
	 * The keys this template holds now, sorted by key, each with its thread, since when,
	 * the lease left and its fencing token (the Actuator endpoint's {@code held} list).
	 * From the template's own records: no round trip, except once per key held on a
	 * fencing store whose token has not been asked for yet.
	 * @return one entry per held key; empty if none
	 */
	public List<MutexHold> heldKeys() {
		return this.inspector.heldKeys();
	}

	@Override
	public boolean isLocked(Object key) {
		return this.inspector.isLocked(toKey(key));
	}

	@Override
	public boolean awaitRelease(Object key, Duration timeout) {
		Assert.isTrue(timeout != null && !timeout.isNegative(), "timeout must not be negative");
		return this.inspector.awaitRelease(toKey(key), timeout);
	}

	@Override
	public Optional<MutexHolder> holder(Object key) {
		return this.inspector.holder(toKey(key));
	}

	@Override
	public int sweep() {
		return this.inspector.sweep();
	}

	@Override
	public boolean forceRelease(Object key) {
		return this.inspector.forceRelease(toKey(key));
	}

	@Override
	public List<MutexHolder> holders(int limit) {
		Assert.isTrue(limit > 0, "limit must be at least 1");
		return this.inspector.holders(limit);
	}

	/**
	 * Convert a key object to the text the store locks on: a {@link MutexKey} as it is,
	 * anything else through the {@link MutexKeyConverter}.
	 * @param key the key object
	 * @return the key text
	 * @throws IllegalArgumentException if the key is {@code null} or cannot serve as a
	 * key
	 */
	public String toKey(Object key) {
		return KeyTexts.of(key, this.keyConverter);
	}

	/**
	 * How many held keys are being renewed now (one per key, whatever its re-entrant
	 * holds). Counts the held keys, so it takes time in proportion to them; meant for
	 * monitoring and tests.
	 * @return the number of held keys whose lease is being renewed
	 */
	public int renewalCount() {
		return this.holds.count(HeldKey::isRenewed);
	}

	/**
	 * Renewal tasks in the scheduler's queue, to check that memory follows the keys held
	 * now. A key's task leaves the queue briefly while its renewal is dispatched.
	 * @return the number of queued renewal tasks
	 */
	int queuedRenewalTasks() {
		LeaseRenewal leases = this.acquirer.renewal();
		return (leases != null) ? leases.scheduledTasks() : 0;
	}

	/**
	 * Stop renewing and notifying, and take no new locks (they fail with
	 * {@link IllegalStateException}). Held keys can still be released; in stores with
	 * leases they expire after their time-to-live otherwise.
	 */
	@Override
	public void destroy() {
		this.destroyed = true;
		LeaseRenewal leases = this.acquirer.renewal();
		if (leases != null) {
			leases.shutdown();
		}
		this.acquirer.minimumHolds().shutdown();
		this.losses.shutdown();
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
	 * Set how long requests without a {@code block} wait for a busy key.
	 * @param defaultBlock the wait; {@link Duration#ZERO} means do not wait
	 */
	public void setDefaultBlock(Duration defaultBlock) {
		Assert.isTrue(defaultBlock != null && !defaultBlock.isNegative(), "defaultBlock must not be negative");
		this.defaultBlock = defaultBlock;
	}

	/**
	 * Set the time-to-live of held keys when no {@code expire} is given, or {@code null}
	 * for the store's own.
	 * @param defaultExpire the time-to-live; at least 1 ms
	 */
	public void setDefaultExpire(@Nullable Duration defaultExpire) {
		if (defaultExpire != null) {
			MutexRequest.checkExpire(defaultExpire, "defaultExpire");
		}
		this.defaultExpire = defaultExpire;
	}

	/**
	 * Set how long {@link #withLockAsync} waits for its executor to start the work before
	 * giving up on it (the work then never runs). Default 5 seconds.
	 * @param handoverTimeout the wait; must be positive
	 */
	public void setHandoverTimeout(Duration handoverTimeout) {
		Assert.isTrue(handoverTimeout != null && !handoverTimeout.isNegative() && !handoverTimeout.isZero(),
				"handoverTimeout must be positive");
		this.handoverTimeout = handoverTimeout;
	}

	/**
	 * Set whether keys held in a store with leases (Redis) are renewed while held, so
	 * that work longer than {@code expire} keeps its key. Default {@code true}:
	 * {@code expire} then only bounds how long the key of a crashed holder stays taken.
	 * With {@code false}, a key expires after {@code expire} even while its holder still
	 * works, and another caller can take it.
	 * @param renew whether to renew
	 */
	public void setRenew(boolean renew) {
		this.renew = renew;
	}

	/**
	 * Set who is told when a key is found lost while held (besides the callbacks
	 * registered with {@link MutexLock#onLost(Runnable)}). Called on AutoMutex's
	 * notification thread, never on a renewal thread; its exceptions are logged. The
	 * Spring Boot starter publishes a {@link MutexLostEvent}.
	 * @param lossListener the listener
	 */
	public void setLossListener(Consumer<MutexLostException> lossListener) {
		this.losses.setListener(lossListener);
	}

	/**
	 * Whether held keys are renewed.
	 * @return the setting
	 */
	public boolean isRenew() {
		return this.renew;
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
	public String toString() {
		return "MutexTemplate[store=" + this.store + ", block=" + this.defaultBlock + ", expire="
				+ ((this.defaultExpire != null) ? this.defaultExpire : "store default") + "]";
	}

}
