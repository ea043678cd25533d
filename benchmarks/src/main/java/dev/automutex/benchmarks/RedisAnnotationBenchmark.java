package dev.automutex.benchmarks;

import java.util.concurrent.TimeUnit;

import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.EnableAutoMutex;
import dev.automutex.store.RedisLeaseMutexStore;
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

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@code @AutoMutex(on = "#id")} on the AutoMutex Redis engine: one thread, one id, µs
 * per call of a Spring bean's method whose body is {@code counter++}, on a private
 * {@code redis-server} per trial. The Redis counterpart of {@link AnnotationBenchmark},
 * read beside {@link RedisLockBenchmark}'s floor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Threads(1)
public class RedisAnnotationBenchmark {

	private RedisServer redis;

	private AnnotationConfigApplicationContext context;

	private Counter counter;

	@Setup(Level.Trial)
	public void start() {
		this.redis = RedisServer.start();
		this.context = new AnnotationConfigApplicationContext();
		this.context.registerBean(LettuceConnectionFactory.class,
				() -> RedisLockBenchmark.connectionFactory(this.redis));
		this.context.register(Config.class);
		this.context.refresh();
		this.counter = this.context.getBean(Counter.class);
	}

	@TearDown(Level.Trial)
	public void stop() {
		try {
			this.context.close();
		}
		finally {
			this.redis.close();
		}
	}

	/**
	 * The server of this trial, for {@link RedisMeasurements}.
	 * @return the server
	 */
	RedisServer server() {
		return this.redis;
	}

	/**
	 * The annotated bean, for {@link RedisMeasurements}.
	 * @return the bean
	 */
	Counter counter() {
		return this.counter;
	}

	@Benchmark
	public int autoMutexRedis() {
		return this.counter.increment("order-42");
	}

	/**
	 * The method body of every row, locked by {@code @AutoMutex}.
	 */
	public static class Counter {

		private int counter;

		@AutoMutex(on = "#id")
		public int increment(String id) {
			return ++this.counter;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class Config {

		@Bean
		RedisLeaseMutexStore mutexStore(LettuceConnectionFactory connectionFactory) {
			return new RedisLeaseMutexStore(connectionFactory, "am-annotation", RedisLockBenchmark.TTL);
		}

		@Bean
		MutexTemplate mutexTemplate(RedisLeaseMutexStore mutexStore) {
			return new MutexTemplate(mutexStore);
		}

		@Bean
		Counter counter() {
			return new Counter();
		}

	}

}
