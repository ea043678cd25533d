package dev.automutex.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalLockRegistry;
import dev.automutex.store.LocalMutexStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.integration.support.locks.DefaultLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * One JVM: lock and unlock a key, for our {@link LocalLockRegistry} (one lock per key; up
 * to 1,024 free keys kept for reuse, others removed when free; and a variant keeping all
 * 100,000), Spring Integration's {@link DefaultLockRegistry} (256 shared stripes, nothing
 * to allocate) and the whole {@link MutexTemplate#withLock} path over our local store.
 * <p>
 * {@code keys=1}: every thread on one key (contended); {@code keys=100000}: random keys,
 * nearly uncontended, where DefaultLockRegistry's stripes make unrelated keys collide.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class LocalLockBenchmark {

	@Param({ "1", "100000" })
	int keys;

	private String[] names;

	private final LockRegistry<Lock> local = new LocalLockRegistry();

	// Keeps every key of this benchmark's 100,000 for reuse (about 10 MB): no map
	// insertion and removal per key.
	private final LockRegistry<Lock> localLargeCache = new LocalLockRegistry(1 << 17);

	private final LockRegistry<Lock> striped = new DefaultLockRegistry();

	private final MutexTemplate template = new MutexTemplate(new LocalMutexStore());

	@Setup
	public void createKeys() {
		this.names = new String[this.keys];
		for (int i = 0; i < this.keys; i++) {
			this.names[i] = "order:" + i;
		}
	}

	private String key() {
		return this.names[ThreadLocalRandom.current().nextInt(this.keys)];
	}

	@Benchmark
	public void localLockRegistry() {
		Lock lock = this.local.obtain(key());
		lock.lock();
		lock.unlock();
	}

	@Benchmark
	public void localLockRegistryLargeCache() {
		Lock lock = this.localLargeCache.obtain(key());
		lock.lock();
		lock.unlock();
	}

	@Benchmark
	public void defaultLockRegistry() {
		Lock lock = this.striped.obtain(key());
		lock.lock();
		lock.unlock();
	}

	@Benchmark
	public Object mutexTemplateWithLock() {
		return this.template.withLock(key(), () -> Boolean.TRUE);
	}

}
