package dev.automutex.benchmarks;

import java.util.concurrent.TimeUnit;

import dev.automutex.test.RedisServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * Redisson's {@link RLock} as a peer of {@link RedisLockBenchmark}, measured the same
 * way: a private {@code redis-server} per trial, one client with Redisson's defaults but
 * the address, {@code lock()} (lease renewed by Redisson's watchdog) then
 * {@code unlock()}.
 * <ul>
 * <li>{@code redissonLock}: one thread, one key, µs per lock + release;</li>
 * <li>{@code contendedRedissonLock}: four threads of one instance on one key, ops/s.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Threads(1)
public class RedissonBenchmark {

	private RedisServer redis;

	private RedissonClient redisson;

	@Setup(Level.Trial)
	public void start() {
		this.redis = RedisServer.start();
		this.redisson = RedisPeers.redissonClient(this.redis);
	}

	@TearDown(Level.Trial)
	public void stop() {
		try {
			this.redisson.shutdown();
		}
		finally {
			this.redis.close();
		}
	}

	@Benchmark
	public void redissonLock() {
		RLock lock = this.redisson.getLock("bench-redissonLock");
		lock.lock();
		lock.unlock();
	}

	@Benchmark
	@Threads(4)
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	public void contendedRedissonLock() {
		RLock lock = this.redisson.getLock("bench-contendedRedissonLock");
		lock.lock();
		lock.unlock();
	}

}
