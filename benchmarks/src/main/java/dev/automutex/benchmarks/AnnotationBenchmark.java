package dev.automutex.benchmarks;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.automutex.MutexOperations;
import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.EnableAutoMutex;
import dev.automutex.store.LocalMutexStore;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * One JVM, one thread, one id: the same method body ({@code counter++}) run under a
 * hand-written per-id lock ({@code ConcurrentHashMap.computeIfAbsent(id)} +
 * {@code ReentrantLock}), under {@code MutexTemplate.withLock} on the local store, and as
 * an {@code @AutoMutex(on = "#id")} method of a Spring bean on the local store. The
 * ratios to the hand-written lock are what README reports.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Threads(1)
public class AnnotationBenchmark {

	private static final String ID = "order-42";

	private AnnotationConfigApplicationContext context;

	private Counter annotated;

	private AdvisedCounter advised;

	private MutexOperations mutex;

	private final HandWrittenCounter handWritten = new HandWrittenCounter();

	private int counter;

	@Setup
	public void start() {
		this.context = new AnnotationConfigApplicationContext(Config.class);
		this.annotated = this.context.getBean(Counter.class);
		this.advised = this.context.getBean(AdvisedCounter.class);
		this.mutex = this.context.getBean(MutexOperations.class);
	}

	@TearDown
	public void stop() {
		this.context.close();
	}

	@Benchmark
	public int handWritten() {
		return this.handWritten.increment(ID);
	}

	@Benchmark
	public int mutexTemplateWithLock() {
		return this.mutex.withLock(ID, () -> ++this.counter);
	}

	@Benchmark
	public int autoMutex() {
		return this.annotated.increment(ID);
	}

	/**
	 * The floor of any Spring AOP advice: the same body behind a CGLIB proxy whose
	 * interceptor only proceeds (what {@code @Transactional} or {@code @Cacheable} pay
	 * before doing anything).
	 */
	@Benchmark
	public int springAopNoOp() {
		return this.advised.increment(ID);
	}

	/**
	 * What a developer writes without a library: one lock per id, created on first use
	 * and never removed.
	 */
	static final class HandWrittenCounter {

		private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

		private int counter;

		int increment(String id) {
			ReentrantLock lock = this.locks.computeIfAbsent(id, (key) -> new ReentrantLock());
			lock.lock();
			try {
				return ++this.counter;
			}
			finally {
				lock.unlock();
			}
		}

	}

	/**
	 * The same body as {@link HandWrittenCounter}, locked by {@code @AutoMutex}.
	 */
	public static class Counter {

		private int counter;

		@AutoMutex(on = "#id")
		public int increment(String id) {
			return ++this.counter;
		}

	}

	/**
	 * Marks the methods of the no-op advice.
	 */
	@Retention(RetentionPolicy.RUNTIME)
	@Target(ElementType.METHOD)
	@interface Advised {

	}

	/**
	 * The same body, behind a proxy whose only advice proceeds.
	 */
	public static class AdvisedCounter {

		private int counter;

		@Advised
		public int increment(String id) {
			return ++this.counter;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class Config {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE) // seen by the same auto-proxy creator
													// as @AutoMutex's advisor
		static DefaultPointcutAdvisor noOpAdvisor() {
			MethodInterceptor proceed = MethodInvocation::proceed;
			return new DefaultPointcutAdvisor(AnnotationMatchingPointcut.forMethodAnnotation(Advised.class), proceed);
		}

		@Bean
		AdvisedCounter advisedCounter() {
			return new AdvisedCounter();
		}

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Counter counter() {
			return new Counter();
		}

	}

}
