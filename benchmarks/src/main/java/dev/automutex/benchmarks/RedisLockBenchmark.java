package dev.automutex.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.store.RedisLease;
import dev.automutex.store.RedisLeaseLockRegistry;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.test.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
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

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * Both Redis engines of AutoMutex beside Spring Integration's {@link RedisLockRegistry}
 * and raw Lettuce, on one private {@code redis-server} on loopback that the trial starts
 * ({@link RedisServer}) and stops. Each benchmark locks its own key
 * ({@code bench-<name>}) under its own prefix, so no two touch the same Redis key.
 * <p>
 * <b>Uncontended</b> (one thread, average time of one lock + release, µs/op):
 * <ul>
 * <li>{@code floor}: raw Lettuce, {@code SET key token NX PX 30000} then an
 * {@code EVALSHA} compare-and-delete: the least a correct Redis lock costs (two round
 * trips, no fencing token);</li>
 * <li>{@code springIntegrationRegistry}: Spring Integration's {@link RedisLockRegistry}
 * ({@link RedisLockType#PUB_SUB_LOCK}), {@code obtain(k).lock(); unlock()};</li>
 * <li>{@code automutexRegistry}: {@link RedisLeaseLockRegistry#obtain(Object)}, lock and
 * unlock;</li>
 * <li>{@code automutexLease}: {@link RedisLeaseLockRegistry#acquire} without waiting,
 * then {@link RedisLease#release()};</li>
 * <li>{@code templateAutomutex} / {@code templateSpringIntegration}:
 * {@link MutexTemplate#withLock(Object, Runnable)} over {@link RedisLeaseMutexStore} /
 * {@link RedisMutexStore} (PUB_SUB), renewal on (the defaults);</li>
 * <li>{@code templateAutomutexWithToken} / {@code templateSpringIntegrationWithToken}:
 * {@code try (MutexLock l = template.lock(k)) { return l.fencingToken(); }} (the
 * AutoMutex engine issues the token in its acquire script, {@link RedisMutexStore} runs a
 * script of its own for it).</li>
 * </ul>
 * <p>
 * <b>Contended</b> ({@code contended*}: four threads of one instance on one key,
 * throughput in ops/s): {@code withLock} with an empty body for both templates, and
 * Spring Integration's registry used directly. The templates wait up to 30 s
 * ({@code withLock(key, block, action)}), not their default second: a thread that waits
 * longer than its block would end the run with an exception, not a number.
 * <p>
 * Every Redis client is built the same way ({@link #connectionFactory(RedisServer)}:
 * standalone, Lettuce, the factory's default shared native connection); the Spring
 * Integration peers share one factory, the AutoMutex ones another. With {@code -f 1} JMH
 * runs each benchmark in its own JVM, so each gets a fresh redis-server of the same
 * configuration. How many Redis commands each variant sends per cycle is counted by
 * {@link RedisRoundTrips}, not here.
 * <p>
 * Run (about 3 minutes; {@code redis-server} must be on the {@code PATH}):
 * <pre class="code">
 * mvn -B -ntp -Pbenchmarks -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar RedisLockBenchmark -f 1 -wi 2 -w 2 -i 3 -r 2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Threads(1)
public class RedisLockBenchmark {

	static final Duration TTL = Duration.ofSeconds(30);

	/** How long a contended {@code withLock} may wait before it gives up. */
	static final Duration CONTENDED_BLOCK = Duration.ofSeconds(30);

	/**
	 * Compare-and-delete: the release that makes a raw {@code SET NX} lock safe.
	 */
	static final String COMPARE_AND_DELETE = """
			if redis.call('GET', KEYS[1]) == ARGV[1] then
				return redis.call('DEL', KEYS[1])
			end
			return 0
			""";

	private static final Runnable NOTHING = () -> {
	};

	private RedisServer redis;

	private RedisClient lettuce;

	private StatefulRedisConnection<String, String> lettuceConnection;

	private RedisCommands<String, String> floorCommands;

	private String compareAndDeleteSha;

	private final AtomicLong floorTokens = new AtomicLong();

	private String floorTokenPrefix;

	private LettuceConnectionFactory springIntegrationConnection;

	private LettuceConnectionFactory automutexConnection;

	private RedisLockRegistry springIntegrationRegistry;

	private RedisLeaseLockRegistry automutexRegistry;

	private RedisMutexStore springIntegrationStore;

	private RedisLeaseMutexStore automutexStore;

	private MutexTemplate springIntegrationTemplate;

	private MutexTemplate automutexTemplate;

	@Setup(Level.Trial)
	public void start() {
		this.redis = RedisServer.start();
		this.lettuce = RedisClient.create(RedisURI.create(this.redis.host(), this.redis.port()));
		this.lettuceConnection = this.lettuce.connect();
		this.floorCommands = this.lettuceConnection.sync();
		this.compareAndDeleteSha = this.floorCommands.scriptLoad(COMPARE_AND_DELETE);
		this.floorTokenPrefix = Long.toHexString(System.nanoTime()) + ":";
		this.springIntegrationConnection = connectionFactory(this.redis);
		this.automutexConnection = connectionFactory(this.redis);
		this.springIntegrationRegistry = new RedisLockRegistry(this.springIntegrationConnection, "si", TTL);
		this.springIntegrationRegistry.setRedisLockType(RedisLockType.PUB_SUB_LOCK);
		this.automutexRegistry = new RedisLeaseLockRegistry(this.automutexConnection, "am", TTL);
		this.springIntegrationStore = new RedisMutexStore(this.springIntegrationConnection, "si-template", TTL,
				RedisLockType.PUB_SUB_LOCK);
		this.automutexStore = new RedisLeaseMutexStore(this.automutexConnection, "am-template", TTL);
		this.springIntegrationTemplate = new MutexTemplate(this.springIntegrationStore);
		this.automutexTemplate = new MutexTemplate(this.automutexStore);
	}

	@TearDown(Level.Trial)
	public void stop() throws Exception {
		try {
			this.springIntegrationTemplate.destroy();
			this.automutexTemplate.destroy();
			this.springIntegrationStore.destroy();
			this.automutexStore.destroy();
			this.springIntegrationRegistry.destroy();
			this.automutexRegistry.destroy();
			this.springIntegrationConnection.destroy();
			this.automutexConnection.destroy();
			this.lettuceConnection.close();
			this.lettuce.shutdown();
		}
		finally {
			this.redis.close();
		}
	}

	/**
	 * The server of this trial, for {@link RedisRoundTrips}.
	 * @return the server
	 */
	RedisServer server() {
		return this.redis;
	}

	/**
	 * A Lettuce connection factory to a standalone Redis, as every peer here gets it: the
	 * defaults, shared native connection included, with a 2 s command time-out.
	 * @param redis the server
	 * @return the started factory
	 */
	static LettuceConnectionFactory connectionFactory(RedisServer redis) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	// Uncontended: one thread, one key per benchmark.

	@Benchmark
	public Object floor() {
		String key = "floor:bench-floor";
		String token = this.floorTokenPrefix + this.floorTokens.incrementAndGet();
		String set = this.floorCommands.set(key, token, SetArgs.Builder.nx().px(TTL.toMillis()));
		if (!"OK".equals(set)) {
			throw new IllegalStateException("SET NX refused an uncontended key: " + set);
		}
		Long deleted = this.floorCommands.evalsha(this.compareAndDeleteSha, ScriptOutputType.INTEGER,
				new String[] { key }, token);
		if (deleted == null || deleted != 1) {
			throw new IllegalStateException("Compare-and-delete found the key taken: " + deleted);
		}
		return deleted;
	}

	@Benchmark
	public void springIntegrationRegistry() {
		Lock lock = this.springIntegrationRegistry.obtain("bench-springIntegrationRegistry");
		lock.lock();
		lock.unlock();
	}

	@Benchmark
	public void automutexRegistry() {
		Lock lock = this.automutexRegistry.obtain("bench-automutexRegistry");
		lock.lock();
		lock.unlock();
	}

	@Benchmark
	public boolean automutexLease() throws InterruptedException {
		RedisLease lease = this.automutexRegistry.acquire("bench-automutexLease", Duration.ZERO, TTL);
		if (lease == null) {
			throw new IllegalStateException("An uncontended key was refused");
		}
		return lease.release();
	}

	@Benchmark
	public void templateAutomutex() {
		this.automutexTemplate.withLock("bench-templateAutomutex", NOTHING);
	}

	@Benchmark
	public void templateSpringIntegration() {
		this.springIntegrationTemplate.withLock("bench-templateSpringIntegration", NOTHING);
	}

	@Benchmark
	public long templateAutomutexWithToken() {
		try (MutexLock lock = this.automutexTemplate.lock("bench-templateAutomutexWithToken")) {
			return lock.fencingToken();
		}
	}

	@Benchmark
	public long templateSpringIntegrationWithToken() {
		try (MutexLock lock = this.springIntegrationTemplate.lock("bench-templateSpringIntegrationWithToken")) {
			return lock.fencingToken();
		}
	}

	// Contended: four threads of this instance on one key.

	@Benchmark
	@Threads(4)
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	public void contendedTemplateAutomutex() {
		this.automutexTemplate.withLock("bench-contendedTemplateAutomutex", CONTENDED_BLOCK, NOTHING);
	}

	@Benchmark
	@Threads(4)
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	public void contendedTemplateSpringIntegration() {
		this.springIntegrationTemplate.withLock("bench-contendedTemplateSpringIntegration", CONTENDED_BLOCK, NOTHING);
	}

	@Benchmark
	@Threads(4)
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	public void contendedSpringIntegrationRegistry() {
		Lock lock = this.springIntegrationRegistry.obtain("bench-contendedSpringIntegrationRegistry");
		lock.lock();
		lock.unlock();
	}

}
