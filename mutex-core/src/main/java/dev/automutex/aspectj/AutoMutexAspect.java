package dev.automutex.aspectj;

import java.util.ArrayList;
import java.util.List;

import dev.automutex.annotation.MutexInterceptor;
import org.aspectj.lang.ProceedingJoinPoint;
import org.aspectj.lang.annotation.Around;
import org.aspectj.lang.annotation.Aspect;
import org.aspectj.lang.annotation.SuppressAjWarnings;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * AspectJ aspect for {@link dev.automutex.annotation.AutoMutex} methods: holds the
 * method's key around every execution of it, whoever calls it, the same class
 * ({@code this.perform(...)}) included, and whatever its visibility. Matches methods
 * annotated with {@code @AutoMutex} themselves or through one composed annotation;
 * AspectJ does not see an annotation on a method that the woven one overrides or
 * implements. Each call is handed to the {@link MutexInterceptor} of the Spring context,
 * so keys, waiting, failure handlers, transactions and fencing tokens behave as in proxy
 * mode.
 * <p>
 * An annotation-style aspect, so that load-time weaving needs no AspectJ compiler: list
 * it in a {@code META-INF/aop.xml} and start the JVM with
 * {@code -javaagent:aspectjweaver.jar}; or weave at compile time with this aspect on the
 * aspect path (the class in {@code mutex-core}'s jar has been completed by the AspectJ
 * compiler, as compile-time weaving requires). {@code mutex-core} ships no
 * {@code aop.xml}: one in the jar would weave the aspect into every application that runs
 * an AspectJ agent for any reason, proxy mode included.
 * <p>
 * AspectJ creates one instance per class loader. {@link AspectJMutexConfiguration}
 * {@linkplain #configure configures} it with the context's interceptor when the context
 * starts and {@linkplain #release releases} it when the context closes; with several
 * contexts open (tests), the one started last is used.
 * <p>
 * Until it is configured, a call of an annotated method throws
 * {@link IllegalStateException} instead of running: Spring's cache aspect lets such calls
 * through, which only costs a cache miss, but here it would run the method unlocked
 * without a word, the very failure that AspectJ mode exists to prevent.
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
@Aspect
public class AutoMutexAspect {

	private final List<MutexInterceptor> configured = new ArrayList<>();

	private volatile @Nullable MutexInterceptor interceptor;

	/**
	 * Lock through this interceptor from now on, until it is {@linkplain #release
	 * released}.
	 * @param interceptor the interceptor of a Spring context
	 */
	public void configure(MutexInterceptor interceptor) {
		Assert.notNull(interceptor, "MutexInterceptor must not be null");
		synchronized (this.configured) {
			this.configured.add(interceptor);
			this.interceptor = interceptor;
		}
	}

	/**
	 * Stop locking through an interceptor, whose context is closing: the one configured
	 * before it is used again, or none.
	 * @param interceptor an interceptor given to {@link #configure}
	 */
	public void release(MutexInterceptor interceptor) {
		synchronized (this.configured) {
			this.configured.remove(interceptor);
			this.interceptor = this.configured.isEmpty() ? null : this.configured.get(this.configured.size() - 1);
		}
	}

	/**
	 * Whether the aspect has an interceptor to lock through.
	 * @return {@code true} once configured by a Spring context that is still open
	 */
	public boolean isConfigured() {
		return this.interceptor != null;
	}

	/**
	 * Around advice for an {@code @AutoMutex} method: runs it holding its key.
	 * @param joinPoint the execution of the method
	 * @return what the method returned, or what the failure handler supplied
	 * @throws Throwable what the method threw, or
	 * {@link dev.automutex.MutexLockException} for a busy key
	 * @throws IllegalStateException if no Spring context configured the aspect, or the
	 * method is static
	 */
	@SuppressAjWarnings("adviceDidNotMatch")
	@Around(value = "execution(@dev.automutex.annotation.AutoMutex * *(..)) "
			+ "|| execution(@(@dev.automutex.annotation.AutoMutex *) * *(..))", argNames = "joinPoint")
	public @Nullable Object lock(ProceedingJoinPoint joinPoint) throws Throwable {
		MutexInterceptor interceptor = this.interceptor;
		if (interceptor == null) {
			throw new IllegalStateException(joinPoint.getSignature().toLongString()
					+ " was called before AutoMutex's aspect was configured, and it would run unlocked: declare "
					+ "@EnableAutoMutex(mode = AdviceMode.ASPECTJ) in the Spring context, and call the method only "
					+ "while that context is open");
		}
		Object target = joinPoint.getThis();
		if (target == null) {
			throw new IllegalStateException(joinPoint.getSignature().toLongString()
					+ " is static, which AutoMutex's aspect does not lock (it locks instance methods); make it an "
					+ "instance method, or use MutexTemplate.withLock inside it");
		}
		return interceptor.invoke(new JoinPointInvocation(joinPoint, target));
	}

}
