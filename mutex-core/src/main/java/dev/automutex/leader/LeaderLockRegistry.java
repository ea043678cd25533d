package dev.automutex.leader;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

import dev.automutex.MutexException;
import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexLostException;
import dev.automutex.MutexOperations;
import dev.automutex.MutexRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.Assert;

/**
 * Spring Integration {@link LockRegistry} over {@link MutexOperations}, for
 * {@link LockRegistryLeaderInitiator} ({@link MutexLeaderInitiator}): leader election on
 * the store AutoMutex locks on (Redis, a database, or this JVM alone).
 * <p>
 * The initiator takes its lock when it becomes leader, keeps it for as long as it leads
 * and, every heartbeat, locks it again to learn whether it still leads. Spring
 * Integration's own Redis and JDBC locks go back to the store on such a nested
 * {@code tryLock} and extend the key's time-to-live. AutoMutex's nested holds never do
 * (they only count), so on AutoMutex's {@code RedisLeaseLockRegistry} the leader's key
 * would expire under it and a second leader would be elected. The locks of this registry
 * instead:
 * <ul>
 * <li>take the key with {@link MutexOperations#tryLock(MutexRequest)}, renewed while held
 * (whatever the template's default), so the leader keeps its key as long as it leads, and
 * a crashed leader's key frees itself after {@code expire};</li>
 * <li>answer a nested {@code tryLock} by the holding thread by asking the store whether
 * the key is still held ({@link MutexLock#isHeld()}): if it is not, the call throws
 * {@link MutexLostException} (or {@link MutexException} if the store did not answer), so
 * that the initiator unlocks and revokes leadership;</li>
 * <li>interrupt the holding thread when renewal finds the key lost
 * ({@link MutexLock#interruptOnLoss()}), so that the initiator revokes leadership then,
 * not at its next heartbeat.</li>
 * </ul>
 * Each acquisition has a fencing token ({@link #fencingToken(String)}) on stores that
 * issue them.
 * <p>
 * Thread-safe. A lock belongs to the thread that took it, as Spring Integration's do. Not
 * a bean: the starter would take a {@link LockRegistry} bean for the application's own
 * and build its store on it, which this registry is itself built on.
 */
class LeaderLockRegistry implements LockRegistry<Lock> {

	private final MutexOperations mutex;

	private final Map<String, LeaderLock> locks = new ConcurrentHashMap<>();

	private volatile @Nullable Duration expire;

	/**
	 * Create a registry whose keys live for the template's default {@code expire}
	 * ({@code mutex.expire} in Spring Boot) unless renewed.
	 * @param mutex the locking operations (the starter's {@code MutexTemplate})
	 */
	LeaderLockRegistry(MutexOperations mutex) {
		Assert.notNull(mutex, "MutexOperations must not be null");
		this.mutex = mutex;
	}

	/**
	 * Set how long the store keeps the key of a leader that died (its process crashed or
	 * lost the store) before another instance can lead; the template's default
	 * {@code expire} if not set.
	 * @param expire the time-to-live of the key, at least a millisecond
	 */
	void setExpire(Duration expire) {
		Assert.isTrue(expire != null && expire.toMillis() >= 1, "expire must be at least 1ms");
		this.expire = expire;
	}

	/**
	 * The lock for a key: re-entrant and bound to the thread that locked it; the same
	 * object for the same key.
	 * @param lockKey the key, a non-empty {@link String} (the initiator's role)
	 */
	@Override
	public Lock obtain(Object lockKey) {
		Assert.isInstanceOf(String.class, lockKey, "LeaderLockRegistry supports only String keys");
		String key = (String) lockKey;
		Assert.hasLength(key, "key must not be empty");
		return this.locks.computeIfAbsent(key, LeaderLock::new);
	}

	/**
	 * The fencing token of this registry's current hold of a key (the leader's term):
	 * greater than that of every earlier hold of the key in every instance sharing the
	 * store. Give it with the leader's writes to a resource that refuses a token smaller
	 * than the last one it accepted. Any thread may ask.
	 * @param key the key (the initiator's role)
	 * @return the token
	 * @throws IllegalStateException if this registry does not hold the key now
	 * @throws MutexLostException if the hold was lost
	 * @throws UnsupportedOperationException if the store issues no tokens
	 * @see MutexLock#fencingToken()
	 */
	long fencingToken(String key) {
		LeaderLock lock = this.locks.get(key);
		MutexLock held = (lock != null) ? lock.held : null;
		if (held == null) {
			throw new IllegalStateException("'" + key + "' is not held through this registry");
		}
		return held.fencingToken();
	}

	private MutexRequest request(String key, Duration block) {
		MutexRequest request = MutexRequest.of(key).block(block).renew(true);
		Duration expire = this.expire;
		return (expire != null) ? request.expire(expire) : request;
	}

	@Override
	public String toString() {
		return "LeaderLockRegistry[" + this.mutex + "]";
	}

	/**
	 * The lock of one key: at most one {@link MutexLock} at a time, held by one thread,
	 * which counts its nested holds itself.
	 */
	private final class LeaderLock implements Lock {

		private final String key;

		private volatile @Nullable Thread owner;

		/** Written and read by the owner thread only. */
		private int holds;

		private volatile @Nullable MutexLock held;

		LeaderLock(String key) {
			this.key = key;
		}

		@Override
		public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
			MutexLock current = this.held;
			if (this.owner == Thread.currentThread() && current != null) {
				confirm(current);
				this.holds++;
				return true;
			}
			if (Thread.interrupted()) {
				throw new InterruptedException("Interrupted before locking '" + this.key + "'");
			}
			Optional<MutexLock> taken;
			try {
				taken = LeaderLockRegistry.this.mutex
					.tryLock(request(this.key, Duration.ofNanos(Math.max(0, unit.toNanos(time)))));
			}
			catch (MutexLockException ex) {
				if (Thread.interrupted()) {
					InterruptedException interrupted = new InterruptedException(
							"Interrupted while waiting for '" + this.key + "'");
					interrupted.initCause(ex);
					throw interrupted;
				}
				throw ex;
			}
			if (taken.isEmpty()) {
				return false;
			}
			MutexLock lock = taken.get();
			this.held = lock;
			this.holds = 1;
			this.owner = Thread.currentThread();
			lock.interruptOnLoss();
			return true;
		}

		/**
		 * Ask the store whether the key is still held, as Spring Integration's Redis and
		 * JDBC locks do on every nested {@code tryLock}.
		 * @param current the lock this thread holds
		 * @throws InterruptedException if the thread was interrupted meanwhile
		 */
		private void confirm(MutexLock current) throws InterruptedException {
			if (!current.isLost() && current.isHeld()) {
				if (Thread.interrupted()) {
					throw new InterruptedException("Interrupted while checking '" + this.key + "'");
				}
				return;
			}
			if (current.isLost()) {
				// Finding the loss interrupted this thread (interruptOnLoss): the
				// exception says it instead.
				Thread.interrupted();
				throw new MutexLostException(List.of(this.key), "Mutex '" + this.key
						+ "' was lost (it expired or was taken over): this instance no longer leads");
			}
			if (Thread.interrupted()) {
				// The store's call was cut short (the initiator stops): its answer says
				// nothing.
				throw new InterruptedException("Interrupted while checking '" + this.key + "'");
			}
			throw new MutexException("Mutex '" + this.key + "' could not be confirmed as held (the store did not "
					+ "answer): this instance cannot know that it still leads");
		}

		@Override
		public boolean tryLock() {
			try {
				return tryLock(0, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		@Override
		public void lockInterruptibly() throws InterruptedException {
			boolean locked = false;
			while (!locked) {
				locked = tryLock(1, TimeUnit.HOURS);
			}
		}

		@Override
		public void lock() {
			boolean interrupted = false;
			while (true) {
				try {
					lockInterruptibly();
					break;
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}

		/**
		 * Count down a nested hold, or release the key. A key found lost at release is
		 * reported as every AutoMutex loss is (a WARN, a {@code MutexLostEvent} with the
		 * starter), not thrown.
		 */
		@Override
		public void unlock() {
			MutexLock current = this.held;
			if (this.owner != Thread.currentThread() || current == null) {
				throw new IllegalMonitorStateException("The current thread does not hold the lock on '" + this.key
						+ "' (locks are released by the thread that locked them)");
			}
			if (--this.holds > 0) {
				return;
			}
			this.held = null;
			this.owner = null;
			current.release();
		}

		@Override
		public Condition newCondition() {
			throw new UnsupportedOperationException("Conditions are not supported by leader locks");
		}

		@Override
		public String toString() {
			Thread holder = this.owner;
			return "LeaderLock[" + this.key + ((holder != null) ? ", locked by " + holder.getName() : "") + "]";
		}

	}

}
