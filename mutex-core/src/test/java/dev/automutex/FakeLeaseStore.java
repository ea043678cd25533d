package dev.automutex;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.FencingMutexStore;
import dev.automutex.store.RenewableMutexStore;
import org.jspecify.annotations.Nullable;

/**
 * A store with real leases kept in memory and timed by {@link System#nanoTime()}, whose
 * renewals can be made slow or hang for chosen keys: to test renewal without Redis. Never
 * waits for a busy key.
 */
class FakeLeaseStore implements RenewableMutexStore, FencingMutexStore {

	private final Map<String, Lease> leases = new ConcurrentHashMap<>();

	private final AtomicLong tokens = new AtomicLong();

	private final AtomicLong renewals = new AtomicLong();

	private volatile Duration renewDelay = Duration.ZERO;

	private final Set<String> hanging = ConcurrentHashMap.newKeySet();

	private final CountDownLatch unhang = new CountDownLatch(1);

	/** Every renewal call takes this long. */
	void renewDelay(Duration delay) {
		this.renewDelay = delay;
	}

	/** Renewal calls for this key hang until {@link #unhang()}. */
	void hang(String key) {
		this.hanging.add(key);
	}

	void unhang() {
		this.unhang.countDown();
	}

	/** Drop a key behind its holder's back, as an operator's DEL or a failover would. */
	void drop(String key) {
		this.leases.remove(key);
	}

	/** Whether the key's lease is still running now. */
	boolean isLive(String key) {
		Lease lease = this.leases.get(key);
		return lease != null && lease.live();
	}

	long renewals() {
		return this.renewals.get();
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait, Duration expire) {
		long token = this.tokens.incrementAndGet();
		Lease fresh = new Lease(token, System.nanoTime() + expire.toNanos());
		Lease result = this.leases.compute(key, (k, current) -> (current == null || !current.live()) ? fresh : current);
		return (result == fresh) ? new FakeHeld(key, token) : null;
	}

	@Override
	public Duration defaultExpire() {
		return Duration.ofSeconds(10);
	}

	@Override
	public @Nullable Duration leaseLeft(String key) {
		Lease lease = this.leases.get(key);
		return (lease != null && lease.live()) ? Duration.ofNanos(lease.expiresAt - System.nanoTime()) : null;
	}

	@Override
	public boolean renew(Held held, Duration ttl) {
		this.renewals.incrementAndGet();
		FakeHeld fake = (FakeHeld) held;
		if (this.hanging.contains(fake.key)) {
			try {
				this.unhang.await(60, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (!this.renewDelay.isZero()) {
			LockSupport.parkNanos(this.renewDelay.toNanos());
		}
		Lease renewed = this.leases.computeIfPresent(fake.key, (k, lease) -> (lease.token == fake.token && lease.live())
				? new Lease(lease.token, System.nanoTime() + ttl.toNanos()) : lease);
		return renewed != null && renewed.token == fake.token && renewed.live();
	}

	@Override
	public long fencingToken(Held held) {
		if (!held.isHeld()) {
			throw new IllegalStateException("not held");
		}
		return ((FakeHeld) held).token;
	}

	@Override
	public boolean isLocked(String key) {
		return isLive(key);
	}

	private record Lease(long token, long expiresAt) {

		boolean live() {
			return System.nanoTime() - this.expiresAt < 0;
		}

	}

	private final class FakeHeld implements Held {

		private final String key;

		private final long token;

		FakeHeld(String key, long token) {
			this.key = key;
			this.token = token;
		}

		@Override
		public String key() {
			return this.key;
		}

		@Override
		public boolean release() {
			Lease lease = FakeLeaseStore.this.leases.get(this.key);
			boolean mine = lease != null && lease.token == this.token && lease.live();
			FakeLeaseStore.this.leases.remove(this.key, lease);
			return mine;
		}

		@Override
		public boolean isHeld() {
			Lease lease = FakeLeaseStore.this.leases.get(this.key);
			return lease != null && lease.token == this.token && lease.live();
		}

	}

}
