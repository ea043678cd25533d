package dev.automutex.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.benchmarks.RedisPeers.Instance;
import dev.automutex.store.LocalMutexStore;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * What locking leaves behind: distinct keys locked and released in turn, then the heap
 * (after a full collection) and Redis ({@code DBSIZE}, {@code used_memory}) compared with
 * where they started; and what a held key costs, on the heap for the local store and in
 * Redis for the AutoMutex engine.
 */
final class MemoryFootprint {

	private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

	private static final Runnable NOTHING = () -> {
	};

	private MemoryFootprint() {
	}

	/**
	 * Heap left behind after {@code keys} distinct keys were locked and released in turn
	 * with {@code MutexTemplate.withLock} on the local store.
	 * @param keys how many keys
	 * @return bytes of heap left in use, compared with before
	 */
	static long localInTurn(int keys) throws InterruptedException {
		MutexTemplate template = new MutexTemplate(new LocalMutexStore());
		for (int i = 0; i < 10_000; i++) {
			template.withLock("warm-" + i, NOTHING);
		}
		long before = usedHeap();
		for (int i = 0; i < keys; i++) {
			template.withLock("mem-" + i, NOTHING);
		}
		long left = usedHeap() - before;
		template.destroy();
		return left;
	}

	/**
	 * The same with the hand-written lock, which never forgets a key.
	 * @param keys how many keys
	 * @return bytes of heap left in use, compared with before
	 */
	static long handWrittenInTurn(int keys) throws InterruptedException {
		ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
		long before = usedHeap();
		for (int i = 0; i < keys; i++) {
			ReentrantLock lock = locks.computeIfAbsent("mem-" + i, (key) -> new ReentrantLock());
			lock.lock();
			lock.unlock();
		}
		long left = usedHeap() - before;
		if (locks.size() != keys) {
			throw new IllegalStateException("The hand-written map lost keys");
		}
		return left;
	}

	/**
	 * Heap per held key: {@code keys} keys held at once by one thread with
	 * {@code MutexTemplate.lock} on the local store (the store's entry, the held-key
	 * record and the caller's {@link MutexLock}).
	 * @param keys how many keys
	 * @return bytes per held key
	 */
	static double localPerHeldKey(int keys) throws InterruptedException {
		MutexTemplate template = new MutexTemplate(new LocalMutexStore());
		List<MutexLock> held = new ArrayList<>(keys);
		long before = usedHeap();
		for (int i = 0; i < keys; i++) {
			held.add(template.lock("held-" + i));
		}
		double per = (usedHeap() - before) / (double) keys;
		held.forEach(MutexLock::close);
		template.destroy();
		return per;
	}

	/**
	 * Heap per held key with the hand-written lock.
	 * @param keys how many keys
	 * @return bytes per held key
	 */
	static double handWrittenPerHeldKey(int keys) throws InterruptedException {
		ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
		long before = usedHeap();
		for (int i = 0; i < keys; i++) {
			locks.computeIfAbsent("held-" + i, (key) -> new ReentrantLock()).lock();
		}
		double per = (usedHeap() - before) / (double) keys;
		locks.values().forEach(ReentrantLock::unlock);
		return per;
	}

	/**
	 * Distinct keys locked and released in turn by one instance, from {@code threads}
	 * threads (each its own keys).
	 * @param instance the instance
	 * @param pattern the Redis keys that the keys locked in turn ({@code mem-<n>}) leave
	 * ({@code KEYS} pattern)
	 * @param commands a connection to the same Redis
	 * @param keys how many keys in all
	 * @param threads how many threads
	 * @param tail how long to wait, at most, for the keys left to expire
	 * @return what was left behind
	 */
	static Left redisInTurn(Instance instance, String pattern, RedisCommands<String, String> commands, int keys,
			int threads, Duration tail) throws Exception {
		for (int i = 0; i < 1000; i++) {
			instance.lock("warm-" + i, Duration.ZERO).run();
		}
		long[] keysBefore = keys(commands, pattern);
		long memoryBefore = usedMemory(commands);
		long heapBefore = usedHeap();
		List<Thread> running = new ArrayList<>();
		RuntimeException[] failure = new RuntimeException[1];
		for (int t = 0; t < threads; t++) {
			int first = t;
			Thread thread = new Thread(() -> {
				try {
					for (int i = first; i < keys; i += threads) {
						Runnable release = instance.lock("mem-" + i, Duration.ZERO);
						if (release == null) {
							throw new IllegalStateException("A free key was refused");
						}
						release.run();
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				catch (RuntimeException ex) {
					failure[0] = ex;
				}
			}, "memory-" + t);
			running.add(thread);
			thread.start();
		}
		for (Thread thread : running) {
			thread.join();
		}
		if (failure[0] != null) {
			throw new IllegalStateException("Locking in turn failed: " + failure[0], failure[0]);
		}
		long[] keysAfter = keys(commands, pattern);
		long heapLeft = usedHeap() - heapBefore;
		long memoryLeft = usedMemory(commands) - memoryBefore;
		long afterTail = -1;
		if (!tail.isZero()) {
			long deadline = System.nanoTime() + tail.toNanos();
			do {
				Thread.sleep(1000);
				afterTail = keys(commands, pattern)[0] - keysBefore[0];
			}
			while (afterTail > 0 && System.nanoTime() - deadline < 0);
		}
		return new Left(keysAfter[0] - keysBefore[0], keysAfter[1] - keysBefore[1], keysAfter[2], afterTail, memoryLeft,
				heapLeft);
	}

	/**
	 * The keys that match a pattern: how many, how many never expire, the longest
	 * time-to-live in ms.
	 */
	private static long[] keys(RedisCommands<String, String> commands, String pattern) {
		List<Long> counts = commands.eval("""
				local n, forever, longest = 0, 0, 0
				for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
					n = n + 1
					local ttl = redis.call('PTTL', key)
					if ttl == -1 then
						forever = forever + 1
					elseif ttl > longest then
						longest = ttl
					end
				end
				return {n, forever, longest}
				""", ScriptOutputType.MULTI, new String[0], pattern);
		return new long[] { counts.get(0), counts.get(1), counts.get(2) };
	}

	/**
	 * Redis memory per held key: {@code keys} keys held at once by one thread of one
	 * instance, {@code used_memory} before and while held.
	 * @param instance the instance
	 * @param commands a connection to the same Redis
	 * @param keys how many keys
	 * @return bytes per held key
	 */
	static double redisPerHeldKey(Instance instance, RedisCommands<String, String> commands, int keys)
			throws Exception {
		long before = usedMemory(commands);
		List<Runnable> held = new ArrayList<>(keys);
		for (int i = 0; i < keys; i++) {
			Runnable release = instance.lock("held-" + i, Duration.ZERO);
			if (release == null) {
				throw new IllegalStateException("A free key was refused");
			}
			held.add(release);
		}
		double per = (usedMemory(commands) - before) / (double) keys;
		held.forEach(Runnable::run);
		return per;
	}

	/**
	 * Redis memory per key of the floor: {@code SET key token NX PX} with a token like
	 * the floor's.
	 * @param commands a connection to Redis
	 * @param keys how many keys
	 * @return bytes per key
	 */
	static double floorPerHeldKey(RedisCommands<String, String> commands, int keys) {
		long before = usedMemory(commands);
		String prefix = Long.toHexString(System.nanoTime()) + ":";
		for (int i = 0; i < keys; i++) {
			commands.set("floor:held-" + i, prefix + i, SetArgs.Builder.nx().px(60_000));
		}
		double per = (usedMemory(commands) - before) / (double) keys;
		for (int i = 0; i < keys; i++) {
			commands.del("floor:held-" + i);
		}
		return per;
	}

	static long usedMemory(RedisCommands<String, String> commands) {
		for (String line : commands.info("memory").split("\r?\n")) {
			if (line.startsWith("used_memory:")) {
				return Long.parseLong(line.substring("used_memory:".length()).trim());
			}
		}
		throw new IllegalStateException("INFO memory has no used_memory");
	}

	static long usedHeap() throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(50);
		}
		return MEMORY.getHeapMemoryUsage().getUsed();
	}

	/**
	 * What distinct keys locked and released in turn left behind.
	 *
	 * @param redisKeys the instance's keys in Redis, compared with before
	 * @param forever how many more of them never expire
	 * @param longestTtlMillis the longest time-to-live of those left
	 * @param afterTail the instance's keys compared with before once those left expired
	 * ({@code -1}: not waited for)
	 * @param redisBytes Redis {@code used_memory}, compared with before
	 * @param heapBytes heap in use after a full collection, compared with before
	 */
	record Left(long redisKeys, long forever, long longestTtlMillis, long afterTail, long redisBytes, long heapBytes) {

	}

}
